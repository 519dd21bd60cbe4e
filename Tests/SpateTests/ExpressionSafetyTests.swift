// Expressions over values at the edges of their types — the statements that
// trapped the Swift runtime (issue 14), every scalar function over a table of
// extreme arguments, integer overflow, casts and windows over event times at
// the ends of the TIMESTAMP range. What a user notices: the statement answers,
// with NULL where a value is out of range, and the process is still there.

import Foundation
import Spate
import SpateLog
import SpateRuntime
import SpateSQL
import Testing

@Suite struct ExpressionSafetyTests {
    static let t0: Int64 = 1_732_399_980_000

    static func fixture() throws -> SQLFixture {
        let f = try SQLFixture()
        try f.run("CREATE STREAM tx (userId STRING, amount DOUBLE, n BIGINT, ts TIMESTAMP) WITH (key = 'userId', event_time = 'ts');")
        try f.append("tx", [
            #"{"userId":"user1","amount":12.5,"n":7,"ts":\#(t0)}"#,
            #"{"userId":"user2","amount":-1e308,"n":9223372036854775807,"ts":\#(t0 + 1000)}"#,
            #"{"userId":"","amount":0,"n":-9223372036854775808,"ts":\#(t0 + 2000)}"#,
        ])
        return f
    }

    static func minuteFloor(_ t: Int64) -> Int64 { t - ((t % 60_000) + 60_000) % 60_000 }

    /// The single value of `expression` for the first record (user1, 12.5, 7).
    func value(_ f: SQLFixture, _ expression: String) throws -> Value {
        let rows = try f.run("SELECT \(expression) AS v FROM tx SINCE EARLIEST UNTIL NOW LIMIT 1;").rows
        return rows.first?.first ?? .string("no row")
    }

    @Test func theStatementsThatTrappedAnswerNull() throws {
        let f = try Self.fixture()
        let expected: [(String, Value)] = [
            ("SUBSTR(userId, 1e308, 0)", .null),
            ("SUBSTR(userId, 0, 1e308)", .null),
            ("SUBSTR(userId, 9223372036854775807, 1)", .string("")),
            ("ROUND(0, 1e308)", .null),
            ("ROUND(0.0, 9223372036854775807)", .double(0)),
            ("DATE_TRUNC('minute', CAST(-9223372036854775808 AS TIMESTAMP))", .null),
            ("ROUND(amount, amount * 1e306)", .null),
        ]
        for (expression, value) in expected {
            #expect(try self.value(f, expression) == value, "\(expression)")
        }
    }

    @Test func aJobWithAnOutOfRangeArgumentRunsAndWritesNull() throws {
        let f = try Self.fixture()
        try f.run("CREATE JOB badjob AS SELECT userId, ROUND(amount, amount * 1e306) AS r FROM tx SINCE EARLIEST;")
        let runner = f.database.startJobRunner(options: JobRunnerOptions(leaseDurationMs: 1500, scanIntervalMs: 50, pollIntervalMs: 5))
        defer { runner.stop() }
        #expect(try eventually { try f.run("SELECT COUNT(*) FROM job_results WHERE job = 'badjob';").rows.first?.first == .bigint(3) })
        let state = try f.run("SELECT state FROM jobs WHERE name = 'badjob';").rows.first?.first
        #expect(state == .string("running"))
    }

    @Test func extremeArgumentsGiveNullOrTheRightValue() throws {
        let f = try Self.fixture()
        let minBigint = "(-9223372036854775807 - 1)"
        let expected: [(String, Value)] = [
            ("ABS(\(minBigint))", .null),
            ("-\(minBigint)", .null),
            ("-n * 0 + \(minBigint) / -1", .null),
            ("\(minBigint) % -1", .null),
            ("9223372036854775807 + n", .null),
            ("9223372036854775807 * n", .null),
            ("\(minBigint) - n", .null),
            ("n / 0", .null),
            ("n % 0", .null),
            ("amount / 0", .null),
            ("CAST(1e308 AS BIGINT)", .null),
            ("CAST(amount * 1e307 AS TIMESTAMP)", .null),
            ("CAST('99999999999999999999' AS BIGINT)", .null),
            ("CAST(9223372036854775807 AS TIMESTAMP) + INTERVAL '1' SECOND", .null),
            ("CAST(\(minBigint) AS TIMESTAMP) - INTERVAL '1' SECOND", .null),
            ("ts + 9223372036854775807", .null),
            ("EXP(1000)", .null),
            ("POWER(10, 400)", .null),
            ("SQRT(-1)", .null),
            ("LN(0)", .null),
            ("FROM_UNIXTIME(1e308)", .null),
            ("GREATEST(9223372036854775807, n)", .bigint(.max)),
            ("LEAST(\(minBigint), n)", .bigint(.min)),
            ("ROUND(1234, -2)", .bigint(1200)),
            ("ROUND(-1250, -2)", .bigint(-1300)),
            ("ROUND(9223372036854775807, -1)", .null),
            ("ROUND(9223372036854775807, -30)", .bigint(0)),
            ("ROUND(1.25, 1)", .double(1.3)),
            ("ROUND(1e300, 400)", .double(1e300)),
            ("ROUND(1234.5, -400)", .double(0)),
            ("ROUND(amount, -9223372036854775807)", .double(0)),
            ("SUBSTR('hello', 2, 3)", .string("ell")),
            ("SUBSTR('hello', -9223372036854775807, 9223372036854775807)", .string("hello")),
            ("SUBSTR('hello', 3, -5)", .string("")),
            ("SUBSTR('hello', 1, 1e308 * 10)", .null),
            ("SUBSTR('hello', 0.0 / 0.0, 1)", .null),
            ("DATE_TRUNC('day', CAST(9223372036854775807 AS TIMESTAMP))", .timestamp(9_223_372_036_854_775_807 - 9_223_372_036_854_775_807 % 86_400_000)),
            ("DATE_TRUNC('minute', CAST(\(minBigint) + 120000 AS TIMESTAMP))", .timestamp(Self.minuteFloor(Int64.min + 120_000))),
        ]
        for (expression, value) in expected {
            #expect(try self.value(f, expression) == value, "\(expression)")
        }
        let text = try self.value(f, "FORMAT_TIMESTAMP(CAST(\(minBigint) AS TIMESTAMP))")
        #expect(text != .null)
    }

    /// Every scalar function, with every combination of extreme arguments its
    /// signature accepts: each statement answers (a value or NULL) or is refused
    /// with an error; none traps.
    @Test func everyScalarFunctionSurvivesExtremeArguments() throws {
        let f = try Self.fixture()
        let extremes: [(ValueType, String)] = [
            (.bigint, "0"), (.bigint, "-1"), (.bigint, "9223372036854775807"), (.bigint, "(-9223372036854775807 - 1)"), (.bigint, "n"),
            (.double, "1e308"), (.double, "-1e308"), (.double, "(1e308 * 10)"), (.double, "(0.0 / 0.0)"), (.double, "amount"), (.double, "-0.5"),
            (.string, "''"), (.string, "'héllo wörld'"), (.string, "userId"), (.string, "'minute'"), (.string, "'week'"),
            (.timestamp, "ts"), (.timestamp, "CAST(9223372036854775807 AS TIMESTAMP)"), (.timestamp, "CAST(-9223372036854775807 - 1 AS TIMESTAMP)"),
            (.boolean, "TRUE"), (.null, "NULL"),
        ]
        let thirdArguments = extremes.filter { ["-1", "9223372036854775807", "(1e308 * 10)", "(0.0 / 0.0)", "userId", "''", "NULL"].contains($0.1) }
        var statements = 0, answered = 0
        for function in ScalarFunction.allCases {
            for arity in 0...3 {
                var combinations: [[(ValueType, String)]] = [[]]
                for position in 0..<arity {
                    let choices = position < 2 ? extremes : thirdArguments  // the third: fewer, to keep the run short
                    combinations = combinations.flatMap { c in choices.map { c + [$0] } }
                }
                for arguments in combinations {
                    guard case .success = function.resultType(arguments.map(\.0)) else { continue }
                    let call = "\(function.name)(\(arguments.map(\.1).joined(separator: ", ")))"
                    statements += 1
                    if (try? f.run("SELECT \(call) AS v FROM tx SINCE EARLIEST UNTIL NOW;")) != nil { answered += 1 }
                }
            }
        }
        #expect(statements > 1000)
        #expect(answered == statements, "every well-typed call answers (NULL where out of range)")
    }

    @Test func windowsOverEventTimesAtTheEndsOfTheRange() throws {
        let f = try SQLFixture()
        try f.run("CREATE STREAM ev (userId STRING, ts TIMESTAMP) WITH (key = 'userId', event_time = 'ts');")
        try f.append("ev", [
            #"{"userId":"a","ts":-9223372036854775808}"#,
            #"{"userId":"a","ts":-9223372036854775807}"#,
            #"{"userId":"a","ts":\#(Self.t0)}"#,
            #"{"userId":"a","ts":9223372036854775806}"#,
            #"{"userId":"a","ts":9223372036854775807}"#,
        ])
        for window in ["TUMBLING (SIZE 1 MINUTE)", "TUMBLING (SIZE 9223372036854775807 MILLISECONDS)",
                       "HOPPING (SIZE 2 MINUTES, ADVANCE BY 1 MINUTE)", "HOPPING (SIZE 9223372036854775807 MILLISECONDS, ADVANCE BY 4611686018427387904 MILLISECONDS)",
                       "SESSION (GAP 1 MINUTE)", "SESSION (GAP 9223372036854775807 MILLISECONDS)",
                       "TUMBLING (SIZE 1 MINUTE, GRACE 9223372036854775807 MILLISECONDS)"] {
            let sink = try f.run("SELECT WINDOW_START, COUNT(*) AS n FROM ev SINCE EARLIEST UNTIL NOW WINDOW \(window) GROUP BY userId;")
            let counted = sink.rows.reduce(Int64(0)) { total, row in
                if case .bigint(let n) = row[1] { return total + n }
                return total
            }
            #expect(counted >= 1, "\(window): the record in range is counted")
        }
    }
}
