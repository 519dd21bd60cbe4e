// Every error the catalog can raise. Each is one line for the user: what went
// wrong, with SQLite's own message where SQLite said it, the statement it was
// running, and what to do where the user can act. Errors are values; a broken
// invariant (a bug) is a precondition failure instead.

/// An error from the SQLite catalog (`<data>/catalog.sqlite`).
public enum CatalogError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The catalog file could not be opened or set up (path, SQLite's message).
    case cannotOpen(path: String, message: String)
    /// SQLite refused a statement: extended result code, SQLite's message and the SQL.
    case sqlite(code: Int32, message: String, sql: String)
    /// The catalog was migrated by a newer spate than this one.
    case schemaTooNew(path: String, version: Int, known: Int)
    /// The catalog's applied migration `version` has another name than this
    /// binary's: the two were built from diverging schema/ directories.
    case schemaMismatch(path: String, version: Int, applied: String, expected: String)
    /// A migration failed; nothing of it (or of the ones after it) was applied.
    case migrationFailed(name: String, message: String)
    /// `query(sql:parameters:)` was given something other than one SELECT.
    case notASelect(reason: String, sql: String)
    /// A read-only query produced more rows than its limit.
    case tooManyRows(limit: Int, sql: String)
    /// A value in the catalog or given to it breaks the catalog's rules.
    case invalidRecord(String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, message):
            return "catalog: cannot open \(path): \(message)"
        case let .sqlite(code, message, sql):
            let hint = (code & 0xff) == 5 || (code & 0xff) == 6  // SQLITE_BUSY, SQLITE_LOCKED
                ? " (another spate process held the catalog too long; retry, or stop that process)" : ""
            return "catalog: \(message)\(hint) (in: \(Self.oneLine(sql)))"
        case let .schemaTooNew(path, version, known):
            return "\(path) is at schema version \(version) but this spate knows up to \(known): upgrade spate"
        case let .schemaMismatch(path, version, applied, expected):
            return "\(path) has migration \(version) '\(applied)' applied but this spate has '\(expected)': it was made by a different build of spate"
        case let .migrationFailed(name, message):
            return "catalog: migration \(name) failed: \(message); the catalog was left unchanged"
        case let .notASelect(reason, sql):
            return "catalog: only a single SELECT can be run on catalog tables: \(reason) (in: \(Self.oneLine(sql)))"
        case let .tooManyRows(limit, sql):
            return "catalog: query returned more than \(limit) rows; add a LIMIT (in: \(Self.oneLine(sql)))"
        case let .invalidRecord(message):
            return "catalog: \(message)"
        }
    }

    /// SQL folded onto one line and cut to a readable length for a message.
    static func oneLine(_ sql: String, limitCharacters: Int = 120) -> String {
        let folded = sql.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
        guard folded.count > limitCharacters else { return folded }
        return folded.prefix(limitCharacters - 1) + "…"
    }
}
