@testable import SpateSQL
import Testing

@Suite struct SelectTests {
    @Test func boundedQueryFromTheDesign() throws {
        let select = try selectOf("""
        SELECT userId, WINDOW_START, COUNT(*) AS n, AVG(amount) AS avg_amount, MAX(amount) AS top
        FROM transactions SINCE '1 hour ago' UNTIL NOW
        WINDOW TUMBLING (SIZE 1 MINUTE)
        GROUP BY userId;
        """)
        #expect(select.items.count == 5)
        #expect(select.items[1] == .expression(col("WINDOW_START"), alias: nil))
        #expect(select.items[2] == .expression(Expression(.function(FunctionCall(name: "COUNT", star: true))), alias: "n"))
        #expect(select.from?.value == "transactions")
        #expect(select.since == .time(TimeText(text: "1 hour ago", point: .ago(SQLDuration(milliseconds: 3_600_000)))))
        #expect(select.until == .now)
        #expect(select.window == WindowSpec(kind: .tumbling(size: SQLDuration(milliseconds: 60_000))))
        #expect(select.groupBy == [col("userId")])
        #expect(select.where == nil && select.postGroupWhere == nil)
    }

    @Test func whereAfterGroupByIsRecordedApart() throws {
        let select = try selectOf("""
        SELECT userId, WINDOW_START, SUM(amount) AS total, ANOMALY_SCORE(total) AS score
        FROM transactions
        WINDOW TUMBLING (SIZE 1 MINUTE, GRACE 10 SECONDS)
        GROUP BY userId
        WHERE anomaly;
        """)
        #expect(select.where == nil)
        #expect(select.postGroupWhere == col("anomaly"))
        #expect(select.window?.grace == SQLDuration(milliseconds: 10_000))
        let both = try selectOf("SELECT k FROM t WHERE amount > 0 GROUP BY k WHERE anomaly")
        #expect(both.where == bin(.greater, col("amount"), int(0)))
        #expect(both.postGroupWhere == col("anomaly"))
    }

    @Test func perEventScoringWithOver() throws {
        let select = try selectOf("""
        SELECT userId, transactionId, amount, ZSCORE(amount) OVER (PARTITION BY userId) AS z
        FROM transactions SINCE EARLIEST
        WHERE anomaly;
        """)
        #expect(select.items[3] == .expression(call("ZSCORE", col("amount"), over: [col("userId")]), alias: "z"))
        #expect(select.since == .earliest)
        #expect(select.where == col("anomaly"))
    }

    @Test func catalogTableQuery() throws {
        let select = try selectOf("SELECT * FROM alerts WHERE job = 'fraud_watch' AND created_at > NOW() - INTERVAL '1' HOUR ORDER BY created_at DESC, id LIMIT 20")
        #expect(select.items.count == 1)
        if case .wildcard = select.items[0] {} else { Issue.record("expected *") }
        #expect(select.where == bin(.and,
                                    bin(.equal, col("job"), str("fraud_watch")),
                                    bin(.greater, col("created_at"), bin(.subtract, call("NOW"), Expression(.interval(SQLDuration(milliseconds: 3_600_000)))))))
        #expect(select.orderBy == [OrderItem(expression: col("created_at"), descending: true), OrderItem(expression: col("id"))])
        #expect(select.limit == 20)
    }

    @Test func hoppingAndSessionWindows() throws {
        let hopping = try selectOf("SELECT COUNT(*) FROM t WINDOW HOPPING (SIZE 5 MINUTES, ADVANCE BY 1 MINUTE, GRACE 0 SECONDS)")
        #expect(hopping.window == WindowSpec(kind: .hopping(size: SQLDuration(milliseconds: 300_000), advance: SQLDuration(milliseconds: 60_000)), grace: SQLDuration(milliseconds: 0)))
        let session = try selectOf("SELECT COUNT(*) FROM t WINDOW SESSION (GAP 30 seconds, GRACE '5s') EMIT CHANGES")
        #expect(session.window == WindowSpec(kind: .session(gap: SQLDuration(milliseconds: 30_000)), grace: SQLDuration(milliseconds: 5_000)))
        #expect(session.emit == .changes)
        #expect(try selectOf("SELECT a FROM t WINDOW TUMBLING (SIZE 500 MILLISECONDS) EMIT FINAL").emit == .final)
    }

    @Test func allClausesInOrder() throws {
        let select = try selectOf("""
        SELECT DISTINCT k, COUNT(DISTINCT u) users FROM t SINCE LATEST UNTIL '2024-05-01T00:00:00Z'
        WINDOW TUMBLING (SIZE 1 DAY) WHERE v IS NOT NULL GROUP BY k, region HAVING COUNT(*) > 1 EMIT FINAL ORDER BY users DESC LIMIT 10
        """)
        #expect(select.distinct)
        #expect(select.items[1] == .expression(Expression(.function(FunctionCall(name: "COUNT", arguments: [FunctionArgument(value: col("u"))], distinct: true))), alias: "users"))
        #expect(select.since == .latest)
        #expect(select.until == .time(TimeText(text: "2024-05-01T00:00:00Z", point: .absolute(epochMilliseconds: 1_714_521_600_000))))
        #expect(select.groupBy == [col("k"), col("region")])
        #expect(select.having == bin(.greater, Expression(.function(FunctionCall(name: "COUNT", star: true))), int(1)))
        #expect(select.limit == 10)
    }

    @Test func selectWithoutFrom() throws {
        let select = try selectOf("SELECT NOW(), 1 + 1 AS two")
        #expect(select.from == nil)
        #expect(select.items[1] == .expression(bin(.add, int(1), int(1)), alias: "two"))
    }

    @Test func quotedAndDottedNames() throws {
        let select = try selectOf("SELECT device.location.lat, \"weird name\", \"select\".x AS \"from\" FROM \"my stream\"")
        #expect(select.items[0] == .expression(col("device", "location", "lat"), alias: nil))
        #expect(select.items[1] == .expression(col("weird name"), alias: nil))
        #expect(select.items[2] == .expression(col("select", "x"), alias: "from"))
        #expect(select.from?.value == "my stream")
    }

    @Test func namedArgumentsForDetectors() throws {
        let select = try selectOf("SELECT ZSCORE(amount, threshold => 3, warmup => 20), RCF(a, b, trees => 50, shingle => 4) FROM t")
        #expect(select.items[0] == .expression(call("ZSCORE", col("amount"), named: [("threshold", int(3)), ("warmup", int(20))]), alias: nil))
        #expect(select.items[1] == .expression(call("RCF", col("a"), col("b"), named: [("trees", int(50)), ("shingle", int(4))]), alias: nil))
    }

    @Test func nodeRangesPointAtTheText() throws {
        let sql = "SELECT a + b * 2 AS x FROM t"
        let select = try selectOf(sql)
        guard case .expression(let expression, let alias) = select.items[0] else { Issue.record("no expression"); return }
        #expect(expression.range.start.column == 8)
        #expect(expression.range.end.column == 17)
        #expect(alias?.range.start.column == 21)
        #expect(select.from?.range.start.column == 28)
        let bytes = Array(sql.utf8)[expression.range.start.offset..<expression.range.end.offset]
        #expect(String(decoding: bytes, as: UTF8.self) == "a + b * 2")
    }
}
