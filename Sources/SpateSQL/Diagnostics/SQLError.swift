// SQLError: the one error type the SQL front end throws.
//
// Layer: SpateSQL diagnostics. Lexer, parser (and later analyzer) report every
// problem a user can cause as an SQLError: a message saying what was expected and
// what was found, the location it applies to, and optionally the nearest valid
// spelling. Nothing in SpateSQL traps on bad input.
//
// Format (render):
//   error: line 1, column 27: expected FROM after select list, found 'FORM'
//   SELECT userId, COUNT(*) n FORM tx
//                             ^
//   hint: did you mean FROM?

/// A positioned error in SQL text, from the lexer, the parser or a later SQL layer.
public struct SQLError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Broad class of the error, for callers that react differently (e.g. the REPL
    /// asking for more input when a statement is merely unfinished).
    public enum Kind: String, Hashable, Sendable {
        /// A character or token that cannot start or continue anything valid.
        case lexical
        /// Valid tokens in an invalid order.
        case syntax
        /// A well-formed value that is out of range (a zero window size, an overflowing number).
        case invalidValue
        /// A limit from `SQLLimits` was exceeded.
        case limitExceeded
        /// A name that is not known (used by the analyzer).
        case unknownName
    }

    public var kind: Kind
    /// What happened, without location: "expected FROM after select list, found 'FORM'".
    public var message: String
    /// Where it happened (1-based line and column).
    public var location: SourceLocation
    /// The nearest valid spelling, when the error is probably a typo ("FROM").
    public var suggestion: String?

    public init(_ kind: Kind, _ message: String, at location: SourceLocation, suggestion: String? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
        self.suggestion = suggestion
    }

    /// One line: "line 1, column 27: expected FROM ..., found 'FORM'; did you mean FROM?"
    public var description: String {
        var text = "line \(location.line), column \(location.column): \(message)"
        if let suggestion { text += "; did you mean \(suggestion)?" }
        return text
    }

    /// The message, the offending source line and a caret under the error column,
    /// followed by a `hint:` line when there is a suggestion. Lines are separated by
    /// "\n"; there is no trailing newline.
    ///
    /// - Parameter source: the text that was parsed (the same string, so that the
    ///   location's line exists in it). If the line cannot be found only the first
    ///   line is returned.
    public func render(source: String) -> String {
        var lines = ["error: line \(location.line), column \(location.column): \(message)"]
        if let sourceLine = Self.line(location.line, of: source) {
            lines.append(sourceLine)
            lines.append(Self.caretLine(under: location.column, in: sourceLine))
        }
        if let suggestion { lines.append("hint: did you mean \(suggestion)?") }
        return lines.joined(separator: "\n")
    }

    /// The `number`th line (1-based) of `source`, without its terminator.
    static func line(_ number: Int, of source: String) -> String? {
        var current = 1
        for line in source.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == number {
                return line.last == "\r" ? String(line.dropLast()) : String(line)
            }
            current += 1
        }
        return nil
    }

    /// Spaces up to `column`, keeping tabs from the source line so the caret lines up.
    static func caretLine(under column: Int, in sourceLine: String) -> String {
        var prefix = ""
        for (index, scalar) in sourceLine.unicodeScalars.enumerated() where index < column - 1 {
            prefix.unicodeScalars.append(scalar == "\t" ? "\t" : " ")
        }
        let missing = (column - 1) - prefix.unicodeScalars.count
        if missing > 0 { prefix += String(repeating: " ", count: missing) }
        return prefix + "^"
    }
}
