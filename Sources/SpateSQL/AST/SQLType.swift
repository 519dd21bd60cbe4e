// SQLType: a column or CAST type.
//
// Layer: SpateSQL AST. Keeps the spelling the user wrote (for printing back and for
// messages) and the normalized kind the rest of Spate works with.
//
// Spellings: STRING | VARCHAR | TEXT -> string; DOUBLE | FLOAT | REAL -> double;
// BIGINT | INT | INTEGER -> bigint; BOOLEAN | BOOL -> boolean; TIMESTAMP -> timestamp.

/// A data type as written.
public struct SQLType: Hashable, Sendable, CustomStringConvertible {
    /// The normalized type.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case string, double, bigint, boolean, timestamp
    }

    /// Upper-cased spelling as written, e.g. "INTEGER".
    public var spelling: String
    public var kind: Kind
    @SourceMetadata public var range: SourceRange

    public init(spelling: String, kind: Kind, range: SourceRange = SourceRange(start: .start, end: .start)) {
        self.spelling = spelling
        self.kind = kind
        self.range = range
    }

    /// Every accepted spelling and its kind.
    public static let spellings: [(spelling: String, kind: Kind)] = [
        ("STRING", .string), ("VARCHAR", .string), ("TEXT", .string),
        ("DOUBLE", .double), ("FLOAT", .double), ("REAL", .double),
        ("BIGINT", .bigint), ("INT", .bigint), ("INTEGER", .bigint),
        ("BOOLEAN", .boolean), ("BOOL", .boolean),
        ("TIMESTAMP", .timestamp),
    ]

    /// The type for a spelling (case-insensitive), or nil.
    public static func named(_ word: String, range: SourceRange = SourceRange(start: .start, end: .start)) -> SQLType? {
        let upper = Keywords.uppercased(word)
        guard let entry = spellings.first(where: { $0.spelling == upper }) else { return nil }
        return SQLType(spelling: upper, kind: entry.kind, range: range)
    }

    public var description: String { spelling }
}
