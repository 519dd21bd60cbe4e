// Keywords: the reserved words of the dialect and case-insensitive comparison.
//
// Layer: SpateSQL lexer. Reserved words cannot be used as bare names (they may
// always be used "double-quoted"); every other keyword (STREAM, SIZE, TUMBLING,
// STATISTIC, ...) is contextual and remains usable as a name. The printer quotes
// reserved words when they are names, so printed SQL always parses back.
//
// The reserved set is exactly the words that can follow an expression or start a
// clause, plus the words that start an expression form: without reserving them an
// implicit alias (`SELECT amount total`) or a column reference would be ambiguous.

enum Keywords {
    /// Upper-case reserved words.
    static let reserved: Set<String> = [
        "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "WINDOW",
        "SINCE", "UNTIL", "EMIT", "AS", "AND", "OR", "NOT", "IS", "NULL", "TRUE", "FALSE",
        "IN", "LIKE", "BETWEEN", "CASE", "WHEN", "THEN", "ELSE", "END", "CAST", "DISTINCT",
        "INTERVAL", "OVER", "PARTITION", "ASC", "DESC", "INSERT", "INTO", "VALUES",
        "CREATE", "DROP", "ALTER", "WITH", "SET", "ON", "EXPLAIN", "SHOW", "DESCRIBE",
    ]

    /// Words that start a statement, for "did you mean" at the start of a statement.
    static let statementStarts = [
        "SELECT", "INSERT", "CREATE", "ALTER", "DROP", "SHOW", "DESCRIBE", "EXPLAIN", "BACKTEST", "SET",
        "COPY", "PAUSE", "RESUME", "RESTART", "ACK", "RESOLVE", "TEST",
    ]

    static func isReserved(_ word: String) -> Bool {
        guard word.utf8.count <= 16 else { return false }
        return reserved.contains(uppercased(word))
    }

    /// ASCII upper-casing; non-ASCII scalars are kept as they are.
    static func uppercased(_ word: String) -> String {
        String(decoding: word.utf8.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }, as: UTF8.self)
    }

    /// `word == keyword` ignoring ASCII case; `keyword` must be upper-case ASCII.
    static func equalsIgnoringCase(_ word: String, _ keyword: String) -> Bool {
        var left = word.utf8.makeIterator()
        var right = keyword.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return true
            case let (l?, r?):
                let upper = l >= 0x61 && l <= 0x7A ? l - 0x20 : l
                if upper != r { return false }
            default: return false
            }
        }
    }
}
