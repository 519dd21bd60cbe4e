// A checkpoint's result rows go into job_result_pages as one page, and the
// job_results view shows them one row each: every row once, in order, with
// its window (or NULL) and its JSON text unchanged, ids numbered on across
// pages and jobs. The trim keeps a job's newest rows, whole pages at a time.
// Migrations 0012, 0013 and 0014 keep the rows and ids of an older catalog,
// and new ids go on above them.

import Foundation
@testable import SpateCatalog
import Testing

@Suite struct CheckpointResultsTests {
    @Test(arguments: [0, 1, 2, 33, 1_000])
    func everyResultRowIsKeptOnceInOrder(count: Int) throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        try Self.start(job: "j", catalog)
        let results = (0..<count).map(Self.result)
        #expect(try Self.commit(job: "j", results, catalog))
        let rows = try catalog.query(sql: "SELECT job, window_start, window_end, row_json, created_at FROM job_results ORDER BY id").rows.map(Array.init)
        #expect(rows == results.map { Self.row($0) })
        let ids = try catalog.query(sql: "SELECT id FROM job_results ORDER BY id").rows.map { $0.first! }
        #expect(ids == (0..<count).map { CatalogValue.integer(Int64($0) + 1) })
        #expect(try catalog.query(sql: "SELECT COUNT(*) FROM job_result_pages").rows.first?.first == .integer(count == 0 ? 0 : 1),
                "one page a checkpoint, none for a checkpoint without rows")
    }

    /// A page writes the times its rows share once per run of rows
    /// (schema/0014): a new run begins whenever the window, the creation time
    /// or both change, with or without a window, and each row still reads
    /// back through job_results with its own times and id.
    @Test func eachRowKeepsItsOwnTimesInThePage() throws {
        let times: [(Int64?, Int64?, Int64)] = [(0, 60_000, 5), (0, 60_000, 5), (60_000, 120_000, 5), (60_000, 120_000, 6),
                                                (nil, nil, 6), (nil, nil, 6), (-60_000, 0, 7), (0, 60_000, 5)]
        let results = times.enumerated().map { i, time in
            NewResult(windowStartMs: time.0, windowEndMs: time.1, rowJSON: #"{"i":\#(i)}"#, createdMs: time.2)
        }
        let page = ResultPage(results)
        #expect(String(decoding: page.json, as: UTF8.self) == """
            [[0,0,60000,5,{"i":0},{"i":1}],[2,60000,120000,5,{"i":2}],[3,60000,120000,6,{"i":3}],\
            [4,null,null,6,{"i":4},{"i":5}],[6,-60000,0,7,{"i":6}],[7,0,60000,5,{"i":7}]]
            """)
        #expect(page.rowCount == times.count)

        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        try Self.start(job: "j", catalog)
        #expect(try Self.commit(job: "j", Array(results.prefix(3)), catalog))
        #expect(try Self.commit(job: "j", Array(results.dropFirst(3)), catalog))
        let rows = try catalog.query(sql: "SELECT id, job, window_start, window_end, row_json, created_at FROM job_results ORDER BY id").rows.map(Array.init)
        #expect(rows == results.enumerated().map { [.integer(Int64($0.offset) + 1)] + Self.row($0.element) })

        var emptied = page
        emptied.removeAll()
        emptied.append(windowStartMs: 0, windowEndMs: 60_000, createdMs: 5) { $0.append(contentsOf: "{}".utf8) }
        #expect(String(decoding: emptied.json, as: UTF8.self) == "[[0,0,60000,5,{}]]", "an emptied page begins a new run")
    }

    /// Text that JSON escapes, non-ASCII text and extreme numbers come back
    /// through the view as they were written.
    @Test func rowTextComesBackUnchanged() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        try Self.start(job: "j", catalog)
        let texts = [#"{"s":"quote \" backslash \\ tab \t nl \n ctl \u0001 done"}"#, #"{"s":"héllo ✓ 🚀","n":-9223372036854775808}"#,
                     #"{"d":1e-05,"e":5.0,"f":-0.0,"big":1.7976931348623157e+308,"x":null,"t":true,"a":[1,{"b":[]}]}"#, "{}"]
        let results = texts.enumerated().map { i, text in NewResult(windowStartMs: Int64.min + Int64(i), windowEndMs: Int64.max, rowJSON: text, createdMs: 0) }
        #expect(try Self.commit(job: "j", results, catalog))
        let rows = try catalog.query(sql: "SELECT window_start, window_end, row_json, json_valid(row_json) FROM job_results ORDER BY id").rows.map(Array.init)
        #expect(rows == results.map { [.integer($0.windowStartMs!), .integer($0.windowEndMs!), .text($0.rowJSON), .integer(1)] })
    }

    /// Pages of two jobs interleave; ids go on across them, and the trim
    /// deletes only pages whose every row is resultsKeptPerJob ids or more
    /// below the job's newest.
    @Test func idsGoOnAcrossPagesAndTheTrimKeepsTheNewestRows() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        try Self.start(job: "j", catalog)
        try Self.start(job: "k", catalog)
        let kept = Int64(Catalog.resultsKeptPerJob), pageRows = 40_000
        // j: pages of ids 1…40,000, 40,001…80,000; k: 80,001…80,002; j: 80,003…120,002, 120,003…160,002.
        for (job, count) in [("j", pageRows), ("j", pageRows), ("k", 2), ("j", pageRows), ("j", pageRows)] {
            #expect(try Self.commit(job: job, (0..<count).map(Self.result), catalog))
        }
        let newest = Int64(4 * pageRows + 2)
        let pages = try catalog.query(sql: "SELECT job, first_row_id, row_count FROM job_result_pages ORDER BY id").rows.map(Array.init)
        // j's first page ends at 40,000 ≤ 160,002 − 100,000: deleted. Its second
        // (40,001…80,000) has rows above 60,002: kept whole.
        let expected: [(String, Int64, Int64)] = [("j", 40_001, 40_000), ("k", 80_001, 2), ("j", 80_003, 40_000), ("j", 120_003, 40_000)]
        #expect(pages == expected.map { [.text($0.0), .integer($0.1), .integer($0.2)] })
        let j = try catalog.query(sql: "SELECT COUNT(*), MIN(id), MAX(id) FROM job_results WHERE job = 'j'").rows.first.map(Array.init)
        #expect(j == [.integer(120_000), .integer(40_001), .integer(newest)])
        #expect(40_001 <= newest - kept + 1, "every row within resultsKeptPerJob ids of the newest is kept")
        let k = try catalog.query(sql: "SELECT id FROM job_results WHERE job = 'k' ORDER BY id").rows.map { $0.first! }
        #expect(k == [.integer(80_001), .integer(80_002)], "another job's rows are not trimmed by j's")
    }

    @Test func olderCatalogsKeepTheirRowsAndIds() throws {
        for version in [11, 12] {
            let dir = TemporaryDirectory()
            let before = CatalogSchema.migrations.filter { $0.version <= version }
            #expect(before.count == version && CatalogSchema.migrations.contains { $0.version == 13 })
            // Results of two jobs, ids 1…5, in the table of that version.
            let old = try Catalog.open(dataDirectory: dir.path, migrations: before)
            var id: Int64 = 0
            for (job, count) in [("j", 3), ("k", 2)] {
                try old.createJob(JobRecord(name: job, definition: "CREATE JOB \(job) AS SELECT 1", outputKind: .results, createdMs: 1, updatedMs: 1))
                for i in 0..<count {
                    let result = Self.result(i)
                    id += 1
                    let sql = """
                        INSERT INTO job_results (id, job, window_start, window_end, row_json, created_at)
                        VALUES (\(id), '\(job)', \(result.windowStartMs.map(String.init) ?? "NULL"), \(result.windowEndMs.map(String.init) ?? "NULL"),
                                '\(result.rowJSON)', \(result.createdMs))
                        """
                    try old.transaction { database throws(CatalogError) in try database.execute(sql) }
                }
            }
            let rowsBefore = try old.query(sql: "SELECT id, job, window_start, window_end, row_json, created_at FROM job_results ORDER BY id").rows.map(Array.init)
            #expect(rowsBefore.count == 5)

            let upgraded = try Catalog.open(dataDirectory: dir.path)
            #expect(upgraded.schemaVersion == CatalogSchema.latestVersion)
            #expect(try upgraded.query(sql: "SELECT id, job, window_start, window_end, row_json, created_at FROM job_results ORDER BY id").rows.map(Array.init) == rowsBefore)
            #expect(try upgraded.query(sql: "SELECT type FROM sqlite_schema WHERE name = 'job_results'").rows.first?.first == .text("view"))
            // New rows are numbered above the old ones.
            #expect(try upgraded.acquireLease(job: "j", owner: "me", nowMs: 1, durationMs: 60_000))
            #expect(try Self.commit(job: "j", [Self.result(7), Self.result(8)], upgraded))
            let ids = try upgraded.query(sql: "SELECT id FROM job_results ORDER BY id").rows.map { $0.first! }
            #expect(ids == (1...7).map { CatalogValue.integer(Int64($0)) }, "upgraded from version \(version)")
        }
    }

    /// A catalog of version 13 holds pages of one element per row
    /// ([window_start, window_end, created_at, row]); 0014 makes each a run of
    /// one row, keeping every row's text, times and id.
    @Test func pagesOfVersion13BecomeRunsOfOneRow() throws {
        let dir = TemporaryDirectory()
        let old = try Catalog.open(dataDirectory: dir.path, migrations: CatalogSchema.migrations.filter { $0.version <= 13 })
        #expect(old.schemaVersion == 13 && CatalogSchema.latestVersion >= 14)
        try Self.start(job: "j", old)
        try Self.start(job: "k", old)
        let pages = [("j", 1, #"[[null,null,5,{"a":"x\"y","d":1.0e-05}],[0,60000,6,"not json {"],[0,60000,6,{}]]"#),
                     ("k", 4, #"[[1,2,3,{"b":[1,{"c":"é"}]}]]"#)]
        for (job, first, text) in pages {
            try old.transaction { database throws(CatalogError) in
                try database.execute("""
                    INSERT INTO job_result_pages (job, first_row_id, row_count, rows_json)
                    VALUES ('\(job)', \(first), json_array_length('\(text)'), '\(text)')
                    """)
            }
        }
        let query = "SELECT id, job, window_start, window_end, row_json, created_at FROM job_results ORDER BY id"
        let before = try old.query(sql: query).rows.map(Array.init)
        #expect(before.count == 4)

        let upgraded = try Catalog.open(dataDirectory: dir.path)
        #expect(upgraded.schemaVersion == CatalogSchema.latestVersion)
        #expect(try upgraded.query(sql: query).rows.map(Array.init) == before)
        let texts = try upgraded.query(sql: "SELECT rows_json FROM job_result_pages ORDER BY id").rows.map { $0.first! }
        #expect(texts == [.text(#"[[0,null,null,5,{"a":"x\"y","d":1.0e-05}],[1,0,60000,6,"not json {"],[2,0,60000,6,{}]]"#),
                          .text(#"[[0,1,2,3,{"b":[1,{"c":"é"}]}]]"#)])
        #expect(try Self.commit(job: "k", [Self.result(1)], upgraded))
        let ids = try upgraded.query(sql: "SELECT id FROM job_results ORDER BY id").rows.map { $0.first! }
        #expect(ids == (1...5).map { CatalogValue.integer(Int64($0)) }, "new rows are numbered above the old ones")
    }

    static func start(job: String, _ catalog: Catalog) throws {
        try catalog.createJob(JobRecord(name: job, definition: "CREATE JOB \(job) AS SELECT 1", outputKind: .results, createdMs: 1, updatedMs: 1))
        #expect(try catalog.acquireLease(job: job, owner: "me", nowMs: 1, durationMs: 60_000))
    }

    static func commit(job: String, _ results: [NewResult], _ catalog: Catalog) throws -> Bool {
        let checkpoint = CheckpointData(recordsIn: Int64(results.count), recordsOut: Int64(results.count), inputOffsets: [], outputOffsets: [], operatorStates: [:])
        return try catalog.commitCheckpoint(job: job, owner: "me", nowMs: 2, leaseDurationMs: 60_000, checkpoint: checkpoint,
                                            alerts: [], results: [ResultPage(results)])
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
