@testable import SpateSQL
import Testing

@Suite struct NameSuggesterTests {
    @Test func distanceCountsTranspositionsAsOneEdit() {
        #expect(NameSuggester.distance("FORM", "FROM") == 1)
        #expect(NameSuggester.distance("form", "FROM") == 1)
        #expect(NameSuggester.distance("amount", "amount") == 0)
        #expect(NameSuggester.distance("", "abc") == 3)
        #expect(NameSuggester.distance("kitten", "sitting") == 3)
        #expect(NameSuggester.distance("ca", "abc") == 3)
    }

    @Test func suggestsNearestWithinThreshold() {
        #expect(NameSuggester.nearest(to: "FORM", in: ["SELECT", "FROM", "WHERE"]) == "FROM")
        #expect(NameSuggester.nearest(to: "amout", in: ["userId", "amount", "timestamp"]) == "amount")
        #expect(NameSuggester.nearest(to: "tranactions", in: ["transactions", "alerts"]) == "transactions")
        #expect(NameSuggester.nearest(to: "merchnatId", in: ["merchantId"]) == "merchantId")
    }

    @Test func doesNotSuggestFarOrShortNames() {
        #expect(NameSuggester.nearest(to: "n", in: ["a", "b"]) == nil)
        #expect(NameSuggester.nearest(to: "xyz", in: ["amount"]) == nil)
        #expect(NameSuggester.nearest(to: "FORMAT", in: ["FROM"]) == nil)
        #expect(NameSuggester.nearest(to: "amount", in: ["amount"]) == nil)
        #expect(NameSuggester.nearest(to: String(repeating: "a", count: 300), in: [String(repeating: "a", count: 299)]) == nil)
    }

    @Test func caseOnlyDifferencesAreSuggested() {
        #expect(NameSuggester.nearest(to: "userid", in: ["amount", "userId"]) == "userId")
        #expect(NameSuggester.nearest(to: "ID", in: ["id"]) == "id")
    }

    @Test func tiesGoToTheFirstCandidate() {
        #expect(NameSuggester.nearest(to: "cat", in: ["bat", "cut"]) == "bat")
        #expect(NameSuggester.nearest(to: "cat", in: ["cut", "bat"]) == "cut")
    }

    @Test(arguments: [
        ("SELEC a FROM t", "SELECT"),
        ("CRATE STREAM s", "CREATE"),
        ("SELECT a FROM t WINDOW TUMBLING (SIZ 1 MINUTE)", "SIZE"),
        ("SELECT a FROM t WINDOW HOPPING (SIZE 2 MINUTES, ADVANSE BY 1 MINUTE)", "ADVANCE"),
        ("SELECT a FROM t SINCE EARLIST", "EARLIEST"),
        ("SELECT a FROM t UNTIL NWO", "NOW"),
        ("SELECT a FROM t EMIT CHANGE", "CHANGES"),
        ("SELECT a FROM t GROUPBY a", "GROUP"),
        ("SHOW JOSB", "JOBS"),
        ("CREATE CHANNEL c TYPE WEBHOK", "WEBHOOK"),
        ("CREATE ALARM a ON METRIC m STATISTIC AVG PERIOD 1 MINUTE WHEN > 1 FOR 1 OF 2 PERIODS MISSING AS BREACHNG", "BREACHING"),
        ("SELECT CAST(a AS BOOLEN) FROM t", "BOOLEAN"),
    ])
    func misspelledKeywordsAreSuggested(sql: String, expected: String) {
        #expect(parseError(sql)?.suggestion == expected)
    }
}
