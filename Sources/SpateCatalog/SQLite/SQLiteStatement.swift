// One prepared SQLite statement (sqlite3_stmt): bind, step, read columns, reset.
//
// Invariants: a statement belongs to the SQLiteDatabase that prepared it and is
// used only under that connection's serialization (Catalog's mutex); it is
// finalized exactly once, in deinit. Indexes follow SQLite: parameters count
// from 1, result columns from 0. Reading a column allocates only the value
// returned (a String or [UInt8]); `withBytes` reads without copying.

import CSQLite

/// A prepared statement on a `SQLiteDatabase`.
final class SQLiteStatement {
    let handle: OpaquePointer
    /// The SQL text as prepared (for error messages).
    let sql: String
    private unowned let database: SQLiteDatabase

    init(handle: OpaquePointer, sql: String, database: SQLiteDatabase) {
        self.handle = handle
        self.sql = sql
        self.database = database
    }

    deinit { sqlite3_finalize(handle) }

    // MARK: Binding

    /// Binds `value` to parameter `index` (1-based).
    func bind(_ value: CatalogValue, at index: Int32) throws(CatalogError) {
        switch value {
        case .null: try check(sqlite3_bind_null(handle, index))
        case let .integer(v): try bind(v, at: index)
        case let .real(v): try bind(v, at: index)
        case let .text(v): try bind(v, at: index)
        case let .blob(v): try bind(v, at: index)
        }
    }

    func bind(_ value: Int64, at index: Int32) throws(CatalogError) {
        try check(sqlite3_bind_int64(handle, index, value))
    }

    func bind(_ value: Double, at index: Int32) throws(CatalogError) {
        try check(sqlite3_bind_double(handle, index, value))
    }

    /// Binds UTF-8 text; SQLite copies it before returning.
    func bind(_ value: String, at index: Int32) throws(CatalogError) {
        let code = value.withCString { start in
            sqlite3_bind_text(handle, index, start, Int32(value.utf8.count), csqlite_transient())
        }
        try check(code)
    }

    /// Binds UTF-8 bytes as TEXT; SQLite copies them before returning.
    func bind(utf8 value: [UInt8], at index: Int32) throws(CatalogError) {
        if value.isEmpty { return try bind("", at: index) }
        let code = value.withUnsafeBytes { bytes in
            sqlite3_bind_text(handle, index, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), Int32(bytes.count), csqlite_transient())
        }
        try check(code)
    }

    /// Binds bytes as a BLOB; SQLite copies them before returning.
    func bind(_ value: [UInt8], at index: Int32) throws(CatalogError) {
        let code = value.withUnsafeBytes { bytes in
            bytes.count == 0
                ? sqlite3_bind_zeroblob(handle, index, 0)
                : sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), csqlite_transient())
        }
        try check(code)
    }

    /// Binds an optional: nil binds NULL.
    func bind(_ value: String?, at index: Int32) throws(CatalogError) {
        if let value { try bind(value, at: index) } else { try check(sqlite3_bind_null(handle, index)) }
    }

    /// Binds `value` to the parameter called `name` (with its prefix: ":name", "@name", "$name").
    func bind(_ value: CatalogValue, named name: String) throws(CatalogError) {
        try bind(value, at: parameterIndex(name))
    }

    /// The 1-based index of the parameter called `name`.
    func parameterIndex(_ name: String) throws(CatalogError) -> Int32 {
        let index = sqlite3_bind_parameter_index(handle, name)
        guard index > 0 else {
            throw .sqlite(code: SQLITE_RANGE, message: "no parameter named \(name)", sql: sql)
        }
        return index
    }

    /// Binds `values` to parameters 1, 2, … in one call, as GRDB's
    /// StatementArguments does: their count must match the statement's, so a
    /// parameter added to the SQL without its value (or the other way round)
    /// fails at once instead of binding NULL or shifting every later value.
    func bind(_ values: any CatalogBindable...) throws(CatalogError) {
        try bind(values.map(\.catalogValue))
    }

    /// Binds `values` to parameters 1, 2, …; their count must match the statement's.
    func bind(_ values: [CatalogValue]) throws(CatalogError) {
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard values.count == expected else {
            throw .sqlite(code: SQLITE_RANGE, message: "statement has \(expected) parameter(s) but \(values.count) value(s) were given", sql: sql)
        }
        for (offset, value) in values.enumerated() { try bind(value, at: Int32(offset + 1)) }
    }

    // MARK: Stepping

    /// Runs the statement to its next row: true when a row is ready to read,
    /// false when the statement is done.
    @discardableResult
    func step() throws(CatalogError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.error(code: code, sql: sql)
        }
    }

    /// Steps to completion, for statements that return no rows.
    func run() throws(CatalogError) {
        while try step() {}
    }

    /// Makes the statement ready to run again, keeping its bindings (a loop
    /// that rebinds only the columns that change).
    func rewind() {
        sqlite3_reset(handle)
    }

    /// Makes the statement ready to run again and clears its bindings.
    func reset() {
        // sqlite3_reset repeats the last step's error, which that step already threw.
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: Columns of the current row

    var columnCount: Int32 { sqlite3_column_count(handle) }

    func columnName(_ index: Int32) -> String {
        sqlite3_column_name(handle, index).map { String(cString: $0) } ?? "column\(index + 1)"
    }

    func isNull(_ index: Int32) -> Bool { sqlite3_column_type(handle, index) == SQLITE_NULL }

    func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

    func double(_ index: Int32) -> Double { sqlite3_column_double(handle, index) }

    /// The column as text ("" for NULL).
    func string(_ index: Int32) -> String {
        withBytes(index, asText: true) { String(decoding: $0, as: UTF8.self) }
    }

    /// The column as text, nil for NULL.
    func optionalString(_ index: Int32) -> String? {
        isNull(index) ? nil : string(index)
    }

    /// The column as bytes ([] for NULL).
    func blob(_ index: Int32) -> [UInt8] {
        withBytes(index, asText: false) { Array($0) }
    }

    /// Lends the column's bytes without copying; valid only inside `body`.
    func withBytes<R, E: Error>(_ index: Int32, asText: Bool, _ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        // Per the SQLite docs: take the pointer first, then the byte count.
        let start: UnsafeRawPointer? = asText
            ? sqlite3_column_text(handle, index).map(UnsafeRawPointer.init)
            : sqlite3_column_blob(handle, index)
        let count = Int(sqlite3_column_bytes(handle, index))
        guard let start, count > 0 else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: start.assumingMemoryBound(to: UInt8.self), count: count))
    }

    /// The column as whichever storage class SQLite holds it in.
    func value(_ index: Int32) -> CatalogValue {
        switch sqlite3_column_type(handle, index) {
        case SQLITE_INTEGER: return .integer(int64(index))
        case SQLITE_FLOAT: return .real(double(index))
        case SQLITE_TEXT: return .text(string(index))
        case SQLITE_BLOB: return .blob(blob(index))
        default: return .null
        }
    }

    // MARK: Private

    private func check(_ code: Int32) throws(CatalogError) {
        guard code == SQLITE_OK else { throw database.error(code: code, sql: sql) }
    }
}
