// Bulk ingest of JSON lines (`spate put`): one JSON object a line becomes one
// record, stored byte for byte as given (without its line ending). The partition
// key is the value of one top-level field, found by the byte-level JSON scanner:
// the one given (`--key`), else the stream's declared key column
// (`Database.jsonLinesIngester`); only a stream with neither spreads records
// round-robin over the shards.
//
// A line that is not a JSON object, lacks the key field, has a key that is not a
// string or number, or is over the 1 MiB record limit is rejected with its line
// number and skipped. In strict mode the whole input is checked first and
// nothing is written if any line is bad.
//
// Throughput: lines are read in 4 MiB chunks, batched 8,192 at a time, and up to
// four batches are in flight (written, fsync pending), so parsing and writing
// overlap the group-commit fsync.
//
// Partial failure (a full disk, a write or fsync error): batches are made from
// consecutive input lines and settled (known durable) in input order, so "every
// line up to L is durable in all shards" is well-defined: L is the last line of
// the last settled batch. The batch that failed and the ones in flight after it
// are taken back from the shards they reached (`LogStream.retract`), so that
// `--skip-lines L` (`IngestOptions.skipLines`) resumes without duplicates; the
// report says per shard what was kept and what, if anything, could not be
// taken back (another writer appended after it).

import SpateJSON
import SpateLog

#if canImport(Glibc)
import Glibc
#endif

/// How to ingest.
public struct IngestOptions: Sendable {
    /// Top-level field whose value is the partition key (nil: round-robin).
    public var keyField: String?
    /// True when `keyField` is the stream's declared key, not one given (for the message of a line without it).
    public var keyFieldIsDeclared = false
    /// Check every line before writing any.
    public var strict = false
    /// Records per append call.
    public var batchRecordsMax = 8192
    /// Appends written but not yet acknowledged.
    public var inFlightBatchesMax = 4
    /// Rejections kept with their line number and reason (all are counted).
    public var rejectionsKeptMax = 1000
    /// Input lines to skip unread (a resume after a partial failure).
    public var skipLines = 0

    public init(keyField: String? = nil, strict: Bool = false) {
        self.keyField = keyField
        self.strict = strict
    }
}

/// A line that was not ingested.
public struct IngestRejection: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String
    public var description: String { "line \(line): \(reason)" }
}

/// What an ingest did.
public struct IngestReport: Sendable {
    public var appended = 0
    public var rejected = 0
    /// The first `rejectionsKeptMax` rejections.
    public var rejections: [IngestRejection] = []
    public var bytesRead = 0
    /// True when strict mode found bad lines and wrote nothing.
    public var abortedByStrictMode = false
    /// Records appended and durable, per shard.
    public var appendedPerShard: [Int] = []
    /// Every input line up to this one is durable in all shards (or was
    /// rejected, or skipped); resume with `skipLines` set to it.
    public var lastLineDurable = 0
    /// Why the ingest stopped before the end of its input (nil: it did not).
    public var failure: SpateError?
    /// Per shard, records after `lastLineDurable` that were written but could
    /// not be taken back (a resume would repeat them); zeros normally.
    public var recordsNotTakenBack: [Int] = []
}

/// Progress of a running ingest, for a progress line.
public struct IngestProgress: Sendable {
    public var linesRead: Int
    public var bytesRead: Int
    public var appended: Int
    public var rejected: Int
}

/// Reads JSON lines from a file descriptor into a stream.
public final class JSONLinesIngester {
    private let stream: LogStream
    private let options: IngestOptions
    private let scanner: JSONScanner?
    private var values: JSONFieldValues
    private var keyBuffer: [UInt8] = []

    public init(stream: LogStream, options: IngestOptions) throws(SpateError) {
        self.stream = stream
        self.options = options
        if let field = options.keyField {
            do {
                let paths = try JSONPathSet([field])
                scanner = JSONScanner(paths: paths)
                values = JSONFieldValues(for: paths)
            } catch {
                throw .invalidArgument("invalid key field '\(field)': \(error)")
            }
        } else {
            scanner = nil
            values = JSONFieldValues(pathCount: 0)
        }
    }

    /// Ingests everything readable from `fd`.
    public func ingest(fd: Int32, progress: ((IngestProgress) -> Void)? = nil) throws(SpateError) -> IngestReport {
        if options.strict {
            let input = try SeekableInput(fd: fd)
            var check = IngestReport()
            try forEachLine(input.fd, progress: nil) { line, number in
                if let reason = self.reject(line) { self.note(&check, IngestRejection(line: number, reason: reason)) }
                return true
            }
            if check.rejected > 0 {
                check.abortedByStrictMode = true
                return check
            }
            try input.rewind()
            return try append(from: input.fd, progress: progress)
        }
        return try append(from: fd, progress: progress)
    }

    private func append(from fd: Int32, progress: ((IngestProgress) -> Void)?) throws(SpateError) -> IngestReport {
        var report = IngestReport()
        report.appendedPerShard = Array(repeating: 0, count: stream.shards.count)
        report.recordsNotTakenBack = report.appendedPerShard
        report.lastLineDurable = options.skipLines
        var batch = AppendBatch()
        var batchLastLine = 0
        var inFlight: [(append: PendingStreamAppend, count: Int, lastLine: Int)] = []
        var failure: SpateError?
        func flush() -> Bool {
            guard !batch.isEmpty else { return true }
            do throws(LogError) {
                inFlight.append((try stream.appendWithoutWaiting(batch), batch.count, batchLastLine))
                batch.removeAll()
                while inFlight.count > options.inFlightBatchesMax { try settleOldest() }
                return true
            } catch {
                failure = .log(error)
                return false
            }
        }
        func settleOldest() throws(LogError) {
            let oldest = inFlight[0]
            _ = try stream.waitDurable(oldest.append)
            inFlight.removeFirst()
            report.appended += oldest.count
            for (shard, n) in oldest.append.recordsPerShard.enumerated() { report.appendedPerShard[shard] += n }
            report.lastLineDurable = oldest.lastLine
        }
        var lastLine = 0
        do throws(SpateError) {
            report.bytesRead = try forEachLine(fd, progress: { lines, bytes in
                progress?(IngestProgress(linesRead: lines, bytesRead: bytes, appended: report.appended, rejected: report.rejected))
            }) { line, number in
                lastLine = number
                if number <= self.options.skipLines { return true }
                if let reason = self.reject(line) {
                    self.note(&report, IngestRejection(line: number, reason: reason))
                    return true
                }
                do throws(LogError) {
                    try withBytes(self.keyBuffer) { (key) throws(LogError) in try batch.append(key: key, payload: line) }
                } catch {
                    self.note(&report, IngestRejection(line: number, reason: error.description))
                    return true
                }
                batchLastLine = number
                return batch.count < self.options.batchRecordsMax || flush()
            }
        } catch {
            failure = error
        }
        if failure == nil { _ = flush() }
        // Settle in order (the batches before a failed write are whole); from
        // the first batch whose durability fails on, take back what was written.
        var settling = true
        while !inFlight.isEmpty {
            if settling {
                do throws(LogError) { try settleOldest(); continue } catch {
                    settling = false
                    failure = failure ?? .log(error)
                }
            }
            let taken = inFlight.removeLast()
            for (shard, n) in stream.retract(taken.append).enumerated() { report.recordsNotTakenBack[shard] += n }
        }
        if let failure {
            report.failure = failure
        } else {
            report.lastLineDurable = max(lastLine, options.skipLines)
        }
        return report
    }

    private func note(_ report: inout IngestReport, _ rejection: IngestRejection) {
        report.rejected += 1
        if report.rejections.count < options.rejectionsKeptMax { report.rejections.append(rejection) }
    }

    /// Why `line` cannot be a record, or nil when it can (its key then in `keyBuffer`).
    private func reject(_ line: UnsafeRawBufferPointer) -> String? {
        keyBuffer.removeAll(keepingCapacity: true)
        if line.count > RecordFrame.recordBytesMax {
            return "record of \(line.count) bytes is over the limit of \(RecordFrame.recordBytesMax) bytes (1 MiB)"
        }
        guard let scanner, let field = options.keyField else {
            if let error = JSONScanner.validate(line) { return error.description }
            guard line.first(where: { $0 != 0x20 && $0 != 0x09 }) == UInt8(ascii: "{") else { return "not a JSON object" }
            return nil
        }
        if let error = scanner.scan(line, into: &values) { return error.description }
        let value = values[0]
        switch value.kind {
        case .missing:
            if options.keyFieldIsDeclared {
                return "no field '\(field)' (the stream's declared key); add it, or give another key field with --key"
            }
            return "no field '\(field)' (the partition key); add it, or choose another with --key"
        case .string:
            if value.hasEscapes {
                do { try JSONString.unescape(value.bytes(in: line), into: &keyBuffer) } catch { return error.description }
            } else {
                keyBuffer.append(contentsOf: value.bytes(in: line))
            }
            if keyBuffer.isEmpty { return "field '\(field)' (the partition key) is an empty string" }
        case .number, .true, .false:
            keyBuffer.append(contentsOf: value.bytes(in: line))
        case .null, .object, .array:
            return "field '\(field)' (the partition key) is \(value.kind); it must be a string or a number"
        }
        if keyBuffer.count > RecordFrame.partitionKeyBytesMax {
            return "partition key of \(keyBuffer.count) bytes is over the limit of \(RecordFrame.partitionKeyBytesMax) bytes"
        }
        return nil
    }

    /// Calls `body` with each non-blank line (without its line ending) and its
    /// 1-based number until `body` returns false; returns bytes read. A line over
    /// the record limit is passed truncated to the limit plus one byte, so that
    /// it is rejected without being held whole in memory.
    @discardableResult
    private func forEachLine(
        _ fd: Int32, progress: ((Int, Int) -> Void)?,
        _ body: (UnsafeRawBufferPointer, Int) -> Bool
    ) throws(SpateError) -> Int {
        let chunkBytes = 4 << 20
        let capacity = chunkBytes + RecordFrame.recordBytesMax + 2
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var filled = 0
        var lineNumber = 0
        var bytesRead = 0
        var skippingOversizedLine = false
        var lastProgressNs = monotonicNs()
        var endOfInput = false
        while !endOfInput {
            let n = read(fd, buffer.baseAddress! + filled, min(chunkBytes, capacity - filled))
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("read input: \(String(cString: strerror(errno)))")
            }
            if n == 0 { endOfInput = true }
            filled += n
            bytesRead += n
            var start = 0
            while start < filled {
                let rest = UnsafeRawBufferPointer(rebasing: buffer[start..<filled])
                let newline = memchr(rest.baseAddress!, 0x0A, rest.count).map { $0 - UnsafeMutableRawPointer(mutating: rest.baseAddress!) }
                guard newline != nil || endOfInput || rest.count > RecordFrame.recordBytesMax else { break }
                let length = newline ?? rest.count
                if skippingOversizedLine {
                    // The rest of a line already rejected.
                    skippingOversizedLine = newline == nil
                    start += newline.map { $0 + 1 } ?? rest.count
                    continue
                }
                lineNumber += 1
                var line = UnsafeRawBufferPointer(rebasing: rest[0..<length])
                if newline == nil && !endOfInput {
                    // Longer than any record can be: reject it, skip the rest.
                    line = UnsafeRawBufferPointer(rebasing: rest[0..<RecordFrame.recordBytesMax + 1])
                    skippingOversizedLine = true
                }
                if line.last == 0x0D { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
                if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                    if !body(line, lineNumber) { return bytesRead }
                }
                start += newline.map { $0 + 1 } ?? rest.count
            }
            // Keep the unfinished line at the front of the buffer.
            if start > 0 {
                filled -= start
                if filled > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + start, filled) }
            }
            if let progress, monotonicNs() - lastProgressNs > 200_000_000 {
                progress(lineNumber, bytesRead)
                lastProgressNs = monotonicNs()
            }
        }
        return bytesRead
    }
}

/// The input of a strict ingest, which is read twice: a regular file is
/// rewound; a pipe is first copied to a temporary file.
private final class SeekableInput {
    let fd: Int32
    private let ownsDescriptor: Bool

    deinit { if ownsDescriptor { close(fd) } }

    init(fd input: Int32) throws(SpateError) {
        var st = stat()
        if fstat(input, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG && lseek(input, 0, SEEK_CUR) >= 0 {
            fd = input
            ownsDescriptor = false
            return
        }
        var template = Array("/tmp/spate-put-XXXXXX".utf8CString)
        let spool = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard spool >= 0 else { throw .io("cannot create a temporary file for --strict: \(String(cString: strerror(errno)))") }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(input, buffer.baseAddress!, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw .io("read input: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            var done = 0
            while done < n {
                let w = write(spool, buffer.baseAddress! + done, n - done)
                guard w > 0 else { throw .io("write temporary file: \(String(cString: strerror(errno)))") }
                done += w
            }
        }
        fd = spool
        ownsDescriptor = true
        try rewind()
    }

    func rewind() throws(SpateError) {
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw .io("cannot rewind input: \(String(cString: strerror(errno)))") }
    }
}
