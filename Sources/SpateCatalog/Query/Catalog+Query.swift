// Read-only SQL over the catalog tables, for what users type in the REPL:
// `SELECT … FROM alerts WHERE job = 'x' ORDER BY created_at DESC LIMIT 20`.
//
// Only one SELECT is let through. SQLite decides what writes
// (sqlite3_stmt_readonly), which no text check could do reliably; on top of
// that the statement must start with SELECT, WITH or VALUES, since ATTACH,
// BEGIN and read-only PRAGMAs also count as read-only to SQLite; and nothing
// but whitespace or comments may follow it. Underneath, it runs on the
// catalog's query-only connection, which SQLite itself keeps from writing.
// User SQL is never put in the statement cache. Limit: `CatalogOptions.queryRowsMax` rows.

import CSQLite

extension Catalog {
    /// Runs one read-only SELECT with positional parameters (`?`, `?1`, …) and
    /// returns all its rows. Throws `.notASelect` for anything else (INSERT,
    /// DELETE, PRAGMA, several statements, …) and `.tooManyRows` past the limit.
    public func query(sql: String, parameters: [CatalogValue] = []) throws(CatalogError) -> CatalogRows {
        try withQueryDatabase { database throws(CatalogError) in
            let statement = try Self.prepareSelect(sql, database: database)
            try statement.bind(parameters)
            let columnCount = statement.columnCount
            let columnNames = (0..<columnCount).map(statement.columnName)
            var values: [CatalogValue] = []
            var rowCount = 0
            while try statement.step() {
                rowCount += 1
                guard rowCount <= options.queryRowsMax else { throw .tooManyRows(limit: options.queryRowsMax, sql: sql) }
                for column in 0..<columnCount { values.append(statement.value(column)) }
            }
            return CatalogRows(columnNames: columnNames, values: values)
        }
    }

    static func prepareSelect(_ sql: String, database: SQLiteDatabase) throws(CatalogError) -> SQLiteStatement {
        let keyword = SQLText.leadingKeyword(sql)
        guard ["SELECT", "WITH", "VALUES"].contains(keyword) else {
            throw .notASelect(reason: keyword.isEmpty ? "no statement given" : "\(keyword) is not a SELECT", sql: sql)
        }
        let (first, tail) = try database.prepareFirst(sql)
        guard let statement = first else { throw .notASelect(reason: "no statement given", sql: sql) }
        guard sqlite3_stmt_readonly(statement.handle) != 0, sqlite3_stmt_isexplain(statement.handle) == 0 else {
            throw .notASelect(reason: "the statement would change the catalog", sql: sql)
        }
        // The tail may hold only whitespace, comments and semicolons, which prepare to nothing.
        var rest = tail
        while !rest.isEmpty {
            let (next, after) = try database.prepareFirst(String(rest))
            guard next == nil else { throw .notASelect(reason: "more than one statement given", sql: sql) }
            guard after.utf8.count < rest.utf8.count else { break }
            rest = after
        }
        return statement
    }
}
