// Small facts about SQL text that SQLite does not tell us: where a statement's
// first keyword is, past whitespace and comments. Used to refuse transaction
// control inside migrations and anything but SELECT in user queries, and to
// keep error messages to the statement itself.

enum SQLText {
    /// `sql` without its leading whitespace, `-- line` and `/* block */` comments.
    static func trimmingLeadingComments(_ sql: Substring) -> Substring {
        var rest = sql
        while true {
            rest = rest.drop(while: \.isWhitespace)
            if rest.hasPrefix("--") {
                rest = rest.drop(while: { $0 != "\n" })
            } else if rest.hasPrefix("/*") {
                guard let end = rest.dropFirst(2).firstRange(of: "*/") else { return rest[rest.endIndex...] }
                rest = rest[end.upperBound...]
            } else {
                return rest
            }
        }
    }

    /// The first word of `sql` in upper case ("" when there is none).
    static func leadingKeyword(_ sql: String) -> String {
        trimmingLeadingComments(Substring(sql)).prefix(while: \.isLetter).uppercased()
    }
}
