// Parser: tokens to AST, by recursive descent.
//
// Layer: SpateSQL parser. Entry points are `parseScript`, `parseStatement` and
// `parseExpression`; the statement families are in extensions (ParserStream,
// ParserJob, ParserChannelAlarm, ParserSelect, ParserExpression, ParserTime).
// This file holds the token cursor and the error helpers every family shares.
//
// Invariants:
// - The cursor never moves past the final `.endOfInput` token.
// - Every error names what was expected and what was found, at the found token's
//   position; when the found word is close to an expected keyword it carries a
//   suggestion (FORM -> FROM).
// - Recursion depth and expression height are bounded by SQLLimits, so deep input
//   produces an error, never a stack overflow.

/// Parses Spate's SQL dialect.
public struct Parser {
    var tokens: [Token]
    var position = 0
    let limits: SQLLimits
    /// Current nesting of recursive expression parsing.
    var recursionDepth = 0

    init(tokens: [Token], limits: SQLLimits) {
        precondition(tokens.last?.kind == .endOfInput, "a token list ends with end of input")
        self.tokens = tokens
        self.limits = limits
    }

    // MARK: Entry points

    /// Parses a script: statements separated by `;` (empty statements are skipped).
    ///
    /// - Returns: the statements in order; an empty array for blank or comment-only text.
    /// - Throws: `SQLError` at the first error; nothing after it is parsed.
    /// - Complexity: O(n) in the length of `text`.
    public static func parseScript(_ text: String, limits: SQLLimits = .standard) throws(SQLError) -> [Statement] {
        guard text.utf8.count <= limits.scriptBytesMax else {
            throw SQLError(.limitExceeded, "script is \(text.utf8.count) bytes long; the limit is \(limits.scriptBytesMax)", at: .start)
        }
        var parser = Parser(tokens: try Lexer.tokenize(text, limits: limits), limits: limits)
        var statements: [Statement] = []
        while true {
            while parser.consume(.semicolon) != nil {}
            if parser.at(.endOfInput) { return statements }
            if statements.count == limits.scriptStatementsMax {
                throw parser.error(.limitExceeded, "script has more than \(limits.scriptStatementsMax) statements", at: parser.current)
            }
            statements.append(try parser.parseStatementBody())
            if parser.consume(.semicolon) == nil && !parser.at(.endOfInput) {
                throw parser.unexpected("';' or end of input after the statement", suggesting: Self.continuationKeywords)
            }
        }
    }

    /// Parses exactly one statement, optionally followed by `;`.
    ///
    /// - Throws: `SQLError`, also when the text is empty or holds a second statement.
    public static func parseStatement(_ text: String, limits: SQLLimits = .standard) throws(SQLError) -> Statement {
        guard text.utf8.count <= limits.statementBytesMax else {
            throw SQLError(.limitExceeded, "statement is \(text.utf8.count) bytes long; the limit is \(limits.statementBytesMax)", at: .start)
        }
        var parser = Parser(tokens: try Lexer.tokenize(text, limits: limits), limits: limits)
        if parser.at(.endOfInput) || parser.at(.semicolon) {
            throw parser.unexpected("a statement", suggesting: [])
        }
        let statement = try parser.parseStatementBody()
        _ = parser.consume(.semicolon)
        if !parser.at(.endOfInput) {
            let what = parser.tokens[parser.position - 1].kind == .semicolon ? "end of input (one statement only)" : "';' or end of input after the statement"
            throw parser.unexpected(what, suggesting: Self.continuationKeywords)
        }
        return statement
    }

    /// Parses a single expression (for tests and for tools that take an expression).
    public static func parseExpression(_ text: String, limits: SQLLimits = .standard) throws(SQLError) -> Expression {
        var parser = Parser(tokens: try Lexer.tokenize(text, limits: limits), limits: limits)
        let expression = try parser.parseExpression()
        if !parser.at(.endOfInput) {
            throw parser.unexpected("end of the expression", suggesting: [])
        }
        return expression
    }

    /// Keywords that may follow a complete statement part; offered as suggestions
    /// when a statement ends on an unexpected word (`WHER` -> WHERE).
    static let continuationKeywords = [
        "FROM", "SINCE", "UNTIL", "WINDOW", "WHERE", "GROUP", "HAVING", "EMIT", "ORDER", "LIMIT",
        "WITH", "AS", "AND", "OR", "NOT", "IS", "IN", "LIKE", "BETWEEN", "OVER", "SET", "VALUES", "SELECT",
        "NOTIFY", "MISSING",
    ]

    // MARK: Statement dispatch

    mutating func parseStatementBody() throws(SQLError) -> Statement {
        let first = current
        let kind: Statement.Kind
        guard first.kind == .word else {
            throw unexpected("a statement (SELECT, INSERT, CREATE, SHOW, ...)", suggesting: [])
        }
        switch Keywords.uppercased(first.text) {
        case "SELECT": kind = .select(try parseSelect())
        case "INSERT": kind = .insert(try parseInsert())
        case "CREATE": kind = try parseCreate()
        case "ALTER": kind = .alter(try parseAlter())
        case "DROP": kind = .drop(try parseDrop())
        case "SHOW": kind = .show(try parseShow())
        case "DESCRIBE": kind = .describe(try parseDescribe())
        case "EXPLAIN": kind = .explain(try parseExplain())
        case "BACKTEST": kind = .backtest(try parseBacktest())
        case "SET": kind = .set(try parseSet())
        case "COPY": kind = .copy(try parseCopy())
        case "PAUSE", "RESUME", "RESTART": kind = .jobControl(try parseJobControl())
        case "ACK", "RESOLVE": kind = .alertAction(try parseAlertAction())
        case "TEST": kind = .testChannel(try parseTestChannel())
        default:
            throw unexpected("a statement (SELECT, INSERT, CREATE, SHOW, ...)", suggesting: Keywords.statementStarts)
        }
        let range = SourceRange(start: first.range.start, end: previousEnd)
        if range.byteCount > limits.statementBytesMax {
            throw error(.limitExceeded, "statement is \(range.byteCount) bytes long; the limit is \(limits.statementBytesMax)", at: first)
        }
        return Statement(kind, range: range)
    }

    // MARK: Cursor

    var current: Token { tokens[position] }

    /// The token `ahead` positions after the current one (end of input past the end).
    func peek(_ ahead: Int = 1) -> Token {
        tokens[min(position + ahead, tokens.count - 1)]
    }

    /// End of the last consumed token.
    var previousEnd: SourceLocation {
        position == 0 ? current.range.start : tokens[position - 1].range.end
    }

    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[position]
        if token.kind != .endOfInput { position += 1 }
        return token
    }

    func at(_ kind: TokenKind) -> Bool { current.kind == kind }

    func atKeyword(_ keyword: String) -> Bool { current.isKeyword(keyword) }

    mutating func consume(_ kind: TokenKind) -> Token? {
        at(kind) ? advance() : nil
    }

    mutating func consumeKeyword(_ keyword: String) -> Token? {
        atKeyword(keyword) ? advance() : nil
    }

    /// Consumes a token of `kind` or throws "expected <what>, found ...".
    @discardableResult
    mutating func expect(_ kind: TokenKind, _ what: String) throws(SQLError) -> Token {
        guard let token = consume(kind) else { throw unexpected(what, suggesting: []) }
        return token
    }

    /// Consumes the keyword or throws "expected KEYWORD <context>, found ...", suggesting
    /// the keyword when the found word is a near miss.
    @discardableResult
    mutating func expectKeyword(_ keyword: String, _ context: String) throws(SQLError) -> Token {
        guard let token = consumeKeyword(keyword) else {
            throw unexpected("\(keyword) \(context)", suggesting: [keyword])
        }
        return token
    }

    /// Consumes one of `keywords` and returns it upper-cased, or throws listing them.
    mutating func expectOneOf(_ keywords: [String], _ context: String) throws(SQLError) -> (keyword: String, token: Token) {
        for keyword in keywords where atKeyword(keyword) {
            return (keyword, advance())
        }
        throw unexpected(Self.alternatives(keywords) + " " + context, suggesting: keywords)
    }

    /// "A, B or C"
    static func alternatives(_ words: [String]) -> String {
        words.count <= 1 ? (words.first ?? "") : words.dropLast().joined(separator: ", ") + " or " + words.last!
    }

    // MARK: Names

    /// Reads a name: a bare word that is not reserved, or a "quoted" name.
    ///
    /// - Parameters:
    ///   - what: how the expected thing is named in errors ("a stream name").
    ///   - allowReserved: accept reserved words bare, where no ambiguity is possible
    ///     (option names, path parts after a dot).
    mutating func parseIdentifier(_ what: String, allowReserved: Bool = false) throws(SQLError) -> Identifier {
        let token = current
        switch token.kind {
        case .quotedIdentifier:
            advance()
            return Identifier(token.text, range: token.range)
        case .word where allowReserved || !token.isReservedWord:
            advance()
            return Identifier(token.text, range: token.range)
        case .word:
            throw error(.syntax, "expected \(what), found keyword \(Keywords.uppercased(token.text)); to use it as a name, quote it: \"\(token.text)\"", at: token)
        default:
            throw unexpected(what, suggesting: [])
        }
    }

    /// True when the current token can start a name.
    var atIdentifier: Bool {
        at(.quotedIdentifier) || (at(.word) && !current.isReservedWord)
    }

    /// `IF NOT EXISTS`, if present.
    mutating func parseIfNotExists() throws(SQLError) -> Bool {
        guard atKeyword("IF"), peek().isKeyword("NOT") else { return false }
        advance(); advance()
        try expectKeyword("EXISTS", "after IF NOT")
        return true
    }

    /// `IF EXISTS`, if present.
    mutating func parseIfExists() -> Bool {
        guard atKeyword("IF"), peek().isKeyword("EXISTS") else { return false }
        advance(); advance()
        return true
    }

    // MARK: Numbers

    /// Reads an integer literal token as Int64 (no sign).
    mutating func parseInteger(_ what: String) throws(SQLError) -> (value: Int64, token: Token) {
        let token = current
        guard token.kind == .integer else {
            if token.kind == .decimal {
                throw error(.invalidValue, "expected \(what), found \(token.displayName); it must be a whole number", at: token)
            }
            throw unexpected(what, suggesting: [])
        }
        advance()
        guard let value = Int64(token.text) else {
            throw error(.invalidValue, "number \(token.text) is too large (the largest is \(Int64.max))", at: token)
        }
        return (value, token)
    }

    /// Reads `[-] integer | [-] decimal` as a literal.
    mutating func parseSignedNumber(_ what: String) throws(SQLError) -> (literal: Literal, range: SourceRange) {
        let start = current
        let negative = consume(.minus) != nil
        guard at(.integer) || at(.decimal) else { throw unexpected(what, suggesting: []) }
        let token = advance()
        let literal = try numberLiteral(token, negative: negative)
        return (literal, SourceRange(start: start.range.start, end: token.range.end))
    }

    /// The literal for a number token, with an optional leading minus folded in.
    func numberLiteral(_ token: Token, negative: Bool) throws(SQLError) -> Literal {
        let text = negative ? "-" + token.text : token.text
        if token.kind == .integer {
            guard let value = Int64(text) else {
                throw error(.invalidValue, "integer \(text) does not fit in 64 bits; write it as a decimal (\(text).0) if an approximate value will do", at: token)
            }
            return .integer(value)
        }
        guard let value = Double(text), value.isFinite else {
            throw error(.invalidValue, "number \(text) is out of range for a DOUBLE", at: token)
        }
        return .decimal(value)
    }

    // MARK: Lists and limits

    /// Throws when a list would grow past `limit`.
    func checkCount(_ count: Int, limit: Int, _ what: String) throws(SQLError) {
        if count >= limit {
            throw error(.limitExceeded, "too many \(what): the limit is \(limit)", at: current)
        }
    }

    // MARK: Errors

    func error(_ kind: SQLError.Kind, _ message: String, at token: Token, suggestion: String? = nil) -> SQLError {
        SQLError(kind, message, at: token.range.start, suggestion: suggestion)
    }

    /// "expected <what>, found <current>", with the nearest of `suggesting` when the
    /// current token is a word close to one of them.
    func unexpected(_ what: String, suggesting keywords: [String]) -> SQLError {
        let token = current
        var suggestion: String?
        if token.kind == .word, !keywords.contains(where: { token.isKeyword($0) }) {
            suggestion = NameSuggester.nearest(to: Keywords.uppercased(token.text), in: keywords)
        }
        var found = token.displayName
        if token.isReservedWord { found = "keyword " + Keywords.uppercased(token.text) }
        return SQLError(.syntax, "expected \(what), found \(found)", at: token.range.start, suggestion: suggestion)
    }
}
