// The settings of a stream: shard count, retention, archive, durability and
// segment rolling. Stored in the stream's manifest; validated here, once, so
// that every layer above can rely on them. `validate` does no I/O: whether the
// archive directory exists and is writable is checked by `LogStore` when a
// stream is created or altered (`ArchiveDirectory.prepare`).

/// How an append is made durable before it is acknowledged.
public enum Durability: String, Sendable, CaseIterable {
    /// fsync on every append call.
    case always
    /// Group commit: concurrent appends share one fsync; an append returns only
    /// after the fsync that covers it.
    case batch
    /// No fsync: data reaches the disk when the kernel writes it back.
    case none
}

/// Settings of one stream.
public struct StreamSettings: Sendable, Equatable {
    /// Most shards a stream may have.
    public static let shardsMax = 1024

    public var shardCount: Int
    /// Sealed segments whose newest record is older than this are deleted, or
    /// archived (nil: keep).
    public var retentionAgeMs: Int64?
    /// The stream keeps at most about this many bytes hot (nil: no limit).
    public var retentionBytes: Int64?
    /// The stream keeps at most about this many records hot (nil: no limit).
    public var retentionRecords: Int64?
    /// Where retention moves sealed segments instead of deleting them (nil:
    /// retention deletes). Retention limits then bound the hot tier only; the
    /// archive keeps every segment moved there, and reads go on into it. A
    /// relative path is resolved against the data directory when the stream is
    /// created or altered and stored absolute.
    public var archiveDirectory: String?
    public var durability: Durability
    /// A segment rolls when it reaches this size.
    public var segmentBytesMax: Int
    /// A segment rolls, on the next append, once its first record is this old.
    public var segmentAgeMaxMs: Int64

    /// Defaults: 1 shard, 24 hours of retention, batch durability, 64 MiB / 1 hour segments.
    public init(
        shardCount: Int = 1,
        retentionAgeMs: Int64? = 24 * 3_600_000,
        retentionBytes: Int64? = nil,
        retentionRecords: Int64? = nil,
        archiveDirectory: String? = nil,
        durability: Durability = .batch,
        segmentBytesMax: Int = 64 << 20,
        segmentAgeMaxMs: Int64 = 3_600_000
    ) {
        self.shardCount = shardCount
        self.retentionAgeMs = retentionAgeMs
        self.retentionBytes = retentionBytes
        self.retentionRecords = retentionRecords
        self.archiveDirectory = archiveDirectory
        self.durability = durability
        self.segmentBytesMax = segmentBytesMax
        self.segmentAgeMaxMs = segmentAgeMaxMs
    }

    /// Throws `LogError.invalidSettings` naming the first setting out of range.
    public func validate() throws(LogError) {
        guard (1...Self.shardsMax).contains(shardCount) else {
            throw .invalidSettings("shards must be between 1 and \(Self.shardsMax), not \(shardCount)")
        }
        if let age = retentionAgeMs, age <= 0 { throw .invalidSettings("retention age must be positive") }
        if let bytes = retentionBytes, bytes <= 0 { throw .invalidSettings("retention bytes must be positive") }
        if let records = retentionRecords, records <= 0 { throw .invalidSettings("retention records must be positive") }
        if let archive = archiveDirectory {
            // The manifest is `key = value` lines, trimmed: a path must survive that.
            guard !archive.isEmpty, !archive.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 }),
                  archive.first != " " && archive.first != "\t" && archive.last != " " && archive.last != "\t" else {
                throw .invalidSettings("archive must be a directory path without line breaks or surrounding spaces")
            }
        }
        guard segmentBytesMax >= 4096 && segmentBytesMax <= 1 << 30 else {
            throw .invalidSettings("segment size must be between 4 KiB and 1 GiB")
        }
        guard segmentAgeMaxMs >= 1000 else { throw .invalidSettings("segment age must be at least 1 second") }
    }

    /// The share of the byte limit each shard enforces (shards split keys evenly).
    var retentionBytesPerShard: Int64? { retentionBytes.map { max(1, $0 / Int64(shardCount)) } }
    /// The share of the record limit each shard enforces.
    var retentionRecordsPerShard: Int64? { retentionRecords.map { max(1, $0 / Int64(shardCount)) } }
}
