// A job's output rows written into a file sink (CREATE SINK … TO FILES), the
// Firehose-to-S3 analogue, exactly once across crashes.
//
// Layout. A row belongs to a bucket: its window's start (the time of the
// processing for a row without a window) cut to the sink's roll period. Rows
// of one bucket go to one file, under the partition directory of the
// bucket's start (<dir>/YYYY/MM/DD/HH/, or …/DD/ by day, UTC), named after
// the job and the job's output row number of the file's first row:
// `<job>-000000000042.jsonl`. A file is sealed when a row of another bucket
// comes, when it reaches the sink's size, and when the job stops — so what
// decides a file's rows is the rows themselves, not when checkpoints happen:
// a job that crashes and resumes writes the same files as one that did not.
// So that a quiet stream's last rows become visible, a file no row came for
// in a minute (or its roll period, if shorter) of wall time is sealed too; a
// later row of its bucket starts another file.
//
// Exactly once. Until sealed, a file is a hidden staging file next to its
// final name (`.<name>.inprogress`; for Parquet, `.<name>.rows` of encoded
// rows, turned into Parquet when sealed, then `.<name>.sealing`). A
// checkpoint fsyncs the staging file and saves, in the same transaction as
// the input offsets, its name and length and the files sealed since the last
// checkpoint (also recorded in `sink_files`); only after the commit are those
// files renamed to their final names (and the directory fsynced). A
// restarted job therefore (1) finishes the renames of its last checkpoint's
// files, (2) cuts its staging file back to the checkpointed length and
// appends from there, and (3) recomputes the rows after the checkpoint from
// the checkpointed input offsets, into the same files by the same rules.
// Staging files written after the checkpoint are truncated when their name
// comes again. A sealed file is never written twice: a row is in exactly
// one sealed file, once.
//
// Limits: one file open at a time; a file holds at most `rollBytes` bytes
// (plus one row) before it is sealed.

import SpateCatalog
import SpateLog
import SpateParquet
import SpateSQL

#if canImport(Glibc)
import Glibc
#endif

/// Where and how a sink's files are written (a catalog SinkRecord, resolved).
public struct FileSinkConfiguration: Sendable {
    public var sink: String
    /// Absolute.
    public var directory: String
    public var format: SinkRecord.Format
    public var partition: SinkRecord.Partition
    public var rollMs: Int64
    public var rollBytes: Int64

    public init(_ record: SinkRecord) {
        sink = record.name
        directory = record.directory
        format = record.format
        partition = record.partition
        rollMs = record.rollMs
        rollBytes = record.rollBytes
    }

    /// The file name extension of the format (its catalog name: jsonl, csv, parquet).
    var fileExtension: String { format.rawValue }
}

/// What went wrong writing a sink's files: one line.
public struct FileSinkError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Writes a job's rows into a file sink; see the top of the file.
final class FileSinkWriter {
    let configuration: FileSinkConfiguration
    let job: String
    private let columns: [(name: String, type: ValueType)]
    private let members: JSONText.Members
    private let nowMs: () -> Int64

    /// The file being filled.
    private struct OpenFile {
        /// Relative to the sink's directory.
        var directory: String
        var firstRow: Int64
        var rows: Int64
        /// Bytes in the staging file, written or buffered.
        var bytes: Int64
        var bucket: Int64
        var lastRowWallMs: Int64
    }

    /// A file sealed but not yet under its final name.
    private struct SealedFile {
        var temporary: String
        var final: String
        /// A Parquet file's staging rows, removed once the file has its name
        /// (until then a crash may resume the staging file).
        var staging: String?
        var firstRow: Int64
        var rows: Int64
        var bytes: Int64
        var sealedMs: Int64
    }

    private var open: OpenFile?
    private var fd: Int32 = -1
    /// Bytes of `fd`'s file on disk.
    private var written: Int64 = 0
    private var buffer: [UInt8] = []
    private var sealedSinceCheckpoint: [SealedFile] = []
    private static let bufferBytesMax = 256 << 10
    /// A file no row came for in this long (or its roll period, if shorter) is sealed at the next checkpoint.
    static let idleSealMs: Int64 = 60_000
    static let stateVersion: UInt8 = 1

    /// A writer for `job`'s rows of `columns` into the sink; `state` is what
    /// its last checkpoint saved (`checkpointState`), nil for a new job.
    init(configuration: FileSinkConfiguration, job: String, columns: [(name: String, type: ValueType)], state: [UInt8]?,
         nowMs: @escaping () -> Int64) throws(FileSinkError) {
        self.configuration = configuration
        self.job = job
        self.columns = columns
        members = JSONText.Members(names: columns.map(\.name))
        self.nowMs = nowMs
        guard Self.isDirectory(configuration.directory) || mkdir(configuration.directory, 0o755) == 0 else {
            throw FileSinkError("sink '\(configuration.sink)': cannot use directory '\(configuration.directory)': \(Self.lastError)")
        }
        if let state { try recover(state) }
    }

    deinit { if fd >= 0 { close(fd) } }

    // MARK: Rows

    /// Takes one row: the job's output row number `rowNumber`, in `row.windowStartMs`'s bucket.
    func add(_ row: EmittedRow, rowNumber: Int64) throws(FileSinkError) {
        try add(row.values[...], windowStartMs: row.windowStartMs, rowNumber: rowNumber)
    }

    /// Takes one row of `values`: the job's output row number `rowNumber`, in
    /// `windowStartMs`'s bucket (the time now without a window).
    func add(_ values: ArraySlice<Value>, windowStartMs: Int64?, rowNumber: Int64) throws(FileSinkError) {
        let time = windowStartMs ?? nowMs()
        let bucket = Self.floorDivision(time, configuration.rollMs)
        if let open, open.bucket != bucket || open.bytes >= configuration.rollBytes { try seal() }
        if open == nil { try openFile(bucket: bucket, firstRow: rowNumber) }
        let before = buffer.count
        switch configuration.format {
        case .jsonl:
            JSONText.appendObject(members: members, values: values, to: &buffer)
            buffer.append(UInt8(ascii: "\n"))
        case .csv:
            CSVText.appendRow(values, to: &buffer)
        case .parquet:
            var encoded = StateWriter()
            for value in values { writeValue(value, to: &encoded) }
            buffer.append(contentsOf: encoded.bytes)
        }
        open!.rows += 1
        open!.bytes += Int64(buffer.count - before)
        open!.lastRowWallMs = wallClockMs()
        if buffer.count >= Self.bufferBytesMax { try flush() }
    }

    // MARK: Checkpoints

    /// Before a checkpoint: seals a file idle for a roll period, makes the
    /// staging file durable, and returns the state to save and the files
    /// sealed since the last checkpoint (for `sink_files`).
    func prepareCheckpoint() throws(FileSinkError) -> (state: [UInt8], sealed: [SealedSinkFile]) {
        if let open, open.rows > 0, wallClockMs() - open.lastRowWallMs >= min(configuration.rollMs, Self.idleSealMs) { try seal() }
        try flush()
        if fd >= 0 && fsync(fd) != 0 { throw failure("cannot sync the staging file") }
        var writer = StateWriter()
        writer.write(Self.stateVersion)
        writer.write(open != nil)
        if let open {
            writer.write(open.directory)
            writer.write(open.firstRow)
            writer.write(open.rows)
            writer.write(open.bytes)
            writer.write(open.bucket)
        }
        writer.write(UInt32(sealedSinceCheckpoint.count))
        for file in sealedSinceCheckpoint {
            writer.write(file.temporary)
            writer.write(file.final)
            writer.write(file.staging ?? "")
        }
        let records = sealedSinceCheckpoint.map {
            SealedSinkFile(sink: configuration.sink, job: job, path: $0.final, firstRow: $0.firstRow, rowCount: $0.rows,
                           bytes: $0.bytes, sealedMs: $0.sealedMs)
        }
        return (writer.bytes, records)
    }

    /// After the checkpoint committed: the files it recorded take their names.
    func committed() throws(FileSinkError) {
        try rename(sealedSinceCheckpoint.map { ($0.temporary, $0.final, $0.staging) })
        sealedSinceCheckpoint.removeAll()
    }

    /// The job stops: the open file is sealed (the next checkpoint records it).
    func sealForStop() throws(FileSinkError) {
        if let open, open.rows > 0 { try seal() }
    }

    // MARK: Files

    private func openFile(bucket: Int64, firstRow: Int64) throws(FileSinkError) {
        let directory = partitionDirectory(bucketStart: bucket * configuration.rollMs)
        try makeDirectories(directory)
        open = OpenFile(directory: directory, firstRow: firstRow, rows: 0, bytes: 0, bucket: bucket, lastRowWallMs: wallClockMs())
        let path = absolute(stagingName(open!))
        fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { open = nil; throw failure("cannot create '\(path)'") }
        written = 0
        if configuration.format == .csv {
            let header = CSVText.header(columns.map(\.name))
            buffer.append(contentsOf: header.utf8)
            open!.bytes = Int64(header.utf8.count)
        }
    }

    /// Finishes the open file under its temporary sealed name (fsynced); renamed at the next commit.
    private func seal() throws(FileSinkError) {
        guard let file = open else { return }
        try flush()
        let staging = absolute(stagingName(file))
        let final = finalName(file)
        var temporary = stagingName(file)
        var bytes = file.bytes
        if configuration.format == .parquet {
            temporary = (file.directory.isEmpty ? "" : file.directory + "/") + "." + baseName(file) + ".sealing"
            close(fd)
            fd = -1
            bytes = try writeParquet(from: staging, rows: file.rows, to: absolute(temporary))
        } else {
            if fsync(fd) != 0 { throw failure("cannot sync '\(staging)'") }
            close(fd)
            fd = -1
        }
        if file.rows > 0 {
            sealedSinceCheckpoint.append(SealedFile(temporary: temporary, final: final,
                                                    staging: configuration.format == .parquet ? stagingName(file) : nil,
                                                    firstRow: file.firstRow, rows: file.rows, bytes: bytes, sealedMs: nowMs()))
        } else {
            unlink(absolute(temporary))
        }
        open = nil
    }

    /// Reads the encoded rows of a Parquet sink's staging file and writes them as Parquet to `path`; returns its size.
    private func writeParquet(from staging: String, rows: Int64, to path: String) throws(FileSinkError) -> Int64 {
        let bytes = try readFile(staging)
        let out = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard out >= 0 else { throw failure("cannot create '\(path)'") }
        defer { close(out) }
        var pending: [UInt8] = []
        pending.reserveCapacity(1 << 20)
        var size: Int64 = 0
        func drain() throws {
            try pending.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let n = Glibc.write(out, bytes.baseAddress! + offset, bytes.count - offset)
                    if n < 0 { if errno == EINTR { continue }; throw FileSinkError("cannot write '\(path)': \(Self.lastError)") }
                    offset += n
                }
            }
            size += Int64(pending.count)
            pending.removeAll(keepingCapacity: true)
        }
        do {
            let writer = try ParquetWriter(columns: columns.map { ParquetColumn(name: $0.name, type: $0.type.parquetType) }) { chunk in
                pending.append(contentsOf: chunk)
                if pending.count >= 1 << 20 { try drain() }
            }
            var reader = StateReader(bytes)
            var row: [ParquetValue] = []
            row.reserveCapacity(columns.count)
            for _ in 0..<rows {
                row.removeAll(keepingCapacity: true)
                for _ in columns { row.append(try readValue(from: &reader).parquetValue) }
                try writer.append(row: row)
            }
            try writer.finish()
            try drain()
        } catch let error as FileSinkError {
            throw error
        } catch {
            throw FileSinkError("sink '\(configuration.sink)': cannot write Parquet file '\(path)': \(error)")
        }
        guard fsync(out) == 0 else { throw failure("cannot sync '\(path)'") }
        return size
    }

    /// Writes the buffered bytes to the staging file.
    private func flush() throws(FileSinkError) {
        guard !buffer.isEmpty else { return }
        precondition(fd >= 0, "bytes are buffered only for an open file")
        let failed: Bool = buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = pwrite(fd, bytes.baseAddress! + offset, bytes.count - offset, off_t(written) + off_t(offset))
                if n < 0 { if errno == EINTR { continue }; return true }
                offset += n
            }
            return false
        }
        if failed { throw failure("cannot write the staging file") }
        written += Int64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    // MARK: Recovery

    /// Restores what a checkpoint saved: finishes its renames, cuts the
    /// staging file back to the checkpointed length and reopens it.
    private func recover(_ state: [UInt8]) throws(FileSinkError) {
        var reader = StateReader(state)
        var restored: OpenFile?
        var renames: [(String, String, String?)] = []
        do throws(StateError) {
            try reader.expectVersion(Self.stateVersion, of: "file sink")
            if try reader.readBool() {
                restored = OpenFile(directory: try reader.readString(), firstRow: try reader.readInt64(), rows: try reader.readInt64(),
                                    bytes: try reader.readInt64(), bucket: try reader.readInt64(), lastRowWallMs: wallClockMs())
            }
            for _ in 0..<(try reader.readUInt32()) {
                let temporary = try reader.readString(), final = try reader.readString(), staging = try reader.readString()
                renames.append((temporary, final, staging.isEmpty ? nil : staging))
            }
        } catch {
            throw FileSinkError("sink '\(configuration.sink)': the job's checkpoint of its files does not read back: \(error)")
        }
        try rename(renames)
        guard let restored else { return }
        let path = absolute(stagingName(restored))
        fd = Glibc.open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw failure("the staging file '\(path)' of the job's last checkpoint is gone, so its \(restored.rows) rows cannot be written exactly once; recreate the job")
        }
        guard ftruncate(fd, off_t(restored.bytes)) == 0 else { throw failure("cannot cut '\(path)' back to its checkpointed length") }
        written = restored.bytes
        open = restored
    }

    /// Renames sealed files to their final names (skipping those already
    /// renamed), syncs their directories, then removes Parquet staging rows.
    private func rename(_ files: [(temporary: String, final: String, staging: String?)]) throws(FileSinkError) {
        var directories: [String] = []
        for (temporary, final, _) in files {
            let from = absolute(temporary), to = absolute(final)
            if access(to, F_OK) == 0 && access(from, F_OK) != 0 { continue }
            guard Glibc.rename(from, to) == 0 else { throw failure("cannot rename '\(from)' to '\(to)'") }
            let directory = String(to[..<(to.lastIndex(of: "/") ?? to.endIndex)])
            if !directories.contains(directory) { directories.append(directory) }
        }
        for directory in directories { syncDirectory(directory) }
        for case let (_, _, staging?) in files { unlink(absolute(staging)) }
    }

    // MARK: Names

    /// `<job>-<first row, 12 digits>.<ext>`.
    private func baseName(_ file: OpenFile) -> String {
        let digits = String(file.firstRow)
        return job + "-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits + "." + configuration.fileExtension
    }

    private func finalName(_ file: OpenFile) -> String {
        (file.directory.isEmpty ? "" : file.directory + "/") + baseName(file)
    }

    private func stagingName(_ file: OpenFile) -> String {
        (file.directory.isEmpty ? "" : file.directory + "/") + "." + baseName(file) + (configuration.format == .parquet ? ".rows" : ".inprogress")
    }

    /// `YYYY/MM/DD/HH` (or `YYYY/MM/DD`) of a time, in UTC.
    private func partitionDirectory(bucketStart: Int64) -> String {
        let text = Array(UTCTimestamp.format(bucketStart).utf8)  // 2026-11-26T14:05:09.250Z
        let day = String(decoding: text[0..<4], as: UTF8.self) + "/" + String(decoding: text[5..<7], as: UTF8.self) + "/"
            + String(decoding: text[8..<10], as: UTF8.self)
        return configuration.partition == .day ? day : day + "/" + String(decoding: text[11..<13], as: UTF8.self)
    }

    private func absolute(_ relative: String) -> String { configuration.directory + "/" + relative }

    // MARK: System helpers

    private func makeDirectories(_ relative: String) throws(FileSinkError) {
        var path = configuration.directory
        for part in relative.split(separator: "/") {
            path += "/" + part
            if mkdir(path, 0o755) != 0 && errno != EEXIST { throw failure("cannot create directory '\(path)'") }
        }
    }

    private func readFile(_ path: String) throws(FileSinkError) -> [UInt8] {
        let input = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw failure("cannot read '\(path)'") }
        defer { close(input) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(input, $0.baseAddress!, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw failure("cannot read '\(path)'") }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    private func syncDirectory(_ path: String) {
        let directory = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { return }
        fsync(directory)
        close(directory)
    }

    private func failure(_ what: String) -> FileSinkError {
        FileSinkError("sink '\(configuration.sink)': \(what): \(Self.lastError)")
    }

    private static var lastError: String { String(cString: strerror(errno)) }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    private static func floorDivision(_ a: Int64, _ b: Int64) -> Int64 {
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        return r < 0 ? q - 1 : q
    }
}
