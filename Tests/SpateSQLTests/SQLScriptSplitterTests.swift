@testable import SpateSQL
import Testing

@Suite struct SQLScriptSplitterTests {
    @Test func completeOnlyWhenEndedBySemicolonOutsideQuotesAndComments() {
        #expect(SQLScriptSplitter.isComplete("SELECT 1;"))
        #expect(SQLScriptSplitter.isComplete("SELECT 1;  -- trailing comment\n"))
        #expect(SQLScriptSplitter.isComplete("SELECT 1; /* c */ "))
        #expect(!SQLScriptSplitter.isComplete("SELECT 1"))
        #expect(!SQLScriptSplitter.isComplete("SELECT ';"))
        #expect(!SQLScriptSplitter.isComplete("SELECT \"a;"))
        #expect(!SQLScriptSplitter.isComplete("SELECT 1 -- ;"))
        #expect(!SQLScriptSplitter.isComplete("SELECT 1 /* ; "))
        #expect(!SQLScriptSplitter.isComplete("SELECT 1; SELECT"))
        #expect(!SQLScriptSplitter.isComplete(""))
        #expect(!SQLScriptSplitter.isComplete("   ;  "))
        #expect(SQLScriptSplitter.isComplete("SELECT 'it''s;'\n FROM t;"))
    }

    @Test func splitsStatements() {
        let scan = SQLScriptSplitter.scan("SELECT 'a;b'; ;\n SHOW JOBS ; SELECT\n 2")
        #expect(scan.statements == ["SELECT 'a;b'", "SHOW JOBS"])
        #expect(scan.remainder == "SELECT\n 2")
        #expect(!scan.isInsideQuoteOrComment)
        #expect(!scan.isComplete)
    }

    @Test func reportsOpenQuote() {
        let scan = SQLScriptSplitter.scan("INSERT INTO s VALUES ('multi\nline")
        #expect(scan.isInsideQuoteOrComment)
        #expect(scan.statements.isEmpty)
    }

    @Test func splitPiecesParseLikeTheWholeScript() throws {
        let script = "CREATE STREAM s; SELECT 'x;y' AS v FROM s; SHOW STREAMS;"
        let pieces = SQLScriptSplitter.scan(script).statements
        #expect(try pieces.map { try Parser.parseStatement($0) } == Parser.parseScript(script))
    }
}
