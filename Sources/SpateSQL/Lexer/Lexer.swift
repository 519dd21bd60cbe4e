// Lexer: SQL text to tokens.
//
// Layer: SpateSQL lexer. Works on the UTF-8 bytes of the text in one pass, with
// no backtracking; cost O(n) time and one Token per lexeme.
//
// Lexical rules:
// - Whitespace and comments (`-- to end of line`, `/* ... */`, not nested) separate tokens.
// - Words: [A-Za-z_ or any non-ASCII][A-Za-z0-9_ or any non-ASCII]*.
// - "double quoted" identifiers, `""` escapes a quote; never empty.
// - 'single quoted' strings, `''` escapes a quote; may span lines.
// - Numbers: digits, optional `.digits`, optional exponent; `.5` is a number.
// - Operators: = != <> < <= > >= => + - * / % || ( ) , ; .
//
// Invariants: positions are exact (see SourceLocation); identifiers are at most
// `SQLLimits.identifierBytesMax` bytes; the token list ends with `.endOfInput`.

/// Turns SQL text into tokens.
public struct Lexer {
    private let bytes: [UInt8]
    private let limits: SQLLimits
    private var index = 0
    private var line = 1
    private var column = 1

    /// Tokenizes `text`.
    ///
    /// - Throws: `SQLError` (kind `.lexical` or `.limitExceeded`) at the first
    ///   character that cannot be tokenized: an unterminated string, quoted
    ///   identifier or comment, an unknown character, an over-long identifier.
    public static func tokenize(_ text: String, limits: SQLLimits = .standard) throws(SQLError) -> [Token] {
        var lexer = Lexer(bytes: Array(text.utf8), limits: limits)
        return try lexer.run()
    }

    private init(bytes: [UInt8], limits: SQLLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    private var location: SourceLocation { SourceLocation(line: line, column: column, offset: index) }

    private func peek(_ ahead: Int = 0) -> UInt8? {
        index + ahead < bytes.count ? bytes[index + ahead] : nil
    }

    private mutating func advance() {
        let byte = bytes[index]
        index += 1
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
    }

    private mutating func run() throws(SQLError) -> [Token] {
        var tokens: [Token] = []
        while true {
            try skipTrivia()
            let start = location
            guard let byte = peek() else {
                tokens.append(Token(kind: .endOfInput, text: "", range: SourceRange(start: start, end: start)))
                return tokens
            }
            let (kind, text) = try lexToken(startingWith: byte, at: start)
            tokens.append(Token(kind: kind, text: text, range: SourceRange(start: start, end: location)))
        }
    }

    private mutating func skipTrivia() throws(SQLError) {
        while let byte = peek() {
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C {
                advance()
            } else if byte == UInt8(ascii: "-"), peek(1) == UInt8(ascii: "-") {
                while let next = peek(), next != 0x0A { advance() }
            } else if byte == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*") {
                let start = location
                advance(); advance()
                while true {
                    guard let next = peek() else {
                        throw SQLError(.lexical, "unterminated comment: '/*' has no matching '*/'", at: start)
                    }
                    if next == UInt8(ascii: "*"), peek(1) == UInt8(ascii: "/") {
                        advance(); advance()
                        break
                    }
                    advance()
                }
            } else {
                return
            }
        }
    }

    private static func isWordStart(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte >= 0x80
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private mutating func lexToken(startingWith byte: UInt8, at start: SourceLocation) throws(SQLError) -> (TokenKind, String) {
        if Self.isWordStart(byte) {
            let first = index
            while let next = peek(), Self.isWordStart(next) || Self.isDigit(next) { advance() }
            try checkIdentifierLength(index - first, at: start)
            return (.word, String(decoding: bytes[first..<index], as: UTF8.self))
        }
        if Self.isDigit(byte) || (byte == UInt8(ascii: ".") && peek(1).map(Self.isDigit) == true) {
            return lexNumber()
        }
        switch byte {
        case UInt8(ascii: "'"):
            return (.string, try lexQuoted(UInt8(ascii: "'"), at: start, what: "string"))
        case UInt8(ascii: "\""):
            let name = try lexQuoted(UInt8(ascii: "\""), at: start, what: "quoted name")
            if name.isEmpty { throw SQLError(.lexical, "a quoted name cannot be empty", at: start) }
            try checkIdentifierLength(name.utf8.count, at: start)
            return (.quotedIdentifier, name)
        case UInt8(ascii: "`"):
            throw SQLError(.lexical, "unexpected character '`': quote names with double quotes, as in \"my name\"", at: start)
        default:
            return try lexOperator(byte, at: start)
        }
    }

    private func checkIdentifierLength(_ count: Int, at start: SourceLocation) throws(SQLError) {
        if count > limits.identifierBytesMax {
            throw SQLError(.limitExceeded, "name is \(count) bytes long; the limit is \(limits.identifierBytesMax)", at: start)
        }
    }

    private mutating func lexNumber() -> (TokenKind, String) {
        let first = index
        var kind = TokenKind.integer
        while let next = peek(), Self.isDigit(next) { advance() }
        if peek() == UInt8(ascii: "."), let next = peek(1), Self.isDigit(next) {
            kind = .decimal
            advance()
            while let next = peek(), Self.isDigit(next) { advance() }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            var ahead = 1
            if let sign = peek(1), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { ahead = 2 }
            if let digit = peek(ahead), Self.isDigit(digit) {
                kind = .decimal
                for _ in 0..<ahead { advance() }
                while let next = peek(), Self.isDigit(next) { advance() }
            }
        }
        return (kind, String(decoding: bytes[first..<index], as: UTF8.self))
    }

    /// Reads a quoted lexeme whose quote character is doubled to escape it.
    private mutating func lexQuoted(_ quote: UInt8, at start: SourceLocation, what: String) throws(SQLError) -> String {
        advance()
        var value: [UInt8] = []
        while true {
            guard let next = peek() else {
                let mark = quote == UInt8(ascii: "'") ? "'" : "\""
                throw SQLError(.lexical, "unterminated \(what): no closing \(mark)", at: start)
            }
            advance()
            if next == quote {
                if peek() == quote {
                    advance()
                    value.append(quote)
                } else {
                    return String(decoding: value, as: UTF8.self)
                }
            } else {
                value.append(next)
            }
        }
    }

    private mutating func lexOperator(_ byte: UInt8, at start: SourceLocation) throws(SQLError) -> (TokenKind, String) {
        let second = peek(1)
        var result: (TokenKind, String)
        var length = 1
        switch byte {
        case UInt8(ascii: "("): result = (.leftParen, "(")
        case UInt8(ascii: ")"): result = (.rightParen, ")")
        case UInt8(ascii: ","): result = (.comma, ",")
        case UInt8(ascii: ";"): result = (.semicolon, ";")
        case UInt8(ascii: "."): result = (.dot, ".")
        case UInt8(ascii: "*"): result = (.star, "*")
        case UInt8(ascii: "+"): result = (.plus, "+")
        case UInt8(ascii: "-"): result = (.minus, "-")
        case UInt8(ascii: "/"): result = (.slash, "/")
        case UInt8(ascii: "%"): result = (.percent, "%")
        case UInt8(ascii: "="):
            if second == UInt8(ascii: ">") {
                result = (.arrow, "=>"); length = 2
            } else if second == UInt8(ascii: "=") {
                throw SQLError(.lexical, "'==' is not an SQL operator; compare with '='", at: start)
            } else {
                result = (.equal, "=")
            }
        case UInt8(ascii: "!"):
            guard second == UInt8(ascii: "=") else {
                throw SQLError(.lexical, "unexpected character '!'; write NOT for negation or '!=' for inequality", at: start)
            }
            result = (.notEqual, "!="); length = 2
        case UInt8(ascii: "<"):
            if second == UInt8(ascii: "=") { result = (.lessEqual, "<="); length = 2 }
            else if second == UInt8(ascii: ">") { result = (.notEqual, "<>"); length = 2 }
            else { result = (.less, "<") }
        case UInt8(ascii: ">"):
            if second == UInt8(ascii: "=") { result = (.greaterEqual, ">="); length = 2 }
            else { result = (.greater, ">") }
        case UInt8(ascii: "|"):
            guard second == UInt8(ascii: "|") else {
                throw SQLError(.lexical, "unexpected character '|'; string concatenation is '||'", at: start)
            }
            result = (.concat, "||"); length = 2
        default:
            let scalar = byte < 0x80 && byte >= 0x20 ? String(UnicodeScalar(byte)) : "\\u{\(String(byte, radix: 16))}"
            throw SQLError(.lexical, "unexpected character '\(scalar)'", at: start)
        }
        for _ in 0..<length { advance() }
        return result
    }
}
