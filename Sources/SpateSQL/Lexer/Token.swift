// Token: one lexical unit of SQL text.
//
// Layer: SpateSQL lexer. Keywords are not a separate token kind: every bare word
// is `.word`, and the parser decides from context whether it is a keyword
// (compared case-insensitively) or a name. This keeps words such as `timestamp`,
// `key` or `count` usable as names wherever they are not ambiguous.
//
// Invariants:
// - `text` is the token's value: for `.string` and `.quotedIdentifier` the
//   unescaped contents (no quotes); for everything else the source spelling.
// - A token list always ends with exactly one `.endOfInput` token.

/// The kind of a token.
public enum TokenKind: Hashable, Sendable {
    /// A bare word: keyword or unquoted identifier.
    case word
    /// `"a name"`; text is the unescaped name.
    case quotedIdentifier
    /// `'text'`; text is the unescaped string.
    case string
    /// Digits only.
    case integer
    /// Digits with a fraction and/or exponent.
    case decimal
    case leftParen, rightParen, comma, semicolon, dot
    case star, plus, minus, slash, percent
    /// `||`
    case concat
    case equal
    /// `!=` or `<>`
    case notEqual
    case less, lessEqual, greater, greaterEqual
    /// `=>` (named function argument)
    case arrow
    case endOfInput
}

/// A token with its value and position.
public struct Token: Hashable, Sendable {
    public var kind: TokenKind
    public var text: String
    public var range: SourceRange

    public init(kind: TokenKind, text: String, range: SourceRange) {
        self.kind = kind
        self.text = text
        self.range = range
    }

    /// True when this is the bare word `keyword` (compared case-insensitively;
    /// `keyword` must be upper case ASCII).
    public func isKeyword(_ keyword: String) -> Bool {
        kind == .word && Keywords.equalsIgnoringCase(text, keyword)
    }

    /// True when this is a bare word that is one of the reserved keywords.
    public var isReservedWord: Bool {
        kind == .word && Keywords.isReserved(text)
    }

    /// How the token is named in an error message: `'FORM'`, `string 'abc'`, `end of input`.
    public var displayName: String {
        switch kind {
        case .word: return "'\(text)'"
        case .quotedIdentifier: return "name \"\(text)\""
        case .string: return "string '\(text.count > 40 ? String(text.prefix(40)) + "..." : text)'"
        case .integer, .decimal: return "number \(text)"
        case .endOfInput: return "end of input"
        default: return "'\(text)'"
        }
    }
}
