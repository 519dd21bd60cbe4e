@testable import SpateSQL
import Testing

@Suite struct LimitsTests {
    @Test func deepParenthesesGiveAnErrorNotACrash() {
        let depth = 100_000
        let sql = "SELECT " + String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)
        let error = parseError(sql)
        #expect(error?.kind == .limitExceeded)
        #expect(error?.message == "expression is nested more than 256 levels deep")
        // The 256th '(' opens the 257th nested expression (the select item is the first).
        #expect(error?.location.column == 8 + 256)
    }

    @Test func deepPrefixOperatorsAndLongChainsAreBounded() {
        #expect(parseError("SELECT " + String(repeating: "NOT ", count: 10_000) + "a")?.kind == .limitExceeded)
        #expect(parseError("SELECT " + String(repeating: "- ", count: 10_000) + "a")?.kind == .limitExceeded)
        #expect(parseError("SELECT " + Array(repeating: "a", count: 10_000).joined(separator: " + "))?.kind == .limitExceeded)
        #expect(parseError("SELECT " + String(repeating: "f(", count: 10_000) + "1" + String(repeating: ")", count: 10_000))?.kind == .limitExceeded)
    }

    @Test func nestingUpToTheLimitParses() throws {
        let nested = String(repeating: "(", count: 200) + "1" + String(repeating: ")", count: 200)
        #expect(try Parser.parseStatement("SELECT " + nested).description == "SELECT 1")
        let chain = Array(repeating: "a", count: 200).joined(separator: " + ")
        let statement = try Parser.parseStatement("SELECT " + chain)
        #expect(try Parser.parseStatement(statement.description) == statement)
    }

    @Test func inListIsLimited() throws {
        let thousand = (1...1000).map(String.init).joined(separator: ", ")
        #expect(throws: Never.self) { try Parser.parseStatement("SELECT a FROM t WHERE a IN (\(thousand))") }
        let error = parseError("SELECT a FROM t WHERE a IN (\(thousand), 1001)")
        #expect(error?.kind == .limitExceeded)
        #expect(error?.message == "too many values in the IN list: the limit is 1000")
    }

    @Test func statementLengthIsLimited() {
        let big = "SELECT '" + String(repeating: "x", count: 1 << 20) + "'"
        #expect(throws: SQLError.self) { try Parser.parseStatement(big) }
        let error = parseError("SHOW JOBS; " + big)
        #expect(error?.kind == .limitExceeded)
        #expect(error?.location.column == 12)
    }

    @Test func customLimitsApply() {
        var limits = SQLLimits()
        limits.expressionDepthMax = 4
        limits.listCountMax = 3
        #expect(parseError("SELECT ((((1))))", limits: limits)?.kind == .limitExceeded)
        #expect(parseError("SELECT a, b, c, d FROM t", limits: limits)?.message == "too many items in the select list: the limit is 3")
        limits = SQLLimits()
        limits.scriptStatementsMax = 2
        #expect(parseError("SHOW JOBS; SHOW JOBS; SHOW JOBS", limits: limits)?.kind == .limitExceeded)
    }
}
