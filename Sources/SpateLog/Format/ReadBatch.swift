// Records read from a shard: the raw segment bytes in one buffer, reused across
// reads, and a descriptor per record pointing into it. A `RecordView` is valid
// only until the batch is read into again; copy what must outlive it.

/// One record, viewed in place.
public struct RecordView {
    public let sequence: UInt64
    public let arrivalMs: Int64
    public let partitionKey: UnsafeRawBufferPointer
    public let payload: UnsafeRawBufferPointer

    /// An owned copy.
    public func copy() -> LogRecord {
        LogRecord(sequence: sequence, arrivalMs: arrivalMs,
                  partitionKey: Array(partitionKey), payload: Array(payload))
    }
}

/// One record, owned (allocates; for APIs and tests, not hot paths).
public struct LogRecord: Sendable, Equatable {
    public var sequence: UInt64
    public var arrivalMs: Int64
    public var partitionKey: [UInt8]
    public var payload: [UInt8]

    public init(sequence: UInt64, arrivalMs: Int64, partitionKey: [UInt8], payload: [UInt8]) {
        self.sequence = sequence
        self.arrivalMs = arrivalMs
        self.partitionKey = partitionKey
        self.payload = payload
    }

    public var partitionKeyString: String { String(decoding: partitionKey, as: UTF8.self) }
}

/// A reusable buffer of records read from one shard.
public final class ReadBatch {
    /// Room for one largest frame plus the read-ahead.
    static let capacityBytes = 4 << 20 + RecordFrame.headerBytes + RecordFrame.bodyBytesMax
    /// How much one read asks the file for, unless a frame needs more: small
    /// enough that the copy, the CRC check and the caller's pass over the
    /// records all hit the core's cache (L2) instead of streaming 4 MiB through
    /// it three times. Measured on the reference query: reading 4 MiB at a time
    /// cost ~8 % more than 256 KiB.
    public static let readAheadBytes = 256 << 10

    let buffer: UnsafeMutableRawBufferPointer
    /// Valid bytes at the start of `buffer`.
    @exclusivity(unchecked) var filled = 0
    /// Read-ahead left by the last read: bytes `unconsumedStart..<filled` of
    /// `buffer` are the file `prefetchSegment` of `prefetchReader` from
    /// `prefetchPosition` on, so the next read decodes them without reading again.
    weak var prefetchReader: ShardReader?
    @exclusivity(unchecked) var prefetchSegment: UInt64 = 0
    @exclusivity(unchecked) var prefetchPosition = 0
    @exclusivity(unchecked) var unconsumedStart = 0
    @exclusivity(unchecked) public internal(set) var descriptors: [RecordDescriptor] = []
    /// The shard the records came from.
    @exclusivity(unchecked) public internal(set) var shardIndex = 0

    public init() {
        buffer = .allocate(byteCount: Self.capacityBytes, alignment: 16)
        descriptors.reserveCapacity(65_536)
    }

    deinit { buffer.deallocate() }

    public var count: Int { descriptors.count }
    public var isEmpty: Bool { descriptors.isEmpty }

    /// Record `index`, viewed in place.
    public subscript(index: Int) -> RecordView {
        let d = descriptors[index]
        let base = UnsafeRawPointer(buffer.baseAddress!)
        return RecordView(
            sequence: d.sequence, arrivalMs: d.arrivalMs,
            partitionKey: UnsafeRawBufferPointer(start: base + Int(d.keyStart), count: Int(d.keyCount)),
            payload: UnsafeRawBufferPointer(start: base + Int(d.payloadStart), count: Int(d.payloadCount)))
    }

    /// The bytes the records were decoded from; `descriptors` index into them.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(buffer) }
}
