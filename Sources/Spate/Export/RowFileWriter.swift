// Writes a result's rows to a file, for COPY … TO: JSON lines (one object a
// row, the column names as keys, as a job's results are written), CSV
// (CSVText: RFC 4180 with a header row) or Parquet (SpateParquet: one typed
// column per result column, row groups written as they fill).
//
// The rows go to `<path>.tmp-<pid>` through a 1 MiB buffer; `commit` fsyncs
// it, renames it over `path` and fsyncs the directory, so the file is there
// whole or not at all (`discard` removes the temporary file). It is a
// ResultSink, so the query runs exactly as a SELECT does; every 200 ms it
// reports its rows and bytes, which a terminal shows as a progress line.

import SpateLog
import SpateParquet
import SpateRuntime
import SpateSQL

#if canImport(Glibc)
import Glibc
#endif

/// A ResultSink that writes the rows to a file.
final class RowFileWriter: ResultSink {
    let path: String
    let format: CopyFormat
    private let temporaryPath: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var members = JSONText.Members(names: [])
    private var parquet: ParquetWriter?
    private var parquetRow: [ParquetValue] = []
    private(set) var rowCount = 0
    private(set) var bytesWritten = 0
    private(set) var summary = QuerySummary()
    /// The first write error (the rest of the rows are then dropped).
    private(set) var failure: String?
    private static let bufferBytesMax = 1 << 20

    /// Opens the temporary file next to `path`.
    /// Told "COPY: N rows, B bytes" at most every 200 ms (a terminal shows it).
    private let progress: (String) -> Void
    private var lastProgressNs = monotonicNs()

    init(path: String, format: CopyFormat, progress: @escaping (String) -> Void = { _ in }) throws(SpateError) {
        self.progress = progress
        self.path = path
        self.format = format
        temporaryPath = path + ".tmp-\(getpid())"
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw .io("cannot write '\(path)': \(String(cString: strerror(errno))); check that its directory exists and is writable")
        }
        buffer.reserveCapacity(Self.bufferBytesMax + 4096)
    }

    deinit { close(fd) }

    func begin(columns: [ResultColumn]) {
        members = JSONText.Members(names: columns.map(\.name))
        if format == .parquet {
            do {
                parquet = try ParquetWriter(columns: columns.map { ParquetColumn(name: $0.name, type: $0.type.parquetType) }) { [unowned self] bytes in
                    buffer.append(contentsOf: bytes)
                    if buffer.count >= Self.bufferBytesMax { flush() }
                }
            } catch {
                failure = "\(error)"
            }
        }
        if format == .csv {
            append(CSVText.header(columns.map(\.name)))
        }
    }

    func row(_ values: [Value]) {
        rowCount += 1
        if rowCount & 1023 == 0, monotonicNs() - lastProgressNs > 200_000_000 {
            progress("COPY to '\(path)': \(rowCount) rows, \(bytesWritten + buffer.count) bytes")
            lastProgressNs = monotonicNs()
        }
        switch format {
        case .csv: appendBytes { CSVText.appendRow(values, to: &$0) }
        case .parquet:
            guard let parquet, failure == nil else { return }
            parquetRow.removeAll(keepingCapacity: true)
            for value in values { parquetRow.append(value.parquetValue) }
            do { try parquet.append(row: parquetRow) } catch { failure = "\(error)" }
        default:
            appendBytes {
                JSONText.appendObject(members: members, values: values, to: &$0)
                $0.append(UInt8(ascii: "\n"))
            }
        }
    }

    func end(_ summary: QuerySummary) { self.summary = summary }

    func message(_ text: String) {}

    /// Makes the file durable under its name; throws the first write error.
    func commit() throws(SpateError) {
        if let parquet, failure == nil {
            do { try parquet.finish() } catch { failure = "\(error)" }
        }
        flush()
        if failure == nil && fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        if failure == nil && rename(temporaryPath, path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            discard()
            throw .io("writing '\(path)': \(failure)")
        }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    /// Removes the temporary file (a failed or cancelled COPY leaves nothing).
    func discard() {
        unlink(temporaryPath)
    }

    private func append(_ text: String) {
        appendBytes { $0.append(contentsOf: text.utf8) }
    }

    /// Lets `write` append to the buffer in place (a row's text, no String on the way).
    private func appendBytes(_ write: (inout [UInt8]) -> Void) {
        guard failure == nil else { return }
        write(&buffer)
        if buffer.count >= Self.bufferBytesMax { flush() }
    }

    private func flush() {
        guard failure == nil, !buffer.isEmpty else { return }
        var written = 0
        while written < buffer.count {
            let n = buffer[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
                return
            }
            written += n
        }
        bytesWritten += written
        buffer.removeAll(keepingCapacity: true)
    }
}
