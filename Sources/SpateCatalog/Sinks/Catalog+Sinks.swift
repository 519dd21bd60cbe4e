// Typed access to `sinks` and `sink_files` (schema/0010_file_sinks.sql): the
// file sinks jobs write into, and the files they sealed. A sealed file is
// recorded by `commitCheckpoint` in the same transaction as the input offsets
// its rows came from; this file reads them and manages the sinks themselves.

/// One row of `sinks`.
public struct SinkRecord: Sendable, Equatable {
    public enum Format: String, Sendable, Equatable { case jsonl, csv, parquet }
    public enum Partition: String, Sendable, Equatable { case hour, day }

    public var name: String
    /// Absolute.
    public var directory: String
    public var format: Format
    public var partition: Partition
    /// A file holds rows of one period of this length.
    public var rollMs: Int64
    /// A file is sealed once it holds this many bytes.
    public var rollBytes: Int64
    public var createdMs: Int64
    /// The CREATE SINK statement.
    public var definition: String

    public init(name: String, directory: String, format: Format, partition: Partition, rollMs: Int64, rollBytes: Int64,
                createdMs: Int64, definition: String) {
        self.name = name
        self.directory = directory
        self.format = format
        self.partition = partition
        self.rollMs = rollMs
        self.rollBytes = rollBytes
        self.createdMs = createdMs
        self.definition = definition
    }
}

/// A file a job sealed into a sink (one row of `sink_files`).
public struct SealedSinkFile: Sendable, Equatable {
    public var sink: String
    public var job: String
    /// Relative to the sink's directory.
    public var path: String
    /// The job's output row number of the file's first row.
    public var firstRow: Int64
    public var rowCount: Int64
    public var bytes: Int64
    public var sealedMs: Int64

    public init(sink: String, job: String, path: String, firstRow: Int64, rowCount: Int64, bytes: Int64, sealedMs: Int64) {
        self.sink = sink
        self.job = job
        self.path = path
        self.firstRow = firstRow
        self.rowCount = rowCount
        self.bytes = bytes
        self.sealedMs = sealedMs
    }
}

extension Catalog {
    private static let sinkColumns = "name, directory, format, partition_by, roll_ms, roll_bytes, created_at, definition"

    /// Adds a sink; throws `.invalidRecord` when one of that name exists.
    public func createSink(_ sink: SinkRecord) throws(CatalogError) {
        try transaction { database throws(CatalogError) in
            let exists = try database.withStatement("SELECT 1 FROM sinks WHERE name = ?") { statement throws(CatalogError) in
                try statement.bind(sink.name)
                return try statement.step()
            }
            if exists { throw .invalidRecord("sink '\(sink.name)' already exists") }
            try database.withStatement("INSERT INTO sinks (\(Self.sinkColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)") { statement throws(CatalogError) in
                try statement.bind(sink.name, sink.directory, sink.format.rawValue, sink.partition.rawValue, sink.rollMs, sink.rollBytes,
                                   sink.createdMs, sink.definition)
                try statement.run()
            }
        }
    }

    /// The sink called `name`, or nil.
    public func sink(named name: String) throws(CatalogError) -> SinkRecord? {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("SELECT \(Self.sinkColumns) FROM sinks WHERE name = ?") { statement throws(CatalogError) in
                try statement.bind(name)
                return try statement.step() ? Self.sinkRecord(statement) : nil
            }
        }
    }

    /// Every sink, by name.
    public func sinks() throws(CatalogError) -> [SinkRecord] {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("SELECT \(Self.sinkColumns) FROM sinks ORDER BY name") { statement throws(CatalogError) in
                var sinks: [SinkRecord] = []
                while try statement.step() { sinks.append(Self.sinkRecord(statement)) }
                return sinks
            }
        }
    }

    /// Removes a sink and its file records (the files stay); refused while a job writes into it.
    /// Returns false when there was none.
    public func dropSink(_ name: String) throws(CatalogError) -> Bool {
        try transaction { database throws(CatalogError) in
            let writer = try database.withStatement("SELECT name FROM jobs WHERE output_sink = ? ORDER BY name LIMIT 1") { statement throws(CatalogError) in
                try statement.bind(name)
                return try statement.step() ? statement.string(0) : nil
            }
            if let writer { throw .invalidRecord("job '\(writer)' writes into sink '\(name)'; drop the job first") }
            try database.withStatement("DELETE FROM sink_files WHERE sink = ?") { statement throws(CatalogError) in
                try statement.bind(name)
                try statement.run()
            }
            return try database.withStatement("DELETE FROM sinks WHERE name = ?") { statement throws(CatalogError) in
                try statement.bind(name)
                try statement.run()
                return database.changedRowCount > 0
            }
        }
    }

    /// The files sealed into `sink` (by `job` when given), in the order they were written.
    public func sinkFiles(sink: String, job: String? = nil) throws(CatalogError) -> [SealedSinkFile] {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("""
                SELECT sink, job, path, first_row, row_count, bytes, sealed_at FROM sink_files
                WHERE sink = ?1 AND (?2 IS NULL OR job = ?2) ORDER BY job, first_row
                """) { statement throws(CatalogError) in
                try statement.bind(sink, job)
                var files: [SealedSinkFile] = []
                while try statement.step() {
                    files.append(SealedSinkFile(sink: statement.string(0), job: statement.string(1), path: statement.string(2),
                                                firstRow: statement.int64(3), rowCount: statement.int64(4), bytes: statement.int64(5),
                                                sealedMs: statement.int64(6)))
                }
                return files
            }
        }
    }

    /// Records sealed files (inside a checkpoint's transaction).
    static func insertSealedFiles(_ files: [SealedSinkFile], _ database: SQLiteDatabase) throws(CatalogError) {
        for file in files {
            try database.withStatement("""
                INSERT INTO sink_files (sink, job, path, first_row, row_count, bytes, sealed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                """) { statement throws(CatalogError) in
                try statement.bind(file.sink, file.job, file.path, file.firstRow, file.rowCount, file.bytes, file.sealedMs)
                try statement.run()
            }
        }
    }

    private static func sinkRecord(_ row: SQLiteStatement) -> SinkRecord {
        SinkRecord(name: row.string(0), directory: row.string(1), format: SinkRecord.Format(rawValue: row.string(2)) ?? .jsonl,
                   partition: SinkRecord.Partition(rawValue: row.string(3)) ?? .hour, rollMs: row.int64(4), rollBytes: row.int64(5),
                   createdMs: row.int64(6), definition: row.string(7))
    }
}
