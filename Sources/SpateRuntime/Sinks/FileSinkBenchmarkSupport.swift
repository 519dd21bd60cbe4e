// What `spate-bench sinks` measures through the real FileSinkWriter: rows of
// the reference query's output shape (userId, WINDOW_START, COUNT, AVG, MAX,
// STDDEV) handed to a sink as a job hands them, with a checkpoint (sync of the
// staging file, renames) every `checkpointEvery` rows, to the end (every file
// sealed). Public only for the benchmark executable.

import SpateCatalog
import SpateLog
import SpateSQL

/// The figures of one run.
public struct FileSinkBenchmarkRun: Sendable {
    public var rows: Int
    public var seconds: Double
    public var bytes: Int64
    public var files: Int
}

public enum FileSinkBenchmark {
    /// Writes `rows` rows into a sink of `format` under `directory` (which must exist), one 1-minute window per 500 users.
    public static func run(rows: Int, format: SinkRecord.Format, directory: String, checkpointEvery: Int = 100_000) throws -> FileSinkBenchmarkRun {
        let record = SinkRecord(name: "bench", directory: directory, format: format, partition: .hour, rollMs: 3_600_000,
                                rollBytes: 128 << 20, createdMs: 0, definition: "")
        let columns: [(name: String, type: ValueType)] = [("userId", .string), ("WINDOW_START", .timestamp), ("n", .bigint),
                                                          ("avg_amount", .double), ("top", .double), ("sd", .double)]
        let writer = try FileSinkWriter(configuration: FileSinkConfiguration(record), job: "bench", columns: columns, state: nil, nowMs: { 0 })
        let users = (0..<500).map { "user\($0 + 1)" }
        let t0: Int64 = 1_732_400_000_000
        var bytes: Int64 = 0, files = 0
        let start = monotonicNs()
        for i in 0..<rows {
            let minute = t0 + Int64(i / users.count) * 60_000
            let n = Int64(1 + i % 17)
            let row = EmittedRow(values: [.string(users[i % users.count]), .timestamp(minute), .bigint(n), .double(Double(i % 60_000) / 100),
                                          .double(Double(i % 600)), .double(Double(i % 97) / 7)],
                                 windowStartMs: minute, windowEndMs: minute + 60_000, key: nil)
            try writer.add(row, rowNumber: Int64(i))
            if (i + 1) % checkpointEvery == 0 {
                let sealed = try writer.prepareCheckpoint().sealed
                try writer.committed()
                bytes += sealed.reduce(0) { $0 + $1.bytes }
                files += sealed.count
            }
        }
        try writer.sealForStop()
        let sealed = try writer.prepareCheckpoint().sealed
        try writer.committed()
        bytes += sealed.reduce(0) { $0 + $1.bytes }
        files += sealed.count
        return FileSinkBenchmarkRun(rows: rows, seconds: Double(monotonicNs() - start) / 1e9, bytes: bytes, files: files)
    }
}
