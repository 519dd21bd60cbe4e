@testable import SpateSQL
import Testing

@Suite struct RoundTripTests {
    static let statements = [
        "CREATE STREAM transactions (userId STRING, amount DOUBLE, merchantId STRING, transactionId STRING, timestamp TIMESTAMP) WITH (shards = 2, key = 'userId', event_time = 'timestamp', retention = '24 hours', format = 'json')",
        "CREATE STREAM IF NOT EXISTS raw",
        "create stream s (a int, \"b c\" boolean) with (ratio = -0.25, on = true)",
        "ALTER STREAM s SET (retention_bytes = 1000000)",
        "DROP STREAM IF EXISTS s", "SHOW STREAMS", "DESCRIBE s", "DESCRIBE STREAM s",
        "INSERT INTO transactions (userId, amount, timestamp) VALUES ('user1', 12.5, NOW()), ('it''s', -1, NULL)",
        "INSERT INTO s SELECT a, b FROM t WHERE a > 1",
        "SELECT userId, WINDOW_START, COUNT(*) AS n, AVG(amount) AS avg_amount, MAX(amount) AS top FROM transactions SINCE '1 hour ago' UNTIL NOW WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId",
        "SELECT userId, SUM(amount) AS total, ANOMALY_SCORE(total) AS score FROM transactions WINDOW TUMBLING (SIZE 1 MINUTE, GRACE 10 SECONDS) GROUP BY userId WHERE anomaly",
        "SELECT userId, ZSCORE(amount, threshold => 3, warmup => 20) OVER (PARTITION BY userId) AS z FROM transactions SINCE EARLIEST WHERE anomaly",
        "SELECT * FROM alerts WHERE job = 'fraud_watch' AND created_at > NOW() - INTERVAL '1' HOUR ORDER BY created_at DESC LIMIT 20",
        "SELECT DISTINCT a FROM t WINDOW HOPPING (SIZE 10 MINUTES, ADVANCE BY 90 SECONDS) EMIT CHANGES",
        "SELECT COUNT(DISTINCT u) FROM t WINDOW SESSION (GAP 1500 MILLISECONDS, GRACE 0 SECONDS) HAVING COUNT(*) > 2 EMIT FINAL",
        "SELECT (a + b) * c, a - (b - c), a - b - c, -(-a), - -5, -a * b, NOT (a AND b), NOT NOT a FROM t",
        "SELECT (a OR b) AND c, a OR b AND c, (a = b) = c, a || (b || c), (a || b) || c FROM t",
        "SELECT CASE WHEN x > 1 THEN 'a' WHEN x IS NULL THEN 'b' ELSE 'c' END, CASE x WHEN 1 THEN 2 END FROM t",
        "SELECT CAST(a AS INTEGER), a NOT BETWEEN 1 AND 2 + 3, b IN (1, 2, 3), c NOT LIKE 'x%', d IS NOT NULL FROM t",
        "SELECT (a BETWEEN 1 AND 2) BETWEEN (b = 1) AND c, (x IS NULL) IS NULL, (a LIKE b) LIKE (c || d) FROM t",
        "SELECT \"select\", \"weird name\".\"from\", device.location.lat AS \"order\", 1.5e10, 0.1, 2.0 FROM \"my stream\"",
        "SELECT a FROM t SINCE '2024-05-01T12:00:00.250+02:00' UNTIL '2024-05-02'",
        "SELECT RCF(a, b, trees => 50, shingle => 4) OVER () FROM t",
        "SELECT NOW()",
        "CREATE JOB IF NOT EXISTS fraud_watch WITH (notify = 'ops,pager') AS SELECT userId FROM tx WHERE anomaly",
        "CREATE JOB per_minute AS INSERT INTO user_minutes (u, n) SELECT userId, COUNT(*) FROM tx WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId",
        "SHOW JOBS", "DESCRIBE JOB j", "PAUSE JOB j", "RESUME JOB j", "DROP JOB j",
        "RESTART JOB j FROM EARLIEST", "RESTART JOB j FROM '3 days ago'", "ALTER JOB j SET (notify = 'ops')",
        "ACK ALERT 12", "RESOLVE ALERT 13",
        "CREATE CHANNEL ops TYPE WEBHOOK WITH (url = 'http://x', headers = 'A: b')", "CREATE CHANNEL IF NOT EXISTS o TYPE STDOUT",
        "SHOW CHANNELS", "DROP CHANNEL ops", "TEST CHANNEL ops",
        "CREATE ALARM lag ON METRIC job.lag_ms WHERE job = 'w' AND shard = '1' STATISTIC AVG PERIOD 5 MINUTES WHEN > -3 FOR 2 OF 3 PERIODS MISSING AS BREACHING NOTIFY ops, \"pager duty\"",
        "CREATE ALARM a ON METRIC 'odd-metric' STATISTIC COUNT PERIOD 1 HOUR WHEN <= 0.5 FOR 1 OF 1 PERIODS",
        "SHOW ALARMS", "DROP ALARM IF EXISTS a", "SHOW METRICS LIKE 'job.%'", "SHOW METRICS",
        "EXPLAIN SELECT a FROM t", "EXPLAIN INSERT INTO s SELECT a FROM t",
    ]

    @Test(arguments: statements)
    func parsePrintParseGivesEqualAST(sql: String) throws {
        let first = try Parser.parseStatement(sql)
        let printed = first.description
        let second = try Parser.parseStatement(printed)
        #expect(second == first, "printed as: \(printed)")
        #expect(second.description == printed, "printing is not stable")
    }

    @Test func canonicalText() throws {
        #expect(try Parser.parseStatement("select a+b*2 as x from t window tumbling (size 60 seconds) where not x>1").description
            == "SELECT a + b * 2 AS x FROM t WINDOW TUMBLING (SIZE 1 MINUTE) WHERE NOT x > 1")
        #expect(try Parser.parseStatement("SELECT (a + b) * c FROM t").description == "SELECT (a + b) * c FROM t")
        #expect(try Parser.parseStatement("SELECT a - (b - c), a - b - c FROM t").description == "SELECT a - (b - c), a - b - c FROM t")
        #expect(try Parser.parseStatement("SELECT \"select\" FROM \"my stream\"").description == "SELECT \"select\" FROM \"my stream\"")
        #expect(try Parser.parseStatement("SELECT - -5").description == "SELECT -(-5)")
        #expect(try Parser.parseStatement("SELECT INTERVAL '1' hour").description == "SELECT INTERVAL '1 HOUR'")
        #expect(try Parser.parseStatement("create channel x type webhook with (url='u')").description == "CREATE CHANNEL x TYPE WEBHOOK WITH (url = 'u')")
    }

    @Test func equalityIgnoresPositionsButNotContent() throws {
        let a = try Parser.parseStatement("SELECT a FROM t")
        let b = try Parser.parseStatement("  SELECT\n a\n FROM   t ;")
        #expect(a == b)
        #expect(a.range != b.range)
        #expect(try Parser.parseStatement("SELECT a FROM u") != a)
        #expect(try Parser.parseStatement("SELECT A FROM t") != a)
    }

    @Test func scriptRoundTrip() throws {
        let script = Self.statements.joined(separator: ";\n") + ";"
        let parsed = try Parser.parseScript(script)
        #expect(parsed.count == Self.statements.count)
        let reparsed = try Parser.parseScript(parsed.map(\.description).joined(separator: ";\n"))
        #expect(reparsed == parsed)
    }
}
