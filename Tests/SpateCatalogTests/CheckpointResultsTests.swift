// A checkpoint's result rows go into job_results 32 to a statement and the rest
// one by one (Catalog.insertResults): every row once, in order, with its
// window (or NULL), whatever the count. Migration 0012 rebuilds the table
// lighter: the rows and ids of an older catalog survive it, and new ids go on
// above them.

import Foundation
@testable import SpateCatalog
import Testing

@Suite struct CheckpointResultsTests {
    @Test(arguments: [0, 1, 31, 32, 33, 64, 70])
    func everyResultRowIsInsertedOnceInOrder(count: Int) throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        try catalog.createJob(JobRecord(name: "j", definition: "CREATE JOB j AS SELECT 1", outputKind: .results, createdMs: 1, updatedMs: 1))
        #expect(try catalog.acquireLease(job: "j", owner: "me", nowMs: 1, durationMs: 60_000))
        let results = (0..<count).map(Self.result)
        let checkpoint = CheckpointData(recordsIn: Int64(count), recordsOut: Int64(count), inputOffsets: [], outputOffsets: [], operatorStates: [:])
        #expect(try catalog.commitCheckpoint(job: "j", owner: "me", nowMs: 2, leaseDurationMs: 60_000, checkpoint: checkpoint,
                                             alerts: [], results: results))
        let rows = try catalog.query(sql: "SELECT job, window_start, window_end, row_json, created_at FROM job_results ORDER BY id").rows.map(Array.init)
        let expected = results.map(Self.row)
        #expect(rows == expected)
    }

    @Test func lighterTableKeepsOlderRowsAndTheirIds() throws {
        let dir = TemporaryDirectory()
        let before = CatalogSchema.migrations.filter { $0.version < 12 }
        #expect(before.count == 11 && CatalogSchema.migrations.contains { $0.version == 12 })
        // A catalog at version 11 with results of two jobs, ids 1…5 (a trimmed
        // job leaves a gap below, as AUTOINCREMENT did).
        let old = try Catalog.open(dataDirectory: dir.path, migrations: before)
        for (job, count) in [("j", 3), ("k", 2)] {
            try old.createJob(JobRecord(name: job, definition: "CREATE JOB \(job) AS SELECT 1", outputKind: .results, createdMs: 1, updatedMs: 1))
            #expect(try old.acquireLease(job: job, owner: "me", nowMs: 1, durationMs: 60_000))
            let checkpoint = CheckpointData(recordsIn: 1, recordsOut: 1, inputOffsets: [], outputOffsets: [], operatorStates: [:])
            #expect(try old.commitCheckpoint(job: job, owner: "me", nowMs: 2, leaseDurationMs: 60_000, checkpoint: checkpoint,
                                             alerts: [], results: (0..<count).map(Self.result)))
        }
        let rowsBefore = try old.query(sql: "SELECT id, job, window_start, window_end, row_json, created_at FROM job_results ORDER BY id").rows.map(Array.init)
        #expect(rowsBefore.count == 5)
        #expect(try old.query(sql: "SELECT sql FROM sqlite_schema WHERE name = 'job_results'").rows.first.map { "\($0.first!)" }?.contains("json_valid") == true)

        let upgraded = try Catalog.open(dataDirectory: dir.path)
        #expect(upgraded.schemaVersion == CatalogSchema.latestVersion)
        #expect(try upgraded.query(sql: "SELECT id, job, window_start, window_end, row_json, created_at FROM job_results ORDER BY id").rows.map(Array.init) == rowsBefore)
        let schema = try upgraded.query(sql: "SELECT sql FROM sqlite_schema WHERE tbl_name = 'job_results' ORDER BY name").rows.map { "\($0.first!)" }
        #expect(schema.count == 2, "the table and its index: \(schema)")
        #expect(!schema.joined().contains("json_valid") && !schema.joined().contains("AUTOINCREMENT"))
        #expect(try upgraded.query(sql: "SELECT COUNT(*) FROM sqlite_sequence WHERE name = 'job_results'").rows.first?.first == .integer(0))
        // New rows are numbered above the old ones.
        let checkpoint = CheckpointData(recordsIn: 2, recordsOut: 2, inputOffsets: [], outputOffsets: [], operatorStates: [:])
        #expect(try upgraded.commitCheckpoint(job: "j", owner: "me", nowMs: 3, leaseDurationMs: 60_000, checkpoint: checkpoint,
                                              alerts: [], results: [Self.result(7)]))
        let ids = try upgraded.query(sql: "SELECT id FROM job_results ORDER BY id").rows.map { $0.first! }
        #expect(ids == (1...6).map { CatalogValue.integer(Int64($0)) })
    }

    /// The i-th row: every third without a window.
    static func result(_ i: Int) -> NewResult {
        let minute = Int64(i) * 60_000
        let windowed = i % 3 != 0
        return NewResult(windowStartMs: windowed ? minute : nil, windowEndMs: windowed ? minute + 60_000 : nil,
                         rowJSON: "{\"i\":\(i)}", createdMs: 1_000 + Int64(i))
    }

    /// What job_results holds for `result` of job j.
    static func row(_ result: NewResult) -> [CatalogValue] {
        let start: CatalogValue = result.windowStartMs.map { .integer($0) } ?? .null
        let end: CatalogValue = result.windowEndMs.map { .integer($0) } ?? .null
        return [.text("j"), start, end, .text(result.rowJSON), .integer(result.createdMs)]
    }
}
