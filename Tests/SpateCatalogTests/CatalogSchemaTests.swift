// The shape of the schema that later work relies on: a checkpoint (offsets,
// operator state, alerts) commits in one transaction or not at all; dropping a
// job takes its checkpoint with it but keeps its alerts; CHECK constraints turn
// impossible rows into errors.

@testable import SpateCatalog
import Testing

@Suite struct CatalogSchemaTests {
    func insertJob(_ database: SQLiteDatabase, _ name: String = "fraud_watch") throws(CatalogError) {
        try database.execute("""
            INSERT INTO jobs (name, definition, output_kind, created_at, updated_at)
            VALUES ('\(name)', 'CREATE JOB \(name) AS SELECT … WHERE anomaly', 'alerts', 1, 1)
            """)
    }

    /// One checkpoint as the job runner will write it.
    func checkpoint(_ database: SQLiteDatabase, sequence: Int, offset: Int, alerts: Int) throws(CatalogError) {
        try database.execute("""
            INSERT INTO checkpoints (job, sequence, committed_at, records_in, records_out)
            VALUES ('fraud_watch', \(sequence), \(sequence * 1000), \(offset), \(alerts))
            ON CONFLICT (job) DO UPDATE SET sequence = excluded.sequence, committed_at = excluded.committed_at,
                records_in = excluded.records_in, records_out = excluded.records_out;
            INSERT OR REPLACE INTO checkpoint_offsets VALUES ('fraud_watch', 'input', 'transactions', 0, \(offset));
            INSERT OR REPLACE INTO operator_state VALUES ('fraud_watch', '1:window', x'0102');
            """)
        for i in 0..<alerts {
            try database.execute("INSERT INTO alerts (job, key, score, row_json, created_at) VALUES ('fraud_watch', 'u\(i)', 3.5, '{}', \(sequence))")
        }
    }

    func counts(_ catalog: Catalog) throws -> [Int64] {
        try catalog.query(sql: """
            SELECT (SELECT count(*) FROM checkpoints), (SELECT count(*) FROM checkpoint_offsets),
                   (SELECT count(*) FROM operator_state), (SELECT count(*) FROM alerts),
                   (SELECT ifnull(max(next_offset), -1) FROM checkpoint_offsets)
            """).values.map { if case let .integer(n) = $0 { n } else { -2 } }
    }

    @Test func checkpointCommitsWholeOrNotAtAll() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        try catalog.transaction { database throws(CatalogError) in
            try insertJob(database)
            try checkpoint(database, sequence: 1, offset: 100, alerts: 2)
        }
        #expect(try counts(catalog) == [1, 1, 1, 2, 100])
        #expect(throws: CatalogError.self) {
            try catalog.transaction { database throws(CatalogError) in
                try checkpoint(database, sequence: 2, offset: 200, alerts: 3)
                throw .invalidRecord("crash before commit")
            }
        }
        #expect(try counts(catalog) == [1, 1, 1, 2, 100])
    }

    @Test func droppingAJobDropsItsCheckpointButKeepsItsAlerts() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        try catalog.transaction { database throws(CatalogError) in
            try insertJob(database)
            try checkpoint(database, sequence: 1, offset: 100, alerts: 2)
        }
        try catalog.withDatabase { database throws(CatalogError) in try database.execute("DELETE FROM jobs WHERE name = 'fraud_watch'") }
        #expect(try counts(catalog) == [0, 0, 0, 2, -1])
    }

    @Test func checkpointsNeedTheirJob() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        #expect(throws: CatalogError.self) {
            try catalog.transaction { database throws(CatalogError) in try checkpoint(database, sequence: 1, offset: 1, alerts: 0) }
        }
    }

    @Test(arguments: [
        "INSERT INTO alerts (job, row_json, created_at, state) VALUES ('j', '{}', 1, 'snoozed')",
        "INSERT INTO alerts (job, row_json, created_at) VALUES ('j', '{not json', 1)",
        "INSERT INTO alerts (job, row_json, created_at, window_start, window_end) VALUES ('j', '{}', 1, 60000, 0)",
        "INSERT INTO alerts (job, row_json, created_at) VALUES ('j', '{}', 'yesterday')",
        "INSERT INTO jobs (name, definition, output_kind, created_at, updated_at) VALUES ('j', 'x', 'stream', 1, 1)",
        "INSERT INTO jobs (name, definition, output_kind, created_at, updated_at, state) VALUES ('j', 'x', 'alerts', 1, 1, 'dancing')",
        "INSERT INTO jobs (name, definition, output_kind, created_at, updated_at, lease_owner) VALUES ('j', 'x', 'alerts', 1, 1, 'me')",
        "INSERT INTO streams (name, columns, created_at) VALUES ('s', '{}', 1)",
        "INSERT INTO streams (name, created_at) VALUES ('', 1)",
    ])
    func impossibleRowsAreRefused(_ sql: String) throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        #expect(throws: CatalogError.self) {
            try catalog.withDatabase { database throws(CatalogError) in try database.execute(sql) }
        }
    }

    @Test func alertIdsAreNeverReused() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        try catalog.withDatabase { database throws(CatalogError) in
            try database.execute("INSERT INTO alerts (job, row_json, created_at) VALUES ('j', '{}', 1), ('j', '{}', 2)")
            try database.execute("DELETE FROM alerts")
            try database.execute("INSERT INTO alerts (job, row_json, created_at) VALUES ('j', '{}', 3)")
        }
        #expect(try catalog.query(sql: "SELECT id FROM alerts").values == [.integer(3)])
    }
}
