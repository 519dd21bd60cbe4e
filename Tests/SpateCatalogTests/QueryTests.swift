// Read-only SQL over catalog tables, as the REPL sends it: one SELECT runs and
// returns typed values; anything that could change the catalog is refused with
// a one-line reason, and nothing is changed.

@testable import SpateCatalog
import Testing

@Suite struct QueryTests {
    @Test func valuesComeBackInTheirStorageClass() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        let rows = try catalog.query(sql: "SELECT 1 AS i, 2.5 AS r, 'x' AS t, NULL AS n, x'00FF' AS b")
        #expect(rows.columnNames == ["i", "r", "t", "n", "b"])
        #expect(rows.rowCount == 1)
        #expect(Array(rows.row(0)) == [.integer(1), .real(2.5), .text("x"), .null, .blob([0, 255])])
        #expect(rows[0, 4].description == "x'00FF'")
    }

    @Test func parametersAreBoundInOrder() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        for name in ["a", "b", "c"] { try catalog.upsertStream(transactionsStream(name)) }
        let rows = try catalog.query(sql: "SELECT name FROM streams WHERE name > ? AND created_at = ? ORDER BY name",
                                     parameters: [.text("a"), .integer(1_732_400_000_000)])
        #expect(rows.values == [.text("b"), .text("c")])
        #expect(throws: CatalogError.self) { try catalog.query(sql: "SELECT ?", parameters: []) }
    }

    @Test func alertHistoryQueryFromTheREPL() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        try catalog.withDatabase { database throws(CatalogError) in
            for i in 0..<30 {
                try database.execute("""
                    INSERT INTO alerts (job, key, window_start, window_end, score, row_json, created_at)
                    VALUES ('\(i % 2 == 0 ? "fraud_watch" : "other")', 'user\(i)', \(i * 60_000), \((i + 1) * 60_000),
                            \(Double(i) / 10), '{"userId": "user\(i)"}', \(1_000 + i))
                    """)
            }
        }
        let rows = try catalog.query(sql: """
            SELECT id, key, score, state FROM alerts
            WHERE job = 'fraud_watch' AND created_at > ? ORDER BY created_at DESC LIMIT 3
            """, parameters: [.integer(1_000)])
        #expect(rows.columnNames == ["id", "key", "score", "state"])
        #expect(rows.rows.map { Array($0) } == [
            [.integer(29), .text("user28"), .real(2.8), .text("open")],
            [.integer(27), .text("user26"), .real(2.6), .text("open")],
            [.integer(25), .text("user24"), .real(2.4), .text("open")],
        ])
    }

    @Test(arguments: [
        "INSERT INTO streams (name, created_at) VALUES ('x', 1)",
        "DELETE FROM streams",
        "UPDATE streams SET format = 'csv'",
        "DROP TABLE streams",
        "CREATE TABLE t (x)",
        "PRAGMA journal_mode = DELETE",
        "PRAGMA table_info(streams)",
        "ATTACH DATABASE ':memory:' AS other",
        "BEGIN",
        "VACUUM",
        "EXPLAIN SELECT 1",
        "WITH doomed AS (SELECT name FROM streams) DELETE FROM streams WHERE name IN doomed",
        "SELECT 1; DELETE FROM streams",
        "SELECT 1; SELECT 2",
        "-- only a comment",
        "",
    ])
    func anythingButOneSelectIsRefused(_ sql: String) throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        try catalog.upsertStream(transactionsStream())
        do {
            _ = try catalog.query(sql: sql)
            Issue.record("query ran: \(sql)")
        } catch {
            #expect(error.description.hasPrefix("catalog: "), "\(error)")
        }
        #expect(try catalog.streams() == [transactionsStream()])
        let mode = try catalog.withDatabase { database throws(CatalogError) in try database.scalarText("PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    @Test func queryConnectionCannotWriteEvenPastTheChecks() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        try catalog.upsertStream(transactionsStream())
        let error = #expect(throws: CatalogError.self) {
            try catalog.withQueryDatabase { database throws(CatalogError) in try database.execute("DELETE FROM streams") }
        }
        #expect(error?.description.contains("readonly") == true, "\(String(describing: error))")
        #expect(try catalog.streams().count == 1)
    }

    @Test func queriesSeeCommittedWrites() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        #expect(try catalog.query(sql: "SELECT count(*) FROM streams").values == [.integer(0)])
        try catalog.upsertStream(transactionsStream())
        #expect(try catalog.query(sql: "SELECT count(*) FROM streams").values == [.integer(1)])
    }

    @Test(arguments: ["SELECT 1;", "  select 1 ; -- trailing comment\n", "/* lead */ SELECT 1;;", "WITH x AS (SELECT 1) SELECT * FROM x", "VALUES (1)"])
    func oneSelectWithTrimmingsIsAccepted(_ sql: String) throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        #expect(try catalog.query(sql: sql).values == [.integer(1)])
    }

    @Test func errorsAreOneLineWithSQLitesMessage() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        do {
            _ = try catalog.query(sql: "SELECT *\n  FROM nope")
            Issue.record("a missing table was queried")
        } catch {
            #expect(error.description == "catalog: no such table: nope (in: SELECT * FROM nope)")
        }
        do {
            _ = try catalog.query(sql: "DELETE FROM streams")
        } catch {
            #expect(error.description == "catalog: only a single SELECT can be run on catalog tables: DELETE is not a SELECT (in: DELETE FROM streams)")
        }
    }

    @Test func rowLimitIsEnforced() throws {
        let dir = TemporaryDirectory()
        var options = CatalogOptions()
        options.queryRowsMax = 10
        let catalog = try Catalog.open(dataDirectory: dir.path, options: options)
        let sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 11) SELECT i FROM n"
        #expect(throws: CatalogError.tooManyRows(limit: 10, sql: sql)) { try catalog.query(sql: sql) }
        #expect(try catalog.query(sql: sql + " LIMIT 10").rowCount == 10)
    }
}
