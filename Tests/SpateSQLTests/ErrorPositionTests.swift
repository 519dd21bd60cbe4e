@testable import SpateSQL
import Testing

/// One invalid input and the error a user must see for it.
struct ErrorCase: CustomTestStringConvertible, Sendable {
    var sql: String
    var line: Int
    var column: Int
    var message: String
    var suggestion: String? = nil

    var testDescription: String { sql }
}

@Suite struct ErrorPositionTests {
    static let cases: [ErrorCase] = [
        ErrorCase(sql: "SELECT userId, COUNT(*) n FORM tx", line: 1, column: 27, message: "expected FROM after select list, found 'FORM'", suggestion: "FROM"),
        ErrorCase(sql: "SELECT userId FORM tx", line: 1, column: 15, message: "expected FROM after select list, found 'FORM'", suggestion: "FROM"),
        ErrorCase(sql: "SELECT a b c FROM t", line: 1, column: 12, message: "expected FROM after select list, found 'c'"),
        ErrorCase(sql: "SELCT a FROM t", line: 1, column: 1, message: "expected a statement (SELECT, INSERT, CREATE, SHOW, ...), found 'SELCT'", suggestion: "SELECT"),
        ErrorCase(sql: "SELECT a FROM t WHER a > 1", line: 1, column: 17, message: "expected ';' or end of input after the statement, found 'WHER'", suggestion: "WHERE"),
        ErrorCase(sql: "SELECT a FROM t WINDOW TUMBLING (SIZE 0 MINUTES)", line: 1, column: 39, message: "window SIZE must be longer than zero"),
        ErrorCase(sql: "SELECT a FROM t WINDOW TUMBLING (SIZE 1 MINUTS)", line: 1, column: 41,
                  message: "expected a time unit (MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS) after window SIZE 1, found 'MINUTS'", suggestion: "MINUTES"),
        ErrorCase(sql: "SELECT a FROM t WINDOW TUMBLING (SIZE -1 MINUTE)", line: 1, column: 39, message: "window SIZE cannot be negative"),
        ErrorCase(sql: "SELECT a FROM t WINDOW HOPPING (SIZE 1 MINUTE, ADVANCE BY 2 MINUTES)", line: 1, column: 59,
                  message: "ADVANCE BY (2 MINUTES) must not be longer than SIZE (1 MINUTE); records between windows would be skipped"),
        ErrorCase(sql: "SELECT a FROM t WINDOW TUMBLIN (SIZE 1 MINUTE)", line: 1, column: 24,
                  message: "expected TUMBLING, HOPPING or SESSION after WINDOW, found 'TUMBLIN'", suggestion: "TUMBLING"),
        ErrorCase(sql: "SELECT a FROM t WINDOW TUMBLING (SIZE 9223372036854775807 DAYS)", line: 1, column: 39,
                  message: "window SIZE 9223372036854775807 DAYS is too large (the limit is 9223372036854775807 milliseconds)"),
        ErrorCase(sql: "SELECT a FROM t SINCE '1 hour'", line: 1, column: 23, message: "'1 hour' is a duration, not a time", suggestion: "'1 hour ago'"),
        ErrorCase(sql: "SELECT a FROM t SINCE '2024-02-30'", line: 1, column: 23, message: "'2024-02-30' is not a valid date"),
        ErrorCase(sql: "SELECT a,\n  b +\nFROM t", line: 3, column: 1,
                  message: "expected an expression, found keyword FROM; to use it as a name, quote it: \"FROM\""),
        ErrorCase(sql: "SELECT a FROM t WHERE", line: 1, column: 22, message: "expected an expression, found end of input"),
        ErrorCase(sql: "SELECT (a + 1 FROM t", line: 1, column: 15, message: "expected ')' to close the '(' at line 1, column 8, found keyword FROM"),
        ErrorCase(sql: "SELECT COUNT(* FROM t", line: 1, column: 16, message: "expected ',' or ')' in the arguments of COUNT, found keyword FROM"),
        ErrorCase(sql: "CREATE STREAM s (a STRNG)", line: 1, column: 20,
                  message: "expected a type (STRING, DOUBLE, BIGINT, BOOLEAN or TIMESTAMP), found 'STRNG'", suggestion: "STRING"),
        ErrorCase(sql: "CREATE STREEM s", line: 1, column: 8, message: "expected STREAM, JOB, CHANNEL, ALARM or SINK after CREATE, found 'STREEM'", suggestion: "STREAM"),
        ErrorCase(sql: "CREATE STREAM s WITH (shards = 2, shards = 3)", line: 1, column: 35, message: "option 'shards' is given twice"),
        ErrorCase(sql: "CREATE STREAM s WITH (durability = batch)", line: 1, column: 36,
                  message: "expected a value for option durability (a 'string', number, TRUE or FALSE), found 'batch'; quote text values: 'batch'"),
        ErrorCase(sql: "CREATE STREAM s (a STRING, a DOUBLE)", line: 1, column: 28, message: "column 'a' is declared twice"),
        ErrorCase(sql: "SELECT a FROM t LIMIT -1", line: 1, column: 23, message: "LIMIT cannot be negative"),
        ErrorCase(sql: "SELECT a FROM t WHERE x IN (SELECT y FROM u)", line: 1, column: 29, message: "subqueries are not supported; IN takes a list of values"),
        ErrorCase(sql: "SELECT a FROM t WHERE x = 1 WINDOW TUMBLING (SIZE 1 MINUTE)", line: 1, column: 29,
                  message: "WINDOW is out of place: clauses go in the order FROM, SINCE, UNTIL, WINDOW, WHERE, GROUP BY, HAVING, EMIT, ORDER BY, LIMIT"),
        ErrorCase(sql: "SELECT a FROM t LIMIT 5 LIMIT 6", line: 1, column: 25, message: "LIMIT appears twice in this SELECT"),
        ErrorCase(sql: "SELECT f(a => 1, 2) FROM t", line: 1, column: 18, message: "a positional argument cannot follow named arguments in f(...)"),
        ErrorCase(sql: "SELECT CASE WHEN a THEN 1 FROM t", line: 1, column: 27, message: "expected WHEN, ELSE or END in CASE, found keyword FROM"),
        ErrorCase(sql: "SELECT CAST(a AS NUMBER) FROM t", line: 1, column: 18,
                  message: "expected a type (STRING, DOUBLE, BIGINT, BOOLEAN or TIMESTAMP), found 'NUMBER'"),
        ErrorCase(sql: "DROP TABLE t", line: 1, column: 6, message: "expected STREAM, JOB, CHANNEL, ALARM or SINK after DROP, found 'TABLE'"),
        ErrorCase(sql: "SHOW STREAM", line: 1, column: 6, message: "expected STREAMS, JOBS, CHANNELS, ALARMS, SINKS, METRICS or JOB LOG after SHOW, found 'STREAM'", suggestion: "STREAMS"),
        ErrorCase(sql: "PAUSE fraud_watch", line: 1, column: 7, message: "expected JOB after PAUSE, found 'fraud_watch'"),
        ErrorCase(sql: "RESTART JOB j FROM YESTERDAY", line: 1, column: 20,
                  message: "expected EARLIEST, LATEST or a time such as '1 hour ago' after RESTART JOB j FROM, found 'YESTERDAY'"),
        ErrorCase(sql: "SELECT a FROM t;\nSELECT b FROM t GROUP userId", line: 2, column: 23, message: "expected BY after GROUP, found 'userId'"),
        ErrorCase(sql: "INSERT transactions VALUES (1)", line: 1, column: 8, message: "expected INTO after INSERT, found 'transactions'"),
        ErrorCase(sql: "SELECT 1 +* 2", line: 1, column: 11, message: "expected an expression, found '*'"),
        ErrorCase(sql: "CREATE ALARM a ON METRIC m STATISTIC SUM PERIOD 1 MINUTE WHEN > 1 FOR 1 OF 1", line: 1, column: 77,
                  message: "expected PERIODS or PERIOD in FOR m OF n PERIODS, found end of input"),
        ErrorCase(sql: "SELECT a FROM t WHERE a = 'x", line: 1, column: 27, message: "unterminated string: no closing '"),
        ErrorCase(sql: "SELECT\n\tx FROM t WHER y", line: 2, column: 11, message: "expected ';' or end of input after the statement, found 'WHER'", suggestion: "WHERE"),
        ErrorCase(sql: "ACK ALERT abc", line: 1, column: 11, message: "expected an alert id (a number from the alerts table), found 'abc'"),
        ErrorCase(sql: "SELECT * FROM t WHERE a = 1 GROUP BY a HAVING", line: 1, column: 46, message: "expected an expression, found end of input"),
        ErrorCase(sql: "SELECT from FROM t", line: 1, column: 8, message: "expected an expression, found keyword FROM; to use it as a name, quote it: \"from\""),
        ErrorCase(sql: "SELECT a FROM t WHERE x BETWEEN 1 OR 2", line: 1, column: 35, message: "expected AND between the bounds of BETWEEN, found keyword OR"),
        ErrorCase(sql: "SELECT 99999999999999999999", line: 1, column: 8,
                  message: "integer 99999999999999999999 does not fit in 64 bits; write it as a decimal (99999999999999999999.0) if an approximate value will do"),
        ErrorCase(sql: "SELECT a FROM t EMIT NOW", line: 1, column: 22, message: "expected FINAL or CHANGES after EMIT, found 'NOW'"),
        ErrorCase(sql: "SELECT ZSCORE(x, warmup => 1, warmup => 2) FROM t", line: 1, column: 31, message: "argument 'warmup' is given twice"),
        ErrorCase(sql: "SELECT a FROM t WINDOW SESSION (GAP 1 MINUTE, GRACE 1 MINUTE, GRACE 2 MINUTES)", line: 1, column: 61,
                  message: "expected ')' to close WINDOW SESSION (...), found ','"),
        ErrorCase(sql: "CREATE JOB j SELECT a FROM t", line: 1, column: 14, message: "expected AS and the job's query after CREATE JOB j, found keyword SELECT"),
        ErrorCase(sql: "SELECT a FROM t GROUP BY a ORDER a", line: 1, column: 34, message: "expected BY after ORDER, found 'a'"),
        ErrorCase(sql: "SELECT x FROM t WHERE x IS 5", line: 1, column: 28, message: "expected NULL after IS, found number 5"),
    ]

    @Test(arguments: cases)
    func errorHasExactPositionAndMessage(_ errorCase: ErrorCase) {
        guard let error = parseError(errorCase.sql) else { return }
        #expect(error.location.line == errorCase.line, "\(error)")
        #expect(error.location.column == errorCase.column, "\(error)")
        #expect(error.message == errorCase.message)
        #expect(error.suggestion == errorCase.suggestion)
    }

    @Test func atLeastTwentyFiveInvalidInputs() {
        #expect(Self.cases.count >= 25)
    }

    @Test func parseStatementRejectsASecondStatement() {
        do {
            _ = try Parser.parseStatement("SHOW JOBS; SHOW STREAMS")
            Issue.record("expected an error")
        } catch {
            #expect(error.location.column == 12)
            #expect(error.message == "expected end of input (one statement only), found keyword SHOW")
        }
        #expect(throws: SQLError.self) { try Parser.parseStatement("  -- only a comment") }
    }
}
