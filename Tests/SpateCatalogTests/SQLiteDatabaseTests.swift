// The SQLite wrapper: transactions commit or roll back whole, errors carry
// SQLite's message and the statement, binding by name and by index, and the
// statement cache hands a statement to one user at a time.

@testable import SpateCatalog
import Testing

@Suite struct SQLiteDatabaseTests {
    func scratch(_ dir: TemporaryDirectory) throws -> SQLiteDatabase {
        let database = try SQLiteDatabase(path: dir.path + "/scratch.sqlite")
        try database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, score REAL, data BLOB) STRICT")
        return database
    }

    func count(_ database: SQLiteDatabase) throws -> Int64 {
        try database.withStatement("SELECT count(*) FROM t") { statement throws(CatalogError) in
            try statement.step()
            return statement.int64(0)
        }
    }

    @Test func transactionCommitsOnReturn() throws {
        let dir = TemporaryDirectory()
        let database = try scratch(dir)
        let id = try database.transaction { () throws(CatalogError) -> Int64 in
            try database.execute("INSERT INTO t (name) VALUES ('a'), ('b')")
            return 7
        }
        #expect(id == 7)
        #expect(!database.isInTransaction)
        #expect(try count(database) == 2)
    }

    @Test func transactionRollsBackWhenTheBodyThrows() throws {
        let dir = TemporaryDirectory()
        let database = try scratch(dir)
        try database.execute("INSERT INTO t (name) VALUES ('a')")
        #expect(throws: CatalogError.invalidRecord("stop")) {
            try database.transaction { () throws(CatalogError) in
                try database.execute("INSERT INTO t (name) VALUES ('b')")
                throw .invalidRecord("stop")
            }
        }
        #expect(!database.isInTransaction)
        #expect(try count(database) == 1)
    }

    @Test func constraintErrorNamesTheConstraintAndTheStatement() throws {
        let dir = TemporaryDirectory()
        let database = try scratch(dir)
        try database.execute("INSERT INTO t (name) VALUES ('a')")
        do {
            try database.transaction { () throws(CatalogError) in
                try database.withStatement("INSERT INTO t (name) VALUES (?)") { statement throws(CatalogError) in
                    try statement.bind("a", at: 1)
                    try statement.run()
                }
            }
            Issue.record("duplicate accepted")
        } catch {
            #expect(error.description == "catalog: UNIQUE constraint failed: t.name (in: INSERT INTO t (name) VALUES (?))")
            guard case let .sqlite(code, _, _) = error else { throw error }
            #expect(code == 2067)  // SQLITE_CONSTRAINT_UNIQUE: extended codes are on
        }
        #expect(try count(database) == 1)
    }

    @Test func bindsByIndexAndByNameAndReadsEveryType() throws {
        let dir = TemporaryDirectory()
        let database = try scratch(dir)
        try database.withStatement("INSERT INTO t (id, name, score, data) VALUES (:id, :name, :score, :data)") { statement throws(CatalogError) in
            try statement.bind(.integer(Int64.max), named: ":id")
            try statement.bind(.text("naïve \u{0}zero"), named: ":name")
            try statement.bind(.real(-0.25), named: ":score")
            try statement.bind(.blob([0, 1, 2, 255]), named: ":data")
            try statement.run()
            #expect(throws: CatalogError.self) { try statement.bind(.null, named: ":missing") }
        }
        try database.withStatement("INSERT INTO t (id, name, score, data) VALUES (?, ?, ?, ?)") { statement throws(CatalogError) in
            try statement.bind([.integer(1), .text(""), .null, .blob([])])
            try statement.run()
        }
        let rows = try database.withStatement("SELECT id, name, score, data FROM t ORDER BY id") { statement throws(CatalogError) in
            var rows: [[CatalogValue]] = []
            while try statement.step() { rows.append((0..<4).map(statement.value)) }
            return rows
        }
        #expect(rows == [
            [.integer(1), .text(""), .null, .blob([])],
            [.integer(Int64.max), .text("naïve \u{0}zero"), .real(-0.25), .blob([0, 1, 2, 255])],
        ])
    }

    @Test func cachedStatementsAreReusedAndNeverShared() throws {
        let dir = TemporaryDirectory()
        let database = try scratch(dir)
        try database.execute("INSERT INTO t (name) VALUES ('a'), ('b')")
        let sql = "SELECT name FROM t ORDER BY name"
        let first = try database.withStatement(sql) { statement throws(CatalogError) in ObjectIdentifier(statement) }
        let again = try database.withStatement(sql) { statement throws(CatalogError) in ObjectIdentifier(statement) }
        #expect(first == again)
        // The same SQL used again while the outer use is mid-row gets its own statement.
        let pairs = try database.withStatement(sql) { outer throws(CatalogError) in
            var pairs: [String] = []
            while try outer.step() {
                let name = outer.string(0)
                try database.withStatement(sql) { inner throws(CatalogError) in
                    #expect(inner !== outer)
                    while try inner.step() { pairs.append(name + inner.string(0)) }
                }
            }
            return pairs
        }
        #expect(pairs == ["aa", "ab", "ba", "bb"])
        // A statement left mid-row is reset on return: the next use starts over.
        let firstName = try database.withStatement(sql) { statement throws(CatalogError) in
            try statement.step()
            return statement.string(0)
        }
        #expect(firstName == "a")
    }

    @Test func statementCacheStaysWithinItsCapacity() throws {
        let dir = TemporaryDirectory()
        let database = try SQLiteDatabase(path: dir.path + "/scratch.sqlite", statementCacheCapacity: 4)
        for i in 0..<20 {
            let value = try database.withStatement("SELECT \(i)") { statement throws(CatalogError) in
                try statement.step()
                return statement.int64(0)
            }
            #expect(value == Int64(i))
        }
        #expect(database.statementCacheCount <= 4)
    }

    @Test func openingAnImpossiblePathSaysWhy() throws {
        #expect(throws: CatalogError.self) {
            try SQLiteDatabase(path: "/nonexistent-dir-\(UInt32.random(in: 0...UInt32.max))/x.sqlite")
        }
        do {
            _ = try Catalog.open(dataDirectory: "/proc/definitely/not/here")
        } catch {
            #expect(error.description.hasPrefix("catalog: cannot open /proc/definitely/not/here"), "\(error)")
        }
    }
}
