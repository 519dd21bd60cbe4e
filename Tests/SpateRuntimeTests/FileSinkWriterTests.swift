// FileSinkWriter's exactly-once recovery, step by step, for each format: a
// writer "crashes" (is dropped) at each point between two checkpoints — rows
// taken but not synced, staging synced but the checkpoint not committed, the
// checkpoint committed but its files not yet renamed — and a new writer from
// the last committed state, fed the rows after it again (as a resumed job
// recomputes them), must leave exactly the files of a writer that never
// stopped: same names, same bytes.

import Foundation
@testable import SpateRuntime
import SpateCatalog
import SpateSQL
import Testing

@Suite struct FileSinkWriterTests {
    let columns: [(name: String, type: ValueType)] = [("userId", .string), ("ws", .timestamp), ("n", .bigint), ("total", .double)]
    let t0: Int64 = 1_732_399_980_000

    func configuration(_ directory: String, _ format: SinkRecord.Format) -> FileSinkConfiguration {
        FileSinkConfiguration(SinkRecord(name: "files", directory: directory, format: format, partition: .hour, rollMs: 600_000,
                                         rollBytes: 1 << 20, createdMs: 0, definition: ""))
    }

    /// Row i: one a minute, ten per 10-minute bucket.
    func row(_ i: Int) -> EmittedRow {
        EmittedRow(values: [.string("u\(i % 3)"), .timestamp(t0 + Int64(i) * 60_000), .bigint(Int64(i)), .double(Double(i) / 4)],
                   windowStartMs: t0 + Int64(i) * 60_000, windowEndMs: t0 + Int64(i + 1) * 60_000, key: nil)
    }

    func writer(_ directory: String, _ format: SinkRecord.Format, state: [UInt8]?) throws -> FileSinkWriter {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try FileSinkWriter(configuration: configuration(directory, format), job: "j", columns: columns, state: state, nowMs: { 0 })
    }

    /// Every file under `directory`: relative path → bytes.
    func contents(_ directory: String) -> [String: Data] {
        var files: [String: Data] = [:]
        for case let path as String in FileManager.default.enumerator(atPath: directory)?.allObjects ?? [] {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[path] = FileManager.default.contents(atPath: directory + "/" + path)
            }
        }
        return files
    }

    /// Rows 0..<n through one writer, checkpointing every 7 rows, then stopped.
    func uninterrupted(_ directory: String, _ format: SinkRecord.Format, rows n: Int) throws {
        let w = try writer(directory, format, state: nil)
        for i in 0..<n {
            try w.add(row(i), rowNumber: Int64(i))
            if i % 7 == 6 { _ = try w.prepareCheckpoint(); try w.committed() }
        }
        try w.sealForStop()
        _ = try w.prepareCheckpoint()
        try w.committed()
    }

    enum CrashPoint: CaseIterable { case rowsTaken, stagingSynced, committedNotRenamed }

    @Test(arguments: [SinkRecord.Format.jsonl, .csv, .parquet], CrashPoint.allCases)
    func aWriterResumedFromItsLastCheckpointLeavesTheFilesOfOneThatNeverStopped(format: SinkRecord.Format, crash: CrashPoint) throws {
        let base = NSTemporaryDirectory() + "/spate-sink-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: base) }
        let n = 45
        try uninterrupted(base + "/reference", format, rows: n)
        let reference = contents(base + "/reference")
        #expect(reference.count == 5, "45 minutes of rows in 10-minute files")

        // Crash at row 24 (after a checkpoint at row 20; files of buckets 0 and 1 sealed since).
        let directory = base + "/crashed"
        var w = try writer(directory, format, state: nil)
        var committed: (state: [UInt8], rows: Int) = ([], 0)
        for i in 0..<24 {
            try w.add(row(i), rowNumber: Int64(i))
            if i % 7 == 6 {
                committed = (try w.prepareCheckpoint().state, i + 1)
                try w.committed()
            }
        }
        switch crash {
        case .rowsTaken: break
        case .stagingSynced: _ = try w.prepareCheckpoint()
        case .committedNotRenamed: committed = (try w.prepareCheckpoint().state, 24)
        }
        // The process dies: the writer goes without another call.
        w = try writer(directory, format, state: committed.state)
        for i in committed.rows..<n {
            try w.add(row(i), rowNumber: Int64(i))
            if i % 7 == 6 { _ = try w.prepareCheckpoint(); try w.committed() }
        }
        try w.sealForStop()
        _ = try w.prepareCheckpoint()
        try w.committed()
        let crashed = contents(directory)
        #expect(crashed.keys.sorted() == reference.keys.sorted())
        for (path, bytes) in reference { #expect(crashed[path] == bytes, "\(path)") }
    }
}
