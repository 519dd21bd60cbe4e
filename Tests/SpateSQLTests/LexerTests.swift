@testable import SpateSQL
import Testing

@Suite struct LexerTests {
    @Test func tokenKindsAndValues() throws {
        let tokens = try Lexer.tokenize("SELECT \"a b\", 'it''s', 12, 3.5, 1e3 <> != <= >= => || -- note\n /* x */ ;")
        #expect(tokens.map(\.kind) == [.word, .quotedIdentifier, .comma, .string, .comma, .integer, .comma, .decimal, .comma, .decimal,
                                       .notEqual, .notEqual, .lessEqual, .greaterEqual, .arrow, .concat, .semicolon, .endOfInput])
        #expect(tokens[1].text == "a b")
        #expect(tokens[3].text == "it's")
        #expect(tokens[9].text == "1e3")
    }

    @Test func positionsCountLinesColumnsAndBytes() throws {
        let tokens = try Lexer.tokenize("SELECT\n  é, x")
        // é is two UTF-8 bytes but one column.
        #expect(tokens[1].range.start == SpateSQL.SourceLocation(line: 2, column: 3, offset: 9))
        #expect(tokens[2].range.start == SpateSQL.SourceLocation(line: 2, column: 4, offset: 11))
        #expect(tokens[3].range.start == SpateSQL.SourceLocation(line: 2, column: 6, offset: 13))
    }

    @Test func quotedNameEscapesAndMultilineStrings() throws {
        let tokens = try Lexer.tokenize("\"say \"\"hi\"\"\" 'a\nb'")
        #expect(tokens[0].text == "say \"hi\"")
        #expect(tokens[1].text == "a\nb")
    }

    @Test func keywordsMatchCaseInsensitively() throws {
        let token = try Lexer.tokenize("sElEcT")[0]
        #expect(token.isKeyword("SELECT"))
        #expect(!token.isKeyword("SELECTS"))
        #expect(token.isReservedWord)
        #expect(!(try Lexer.tokenize("timestamp")[0]).isReservedWord)
    }

    @Test func numberFollowedByDotWordIsNotDecimal() throws {
        let tokens = try Lexer.tokenize("1.x .5")
        #expect(tokens.map(\.kind) == [.integer, .dot, .word, .decimal, .endOfInput])
    }

    @Test(arguments: [
        ("SELECT 'abc", 1, 8, "unterminated string"),
        ("SELECT \"abc", 1, 8, "unterminated quoted name"),
        ("SELECT 1 /* never closed", 1, 10, "unterminated comment"),
        ("SELECT a == b", 1, 10, "'=='"),
        ("SELECT `a`", 1, 8, "double quotes"),
        ("SELECT\n  a # b", 2, 5, "unexpected character '#'"),
        ("SELECT \"\"", 1, 8, "cannot be empty"),
        ("SELECT a | b", 1, 10, "'||'"),
    ])
    func lexicalErrors(sql: String, line: Int, column: Int, fragment: String) {
        do {
            _ = try Lexer.tokenize(sql)
            Issue.record("expected a lexical error for \(sql)")
        } catch {
            #expect(error.location.line == line)
            #expect(error.location.column == column)
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    @Test func identifierLengthIsLimited() throws {
        let longName = String(repeating: "a", count: 129)
        #expect(throws: SQLError.self) { try Lexer.tokenize(longName) }
        #expect(throws: SQLError.self) { try Lexer.tokenize("\"\(longName)\"") }
        #expect(try Lexer.tokenize(String(repeating: "a", count: 128)).count == 2)
    }
}
