// A checkpoint's result rows go into job_results 32 to a statement and the rest
// one by one (Catalog.insertResults): every row once, in order, with its
// window (or NULL), whatever the count.

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
