@testable import SpateSQL
import Testing

@Suite struct SQLErrorTests {
    @Test func renderShowsLineAndCaret() {
        let sql = "SELECT userId, COUNT(*) n FORM tx"
        guard let error = parseError(sql) else { return }
        #expect(error.render(source: sql) == """
        error: line 1, column 27: expected FROM after select list, found 'FORM'
        SELECT userId, COUNT(*) n FORM tx
                                  ^
        hint: did you mean FROM?
        """)
        #expect(error.description == "line 1, column 27: expected FROM after select list, found 'FORM'; did you mean FROM?")
    }

    @Test func renderPicksTheRightLineAndKeepsTabs() {
        let sql = "SELECT a\nFROM t\n\tWHERE b = = 1"
        guard let error = parseError(sql) else { return }
        #expect(error.location.line == 3)
        #expect(error.location.column == 12)
        #expect(error.render(source: sql) == "error: line 3, column 12: expected an expression, found '='\n\tWHERE b = = 1\n\t          ^")
    }

    @Test func renderWithoutSourceLine() {
        let error = SQLError(.syntax, "boom", at: SpateSQL.SourceLocation(line: 9, column: 1, offset: 0))
        #expect(error.render(source: "x") == "error: line 9, column 1: boom")
    }

    @Test func caretAtEndOfInput() {
        let sql = "SELECT a FROM"
        guard let error = parseError(sql) else { return }
        #expect(error.render(source: sql).hasSuffix("SELECT a FROM\n             ^"))
    }
}
