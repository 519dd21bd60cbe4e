@testable import SpateSQL
import Testing

/// Errors a user can make, with the position and suggestion they get.
@Suite struct AnalyzerErrorTests {
    /// Asserts the error for `sql` is at the `occurrence`th `needle`, mentions `fragment` and suggests `suggestion`.
    func expectError(_ sql: String, at needle: String, occurrence: Int = 1, mentioning fragment: String, suggestion: String? = nil,
                     kind: SQLError.Kind? = nil, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        guard let error = analysisError(sql, sourceLocation: sourceLocation) else { return }
        #expect(error.location.line == 1, sourceLocation: sourceLocation)
        #expect(error.location.column == column(of: needle, in: sql, occurrence: occurrence), "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
        #expect(error.suggestion == suggestion, sourceLocation: sourceLocation)
        if let kind { #expect(error.kind == kind, sourceLocation: sourceLocation) }
    }

    @Test func unknownNamesSuggestTheNearest() {
        expectError("SELECT amount FROM transaction UNTIL NOW", at: "transaction", mentioning: "unknown stream or table transaction",
                    suggestion: "transactions", kind: .unknownName)
        expectError("SELECT userId, AVG(amout) FROM transactions GROUP BY userId", at: "amout", mentioning: "unknown column amout",
                    suggestion: "amount", kind: .unknownName)
        expectError("SELECT userId FROM transactions WHERE merchant_id = 'm1'", at: "merchant_id", mentioning: "unknown column",
                    suggestion: "merchantId", kind: .unknownName)
        expectError("SELECT AVRG(amount) FROM transactions", at: "AVRG", mentioning: "unknown function AVRG", suggestion: "AVG", kind: .unknownName)
        expectError("SELECT ZSCOR(amount) FROM transactions", at: "ZSCOR", mentioning: "unknown function", suggestion: "ZSCORE")
        expectError("SELECT ZSCORE(amount, treshold => 4) FROM transactions", at: "treshold", mentioning: "ZSCORE has no option treshold",
                    suggestion: "threshold", kind: .unknownName)
        expectError("SELECT job FROM alert", at: "alert", mentioning: "unknown stream or table", suggestion: "alerts")
    }

    @Test func positionsOnLaterLines() {
        let sql = "SELECT userId,\n       AVG(amout)\nFROM transactions GROUP BY userId"
        guard let error = analysisError(sql) else { return }
        #expect(error.location.line == 2 && error.location.column == 12)
        #expect(error.render(source: sql).hasSuffix("           ^\nhint: did you mean amount?"))
    }

    @Test func typeErrors() {
        expectError("SELECT amount + userId FROM transactions", at: "userId", mentioning: "+ needs numbers, not STRING")
        expectError("SELECT amount FROM transactions WHERE amount", at: "amount", occurrence: 2, mentioning: "WHERE needs a BOOLEAN condition, not DOUBLE")
        expectError("SELECT amount FROM transactions WHERE userId = 5", at: "userId =", mentioning: "cannot compare STRING with BIGINT")
        expectError("SELECT amount FROM transactions WHERE amount LIKE 'a%'", at: "amount LIKE", mentioning: "LIKE compares strings, not DOUBLE")
        expectError("SELECT SUM(userId) FROM transactions", at: "userId", mentioning: "SUM takes a number, not STRING")
        expectError("SELECT CASE WHEN amount > 1 THEN 'big' ELSE 0 END FROM transactions", at: "0 END", mentioning: "CASE results must share one type")
        expectError("SELECT amount FROM transactions WHERE timestamp > 5", at: "timestamp", occurrence: 1, mentioning: "cannot compare TIMESTAMP with BIGINT")
        expectError("SELECT timestamp + 1.5 FROM transactions", at: "1.5", mentioning: "cannot apply + to TIMESTAMP and DOUBLE")
        expectError("SELECT amount FROM transactions WHERE timestamp > 'yesterday'", at: "'yesterday'", mentioning: "cannot read time 'yesterday'")
        expectError("SELECT NOT amount FROM transactions", at: "amount", mentioning: "NOT needs a BOOLEAN")
        expectError("SELECT amount > 1 AND userId FROM transactions", at: "userId", mentioning: "AND needs BOOLEAN operands, not STRING")
        expectError("SELECT upper(amount) FROM transactions", at: "upper", mentioning: "argument 1 of UPPER must be a STRING, not DOUBLE")
        expectError("SELECT CAST(true AS TIMESTAMP) FROM transactions", at: "true", mentioning: "cannot CAST BOOLEAN to TIMESTAMP")
        expectError("SELECT CAST('May 1st' AS TIMESTAMP)", at: "'May 1st'", mentioning: "cannot read time")
    }

    @Test func aggregateRules() {
        expectError("SELECT userId, COUNT(*) FROM transactions WINDOW TUMBLING (SIZE 1 MINUTE)", at: "userId",
                    mentioning: "userId must appear in GROUP BY or be used in an aggregate")
        expectError("SELECT merchantId, COUNT(*) FROM transactions GROUP BY userId", at: "merchantId",
                    mentioning: "merchantId must appear in GROUP BY")
        expectError("SELECT userId, COUNT(*) FROM transactions GROUP BY userId HAVING amount > 5", at: "amount",
                    mentioning: "amount must appear in GROUP BY")
        expectError("SELECT AVG(MAX(amount)) FROM transactions", at: "MAX", mentioning: "aggregate functions cannot be nested")
        expectError("SELECT COUNT(*) FROM transactions GROUP BY COUNT(*)", at: "COUNT", occurrence: 2, mentioning: "cannot be used in GROUP BY")
        expectError("SELECT COUNT(*) AS cnt FROM transactions GROUP BY cnt", at: "cnt", occurrence: 2, mentioning: "GROUP BY cnt names COUNT(*), which is computed per group")
        expectError("SELECT SUM(*) FROM transactions", at: "SUM", mentioning: "only COUNT takes *")
        expectError("SELECT AVG(DISTINCT amount) FROM transactions", at: "AVG", mentioning: "DISTINCT is supported only in COUNT(DISTINCT x)")
        expectError("SELECT APPROX_PERCENTILE(amount, 1.5) FROM transactions", at: "1.5", mentioning: "must be in (0, 1]")
        expectError("SELECT APPROX_PERCENTILE(amount, amount) FROM transactions", at: "amount)", mentioning: "must be a constant number")
        expectError("SELECT APPROX_PERCENTILE(amount) FROM transactions", at: "APPROX", mentioning: "takes a value and a percentile")
        expectError("SELECT * FROM transactions GROUP BY userId", at: "*", mentioning: "SELECT * cannot be used with GROUP BY")
        expectError("SELECT COUNT(*)", at: "COUNT", mentioning: "needs rows to aggregate")
        expectError("SELECT DISTINCT userId, COUNT(*) FROM transactions", at: "SELECT", mentioning: "SELECT DISTINCT cannot be combined")
        expectError("SELECT userId FROM transactions GROUP BY 3", at: "3", mentioning: "must be the position of a select item, 1 to 1")
    }

    @Test func pseudoColumnsAndDetectorsInTheWrongPlace() {
        expectError("SELECT amount FROM transactions WHERE anomaly", at: "anomaly", mentioning: "anomaly needs a detector such as ZSCORE(x)")
        expectError("SELECT WINDOW_START, COUNT(*) FROM transactions GROUP BY userId", at: "WINDOW_START", mentioning: "needs a WINDOW clause")
        expectError("SELECT COUNT(*) FROM transactions WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY WINDOW_START", at: "WINDOW_START",
                    mentioning: "known only for output rows")
        expectError("SELECT SUM(ZSCORE(amount)) FROM transactions", at: "ZSCORE", mentioning: "cannot be used in the argument of SUM")
        expectError("SELECT ZSCORE(ZSCORE(amount)) FROM transactions", at: "ZSCORE", occurrence: 2, mentioning: "detectors cannot be nested")
        expectError("SELECT ZSCORE(userId) FROM transactions", at: "userId", mentioning: "ZSCORE scores numbers")
        expectError("SELECT ZSCORE(amount, amount) FROM transactions", at: "ZSCORE", mentioning: "ZSCORE takes one input, not 2")
        expectError("SELECT ZSCORE(amount, threshold => amount) FROM transactions", at: "amount)", mentioning: "must be a constant number")
        expectError("SELECT userId, ZSCORE(amount) FROM transactions GROUP BY userId", at: "amount",
                    mentioning: "amount must appear in GROUP BY")
        expectError("SELECT abs(amount) OVER (PARTITION BY userId) FROM transactions", at: "OVER", mentioning: "applies to detectors")
        expectError("SELECT ZSCORE(score) FROM alerts", at: "ZSCORE", mentioning: "catalog table")
    }

    @Test func pathsOnDeclaredStreams() {
        expectError("SELECT userId.name FROM transactions", at: "name", mentioning: "userId is a STRING column, not a JSON object")
        expectError("SELECT device.lat FROM transactions", at: "device", mentioning: "unknown column device")
    }

    @Test func orderByNeedsABoundedQueryAndAnOutput() {
        expectError("SELECT userId, amount FROM transactions ORDER BY amount DESC", at: "amount", occurrence: 2,
                    mentioning: "ORDER BY needs a bounded query")
        guard let error = analysisError("SELECT userId, amount FROM transactions ORDER BY amount DESC") else { return }
        #expect(error.message.contains("add UNTIL NOW"))
        expectError("SELECT userId FROM transactions UNTIL NOW ORDER BY amount", at: "amount", mentioning: "ORDER BY amount is not an output column")
        expectError("SELECT userId FROM transactions UNTIL NOW ORDER BY 2", at: "2", mentioning: "1 to 1")
    }

    @Test func clausesThatDoNotFitTheQuery() {
        expectError("SELECT userId, COUNT(*) FROM transactions GROUP BY userId EMIT FINAL", at: "SELECT", mentioning: "would never emit")
        expectError("SELECT userId FROM transactions EMIT FINAL", at: "SELECT", mentioning: "EMIT FINAL applies to queries with GROUP BY")
        expectError("SELECT amount FROM transactions SINCE '2024-05-01T00:00:00Z' UNTIL '2024-04-01T00:00:00Z'", at: "'2024-04",
                    mentioning: "is before SINCE")
        expectError("SELECT COUNT(*) FROM alerts WINDOW TUMBLING (SIZE 1 MINUTE)", at: "WINDOW", mentioning: "WINDOW applies to streams")
        expectError("SELECT job FROM alerts SINCE '1 hour ago'", at: "'1 hour ago'", mentioning: "SINCE applies to streams")
        expectError("SELECT STDDEV(score) FROM alerts", at: "STDDEV", mentioning: "not available on the catalog table alerts")
        expectError("SELECT amount", at: "amount", mentioning: "a SELECT without FROM has no columns")
        expectError("SELECT *", at: "*", mentioning: "SELECT * needs a relation")
    }
}
