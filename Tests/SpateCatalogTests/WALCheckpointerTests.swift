// The catalog's WAL is checkpointed by a thread of its own, not inside the
// commit that fills it: commits only report the WAL's size, the thread
// checkpoints once it holds WALCheckpointer.bytesPerCheckpoint, and a
// commit checkpoints itself only when the WAL reaches bytesInline. A new catalog
// has 16 KiB pages; an older file keeps its own.

import Foundation
@testable import SpateCatalog
import Testing

@Suite struct WALCheckpointerTests {
    @Test func aNewCatalogHas16KiBPagesAndAnOlderFileKeepsItsOwn() throws {
        let fresh = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: fresh.path)
        #expect(try catalog.withDatabase { database throws(CatalogError) in try database.pageSize } == 16_384)

        let older = TemporaryDirectory()
        do {
            let database = try SQLiteDatabase(path: older.path + "/" + Catalog.fileName, pageSize: 4_096)
            try database.execute("CREATE TABLE made_by_an_older_spate (x INTEGER) STRICT")
        }
        let reopened = try Catalog.open(dataDirectory: older.path)
        #expect(try reopened.withDatabase { database throws(CatalogError) in try database.pageSize } == 4_096)
        #expect(reopened.schemaVersion == CatalogSchema.latestVersion)
    }

    /// The decisions a commit gets as the WAL grows: none below
    /// bytesPerCheckpoint, then a checkpoint asked for every bytesPerPass
    /// until the WAL starts over (and none while one is asked for and not
    /// begun), and an inline one at bytesInline.
    @Test func commitsAskForACheckpointOnceTheWALHoldsAFewMegabytes() throws {
        let dir = TemporaryDirectory()
        _ = try Catalog.open(dataDirectory: dir.path)
        let pageSize = 16_384, threshold = WALCheckpointer.bytesPerCheckpoint / pageSize, pass = WALCheckpointer.bytesPerPass / pageSize
        let checkpointer = WALCheckpointer(path: dir.path + "/" + Catalog.fileName, durability: .normal, busyTimeoutMs: 1_000, pageSize: pageSize)
        defer { checkpointer.stop() }
        #expect(checkpointer.committed(walPages: 3) == .nothing)
        #expect(checkpointer.committed(walPages: threshold - 1) == .nothing)
        #expect(checkpointer.committed(walPages: threshold) == .asked)
        #expect(checkpointer.committed(walPages: threshold + pass - 1) == .nothing)
        // Once the thread has taken the request (it finds nothing to copy in this WAL), a pass later asks again.
        var decision = WALCheckpointer.Decision.nothing
        for _ in 0..<1_000 where decision != .asked {
            usleep(1_000)
            decision = checkpointer.committed(walPages: threshold + pass)
        }
        #expect(decision == .asked)
        for _ in 0..<1_000 where checkpointer.completedCheckpoints < 2 { usleep(1_000) }
        #expect(checkpointer.committed(walPages: 5) == .nothing, "the WAL started over")
        #expect(checkpointer.committed(walPages: threshold) == .asked)
        #expect(checkpointer.lastWALPages == threshold)
        #expect(checkpointer.committed(walPages: WALCheckpointer.bytesInline / pageSize) == .now)
    }

    /// Commits of a megabyte each, none of which checkpoints: the thread
    /// does, the WAL starts over at a commit after it (on an idle machine
    /// the WAL file reached 6.7–7.0 MB of the 24 MB written; with requests
    /// every 4 MiB only it held them all), and every row reads back after
    /// the catalog is opened again.
    @Test func theThreadCheckpointsAndTheWALStartsOver() throws {
        let dir = TemporaryDirectory()
        let rowsPerPage = 4_000, pages = 24  // ~1 MiB of JSON a page, 24 MiB in all
        do {
            let catalog = try Catalog.open(dataDirectory: dir.path)
            try CheckpointResultsTests.start(job: "j", catalog)
            let padding = String(repeating: "x", count: 240)
            for page in 0..<pages {
                let results = (0..<rowsPerPage).map { i in
                    NewResult(windowStartMs: nil, windowEndMs: nil, rowJSON: #"{"i":\#(page * rowsPerPage + i),"pad":"\#(padding)"}"#, createdMs: 1)
                }
                #expect(try CheckpointResultsTests.commit(job: "j", results, catalog))
            }
            // The thread has run (it may still be running the last one asked for).
            var waitedMs = 0
            while catalog.checkpointer.completedCheckpoints == 0 && waitedMs < 10_000 {
                usleep(10_000)
                waitedMs += 10
            }
            #expect(catalog.checkpointer.completedCheckpoints >= 1)
            // Once a checkpoint has copied every frame, the next commit writes the WAL from its start.
            var commits = 0
            repeat {
                #expect(try CheckpointResultsTests.commit(job: "j", [NewResult(windowStartMs: nil, windowEndMs: nil, rowJSON: "{}", createdMs: 1)], catalog))
                commits += 1
                usleep(10_000)
            } while catalog.checkpointer.lastWALPages > 64 && commits < 500
            #expect(catalog.checkpointer.lastWALPages <= 64, "the WAL started over")
        }
        let reopened = try Catalog.open(dataDirectory: dir.path)
        let rows = try reopened.query(sql: "SELECT COUNT(*), SUM(json_extract(row_json, '$.i')) FROM job_results WHERE job = 'j' AND row_json <> '{}'").rows.first.map(Array.init)
        let kept = min(pages * rowsPerPage, Catalog.resultsKeptPerJob + rowsPerPage)
        #expect(rows?.first == .integer(Int64(kept)))
        let first = pages * rowsPerPage - kept, last = pages * rowsPerPage - 1
        #expect(rows?.last == .integer(Int64((first + last) * kept / 2)), "the newest rows, each once")
    }
}
