// A job holds its result rows in pages: it starts a new page once one has
// reached ResultPage.bytesMax (a page is at most that plus its last row), so
// that no page nears SQLite's 1 GB limit on a value and a reader of
// job_results holds one page at a time. One checkpoint commits all its pages; their rows are numbered on
// across them, in order. What a job holds for its next checkpoint is bounded
// in bytes as well as in rows.

import Foundation
import SpateCatalog
@testable import SpateRuntime
import SpateSQL
import Testing

@Suite struct ResultPagesTests {
    @Test func rowsPastAPagesLimitGoToTheNextPageAndCommitTogether() throws {
        let output = try JobOutput(job: "j", kind: .results, columnNames: ["i", "s"], stream: nil, keyColumn: nil,
                                   recordsOut: 0, checkpointed: nil, nowMs: { 7 })
        let big = String(repeating: "x", count: 1 << 20)  // 1 MiB a row
        let huge = String(repeating: "y", count: 20 << 20)  // 20 MiB: row 20
        let rows = RowArena(width: 2, encoding: .values(keepsKeys: false))
        for i in 0..<40 {
            let text: String = i == 20 ? huge : big
            let values: [Value] = [.bigint(Int64(i)), .string(text)]
            rows.append(EmittedRow(values: values, windowStartMs: Int64(i) * 60_000, windowEndMs: Int64(i + 1) * 60_000, key: nil))
        }
        try output.add(StepRows(byWorker: [rows]))
        let pages = output.pendingResults
        // 16 rows of 1 MiB fill a page; row 20 (20 MiB) ends the second page,
        // which is full after it.
        #expect(pages.map(\.rowCount) == [16, 5, 16, 3])
        let fullBeforeLast = pages.dropLast().allSatisfy { $0.isFull }
        #expect(fullBeforeLast)
        #expect(pages[0].byteCount < ResultPage.bytesMax + (1 << 20) + 100 && pages[1].byteCount < 4 * (1 << 20) + (20 << 20) + 500)
        #expect(output.pendingRowCount == 40)

        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        try catalog.createJob(JobRecord(name: "j", definition: "CREATE JOB j AS SELECT 1", outputKind: .results, createdMs: 1, updatedMs: 1))
        #expect(try catalog.acquireLease(job: "j", owner: "me", nowMs: 1, durationMs: 60_000))
        let checkpoint = CheckpointData(recordsIn: 40, recordsOut: 40, inputOffsets: [], outputOffsets: [], operatorStates: [:])
        #expect(try catalog.commitCheckpoint(job: "j", owner: "me", nowMs: 2, leaseDurationMs: 60_000, checkpoint: checkpoint,
                                             alerts: [], results: pages))
        let read = try catalog.query(sql: """
            SELECT id, window_start, json_extract(row_json, '$.i'), length(json_extract(row_json, '$.s')), created_at FROM job_results ORDER BY id
            """).rows.map(Array.init)
        var expected: [[CatalogValue]] = []
        for i in 0..<40 {
            let length: Int64 = i == 20 ? 20 << 20 : 1 << 20
            let row: [CatalogValue] = [.integer(Int64(i + 1)), .integer(Int64(i) * 60_000), .integer(Int64(i)), .integer(length), .integer(7)]
            expected.append(row)
        }
        #expect(read == expected)
        #expect(try catalog.query(sql: "SELECT COUNT(*) FROM job_result_pages").rows.first?.first == .integer(4))

        output.committed()
        #expect(output.pendingResults.count == 1 && output.pendingResults[0].isEmpty && output.pendingRowCount == 0)
    }

    /// Rows held for a checkpoint are bounded in bytes as well as in rows
    /// (JobOutput.pendingResultBytesMax): 40 rows of 1 MiB call for a
    /// checkpoint once 16 MiB are held, long before 16,384 rows.
    @Test func resultBytesHeldCallForACheckpoint() throws {
        let output = try JobOutput(job: "j", kind: .results, columnNames: ["s"], stream: nil, keyColumn: nil,
                                   recordsOut: 0, checkpointed: nil, nowMs: { 7 })
        let big = String(repeating: "x", count: 1 << 20)
        var fullAt: Int?
        for i in 0..<40 where fullAt == nil {
            let rows = RowArena(width: 1, encoding: .values(keepsKeys: false))
            rows.append(EmittedRow(values: [.string(big)], windowStartMs: nil, windowEndMs: nil, key: nil))
            try output.add(StepRows(byWorker: [rows]))
            if output.isFull(adding: 0) { fullAt = i + 1 }
        }
        #expect(fullAt == 16, "full at the 16th MiB, not at a row count")
        #expect(output.pendingResultBytes >= JobOutput.pendingResultBytesMax && output.pendingRowCount < JobOutput.pendingRowsMax)
        output.committed()
        #expect(!output.isFull(adding: 0) && output.pendingResultBytes == 2, "an empty page is `[]`")
        #expect(output.isFull(adding: JobOutput.pendingRowsMax), "and in rows, those the step brings counted")
    }
}
