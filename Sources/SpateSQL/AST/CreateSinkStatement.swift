// CREATE SINK name TO FILES '<dir>' FORMAT JSONL | CSV | PARQUET
//     [PARTITION BY HOUR | DAY] [ROLL EVERY <duration> | ROLL SIZE <bytes> [KB|MB|GB]]
//
// A sink is a directory that jobs write their output rows into as files
// (`CREATE JOB … AS INSERT INTO SINK name SELECT …`), the Firehose-to-S3
// analogue: files under <dir>/YYYY/MM/DD/HH/ (or …/DD/ by day), each sealed
// (renamed from a hidden temporary name) once complete. Layer: SpateSQL AST;
// the facade and the runtime write the files.

/// How a sink's files are laid out in directories.
public enum SinkPartition: String, Hashable, Sendable, CaseIterable {
    /// <dir>/YYYY/MM/DD/HH/
    case hour = "HOUR"
    /// <dir>/YYYY/MM/DD/
    case day = "DAY"

    /// The length of one partition.
    public var milliseconds: Int64 { self == .hour ? 3_600_000 : 86_400_000 }
}

/// `CREATE SINK [IF NOT EXISTS] name TO FILES 'dir' FORMAT f [PARTITION BY …] [ROLL …]`.
public struct CreateSinkStatement: Hashable, Sendable, CustomStringConvertible {
    public var name: Identifier
    public var ifNotExists: Bool
    public var directory: String
    @SourceMetadata public var directoryRange: SourceRange
    public var format: CopyFormat
    public var partition: SinkPartition
    /// ROLL EVERY: a file holds rows of one such period of time (nil: the partition's).
    public var rollEvery: SQLDuration?
    /// ROLL SIZE: a file is sealed once it holds this many bytes (nil: the default).
    public var rollBytes: Int64?

    public init(name: Identifier, ifNotExists: Bool = false, directory: String, directoryRange: SourceRange, format: CopyFormat,
                partition: SinkPartition = .hour, rollEvery: SQLDuration? = nil, rollBytes: Int64? = nil) {
        self.name = name
        self.ifNotExists = ifNotExists
        self.directory = directory
        self.directoryRange = directoryRange
        self.format = format
        self.partition = partition
        self.rollEvery = rollEvery
        self.rollBytes = rollBytes
    }

    public var description: String {
        var text = "CREATE SINK " + (ifNotExists ? "IF NOT EXISTS " : "") + "\(name) TO FILES " + SQLText.string(directory)
            + " FORMAT \(format.rawValue) PARTITION BY \(partition.rawValue)"
        if let rollEvery { text += " ROLL EVERY \(rollEvery)" }
        if let rollBytes { text += " ROLL SIZE \(rollBytes)" }
        return text
    }
}
