@testable import SpateSQL
import Testing

@Suite struct AnalyzerTests {
    @Test func referenceQueryPlan() throws {
        let plan = try planOf("""
        SELECT userId, WINDOW_START, COUNT(*) AS n, AVG(amount) AS avg_amount, MAX(amount) AS top, STDDEV(amount)
        FROM transactions SINCE EARLIEST UNTIL NOW
        WINDOW TUMBLING (SIZE 1 MINUTE)
        GROUP BY userId
        """)
        let amount = field(2, .double)
        let expected = QueryPlan(
            source: .stream("transactions"),
            fields: [FieldExtraction(path: ["timestamp"], type: .timestamp),
                     FieldExtraction(path: ["userId"], type: .string),
                     FieldExtraction(path: ["amount"], type: .double)],
            eventTime: .field(0),
            start: .earliest, end: .now,
            window: WindowPlan(kind: .tumbling(sizeMs: 60_000), graceMs: 0),
            groupKeys: [field(1, .string)],
            aggregates: [AggregatePlan(function: .countStar, argument: nil, type: .bigint),
                         AggregatePlan(function: .avg, argument: amount, type: .double),
                         AggregatePlan(function: .max, argument: amount, type: .double),
                         AggregatePlan(function: .stddev, argument: amount, type: .double)],
            outputs: [OutputColumn(name: "userId", expression: BoundExpression(.groupKey(0), type: .string)),
                      OutputColumn(name: "WINDOW_START", expression: BoundExpression(.windowStart, type: .timestamp)),
                      OutputColumn(name: "n", expression: BoundExpression(.aggregate(0), type: .bigint)),
                      OutputColumn(name: "avg_amount", expression: BoundExpression(.aggregate(1), type: .double)),
                      OutputColumn(name: "top", expression: BoundExpression(.aggregate(2), type: .double)),
                      OutputColumn(name: "stddev_amount", expression: BoundExpression(.aggregate(3), type: .double))],
            emit: .final)
        #expect(plan.fields == expected.fields)
        #expect(plan.groupKeys == expected.groupKeys)
        #expect(plan.aggregates == expected.aggregates)
        #expect(plan.outputs == expected.outputs)
        #expect(plan == expected)
        #expect(plan.isAggregating && plan.isBounded)
    }

    @Test func rangeDefaultsAndRelativeTimes() throws {
        let tailing = try planOf("SELECT amount FROM transactions")
        #expect(tailing.start == .latest && tailing.end == nil)
        let bounded = try planOf("SELECT amount FROM transactions UNTIL NOW")
        #expect(bounded.start == .earliest && bounded.end == .now)
        let relative = try planOf("SELECT amount FROM transactions SINCE '1 hour ago' UNTIL '2024-05-01T00:00:00Z'")
        #expect(relative.start == .ago(3_600_000))
        #expect(relative.end == .time(1_714_521_600_000))
        let since = try planOf("SELECT amount FROM transactions SINCE '2024-04-30T23:00:00Z' UNTIL '10 minutes ago'")
        #expect(since.start == .time(1_714_518_000_000) && since.end == .ago(600_000))
    }

    @Test func windowsGraceAndEmit() throws {
        let hopping = try planOf("SELECT COUNT(*) FROM transactions WINDOW HOPPING (SIZE 5 MINUTES, ADVANCE BY 1 MINUTE, GRACE 10 SECONDS)")
        #expect(hopping.window == WindowPlan(kind: .hopping(sizeMs: 300_000, advanceMs: 60_000), graceMs: 10_000))
        #expect(hopping.emit == .final)
        #expect(hopping.groupKeys.isEmpty)
        let session = try planOf("SELECT userId, WINDOW_END FROM transactions WINDOW SESSION (GAP 30 SECONDS) GROUP BY userId EMIT CHANGES")
        #expect(session.window == WindowPlan(kind: .session(gapMs: 30_000), graceMs: 0))
        #expect(session.emit == .changes)
        #expect(session.aggregates.isEmpty)
        #expect(session.outputs.map(\.expression) == [BoundExpression(.groupKey(0), type: .string), BoundExpression(.windowEnd, type: .timestamp)])
        // Grouped without a window: tailing emits changes, bounded emits at the end.
        #expect(try planOf("SELECT userId, COUNT(*) FROM transactions GROUP BY userId").emit == .changes)
        #expect(try planOf("SELECT userId, COUNT(*) FROM transactions UNTIL NOW GROUP BY userId").emit == .final)
    }

    @Test func rowFilterAndFieldsInFirstUseOrder() throws {
        let plan = try planOf("SELECT merchantId, amount * 2 AS doubled FROM transactions WHERE amount > 100 AND userId <> 'bot'")
        #expect(plan.fields.map(\.dottedPath) == ["timestamp", "amount", "userId", "merchantId"])
        #expect(plan.filter == bound(.and,
                                     bound(.greater, field(1, .double), constant(.double(100)), .boolean),
                                     bound(.notEqual, field(2, .string), constant(.string("bot")), .boolean), .boolean))
        #expect(plan.outputFilter == nil)
        #expect(!plan.isAggregating)
        #expect(plan.outputs == [OutputColumn(name: "merchantId", expression: field(3, .string)),
                                 OutputColumn(name: "doubled", expression: bound(.multiply, field(1, .double), constant(.double(2)), .double))])
        #expect(plan.emit == .changes)
    }

    @Test func whereRoutingToOutputRows() throws {
        let grouped = try planOf("SELECT userId, COUNT(*) AS n FROM transactions UNTIL NOW WHERE COUNT(*) > 5 GROUP BY userId HAVING n < 100")
        #expect(grouped.filter == nil)
        #expect(grouped.outputFilter == bound(.and,
                                              bound(.greater, BoundExpression(.aggregate(0), type: .bigint), constant(.bigint(5)), .boolean),
                                              bound(.less, BoundExpression(.output(1), type: .bigint), constant(.bigint(100)), .boolean), .boolean))
        #expect(grouped.aggregates.count == 1)

        let both = try planOf("SELECT userId, SUM(amount) AS total, ANOMALY_SCORE(total) AS score FROM transactions WINDOW TUMBLING (SIZE 1 MINUTE) WHERE amount > 0 GROUP BY userId WHERE anomaly")
        #expect(both.filter == bound(.greater, field(1, .double), constant(.double(0)), .boolean))
        #expect(both.outputFilter == BoundExpression(.anomaly, type: .boolean))

        // A WHERE naming the alias of a detector filters output rows.
        let alias = try planOf("SELECT userId, ZSCORE(amount) OVER (PARTITION BY userId) AS z FROM transactions WHERE z > 3")
        #expect(alias.filter == nil)
        #expect(alias.outputFilter == bound(.greater, BoundExpression(.output(1), type: .double), constant(.double(3)), .boolean))

        // WINDOW_START exists per window, so a WHERE on it filters output rows; its time literal is folded.
        let windowed = try planOf("SELECT COUNT(*) FROM transactions WINDOW TUMBLING (SIZE 1 MINUTE) WHERE WINDOW_START >= '2024-05-01T00:00:00Z'")
        #expect(windowed.filter == nil)
        #expect(windowed.outputFilter == bound(.greaterEqual, BoundExpression(.windowStart, type: .timestamp), constant(.timestamp(testNowMs)), .boolean))

        // A WHERE after GROUP BY that names only columns still filters records.
        let postGroup = try planOf("SELECT userId, COUNT(*) FROM transactions GROUP BY userId WHERE amount > 10")
        #expect(postGroup.filter == bound(.greater, field(1, .double), constant(.double(10)), .boolean))
        #expect(postGroup.outputFilter == nil)
    }

    @Test func perEventDetectorFromTheDesign() throws {
        let plan = try planOf("""
        SELECT userId, transactionId, amount, ZSCORE(amount, threshold => 4) OVER (PARTITION BY userId) AS z
        FROM transactions SINCE EARLIEST WHERE anomaly
        """)
        #expect(plan.detectors == [DetectorPlan(name: "ZSCORE", arguments: [field(3, .double)], options: ["threshold": 4],
                                                partitionBy: [field(1, .string)])])
        #expect(plan.outputs[3] == OutputColumn(name: "z", expression: BoundExpression(.detector(0), type: .double)))
        #expect(plan.outputFilter == BoundExpression(.anomaly, type: .boolean))
        #expect(plan.filter == nil)
        #expect(!plan.isAggregating)
    }

    @Test func detectorInGroupedQueryUsesGroupKeysAndLateralAlias() throws {
        let plan = try planOf("""
        SELECT userId, WINDOW_START, SUM(amount) AS total, ANOMALY_SCORE(total) AS score
        FROM transactions WINDOW TUMBLING (SIZE 1 MINUTE, GRACE 10 SECONDS) GROUP BY userId WHERE anomaly
        """)
        #expect(plan.aggregates == [AggregatePlan(function: .sum, argument: field(2, .double), type: .double)])
        #expect(plan.detectors == [DetectorPlan(name: "ANOMALY_SCORE", arguments: [BoundExpression(.aggregate(0), type: .double)],
                                                options: [:], partitionBy: [BoundExpression(.groupKey(0), type: .string)])])
        #expect(plan.outputs.map(\.name) == ["userId", "WINDOW_START", "total", "score"])
        #expect(plan.start == .latest && plan.end == nil)
    }

    @Test func aggregatesAreCollectedOnceAndTyped() throws {
        let plan = try planOf("""
        SELECT userId, AVG(amount), avg(amount) AS again, COUNT(DISTINCT merchantId), APPROX_PERCENTILE(amount, 0.99) AS p99,
               SUM(CAST(amount AS BIGINT)) AS whole, FIRST(merchantId), COUNT(amount)
        FROM transactions UNTIL NOW GROUP BY userId HAVING AVG(amount) > 1
        """)
        #expect(plan.aggregates == [
            AggregatePlan(function: .avg, argument: field(2, .double), type: .double),
            AggregatePlan(function: .countDistinct, argument: field(3, .string), type: .bigint),
            AggregatePlan(function: .approxPercentile, argument: field(2, .double), parameter: 0.99, type: .double),
            AggregatePlan(function: .sum, argument: BoundExpression(.cast(field(2, .double), .bigint), type: .bigint), type: .bigint),
            AggregatePlan(function: .first, argument: field(3, .string), type: .string),
            AggregatePlan(function: .count, argument: field(2, .double), type: .bigint),
        ])
        #expect(plan.outputs.map(\.name) == ["userId", "avg_amount", "again", "count_distinct_merchantId", "p99", "whole", "first_merchantId", "count_amount"])
        #expect(plan.outputFilter == bound(.greater, BoundExpression(.aggregate(0), type: .double), constant(.double(1)), .boolean))
    }

    @Test func groupKeysByExpressionAliasAndPosition() throws {
        let expression = try planOf("SELECT lower(merchantId) AS m, COUNT(*) FROM transactions UNTIL NOW GROUP BY lower(merchantId)")
        let lowered = BoundExpression(.call(.lower, [field(1, .string)]), type: .string)
        #expect(expression.groupKeys == [lowered])
        #expect(expression.outputs[0].expression == BoundExpression(.groupKey(0), type: .string))
        let alias = try planOf("SELECT lower(merchantId) AS m, COUNT(*) FROM transactions UNTIL NOW GROUP BY m")
        #expect(alias.groupKeys == [lowered])
        #expect(alias.outputs[0].expression == BoundExpression(.groupKey(0), type: .string))
        let position = try planOf("SELECT lower(merchantId) AS m, COUNT(*) FROM transactions UNTIL NOW GROUP BY 1")
        #expect(position.groupKeys == [lowered])
        // An expression over a group key is computed from the key.
        let over = try planOf("SELECT userId || '!' AS tagged, COUNT(*) FROM transactions UNTIL NOW GROUP BY userId")
        #expect(over.outputs[0].expression == bound(.concat, BoundExpression(.groupKey(0), type: .string), constant(.string("!")), .string))
    }

    @Test func orderByOutputs() throws {
        let plan = try planOf("SELECT userId, COUNT(*) AS n, MAX(amount) FROM transactions UNTIL NOW GROUP BY userId ORDER BY n DESC, 1, MAX(amount) DESC, USERID LIMIT 10")
        #expect(plan.orderBy == [OrderKey(output: 1, descending: true), OrderKey(output: 0, descending: false),
                                 OrderKey(output: 2, descending: true), OrderKey(output: 0, descending: false)])
        #expect(plan.limit == 10)
        #expect(plan.aggregates.count == 2)
    }

    @Test func distinctIsGroupByTheOutputs() throws {
        let plan = try planOf("SELECT DISTINCT userId, merchantId FROM transactions UNTIL NOW")
        #expect(plan.groupKeys == [field(1, .string), field(2, .string)])
        #expect(plan.outputs.map(\.expression) == [BoundExpression(.groupKey(0), type: .string), BoundExpression(.groupKey(1), type: .string)])
        #expect(plan.aggregates.isEmpty && plan.isAggregating)
    }

    @Test func wildcardOnADeclaredStream() throws {
        let plan = try planOf("SELECT * FROM transactions UNTIL NOW LIMIT 5")
        #expect(plan.outputs.map(\.name) == ["userId", "amount", "merchantId", "transactionId", "timestamp"])
        #expect(plan.outputs.map(\.type) == [.string, .double, .string, .string, .timestamp])
        #expect(plan.fields.first == FieldExtraction(path: ["timestamp"], type: .timestamp))
        #expect(plan.outputs[4].expression == field(0, .timestamp))
        #expect(!plan.selectsWholeRecord)
    }

    @Test func outputNamesAreReadableAndUnique() throws {
        let plan = try planOf("SELECT amount, amount, amount * 2, COUNT(*) AS n, USERID, CAST(amount AS BIGINT), ARRIVAL_TIME FROM transactions UNTIL NOW GROUP BY amount, userId, ARRIVAL_TIME")
        #expect(plan.outputs.map(\.name) == ["amount", "amount_2", "column_3", "n", "userId", "amount_3", "ARRIVAL_TIME"])
        #expect(plan.groupKeys[2] == BoundExpression(.arrivalTime, type: .timestamp))
    }

    @Test func constantQueryWithoutFrom() throws {
        let plan = try planOf("SELECT 1 + 1, NOW(), 7 / 2, 7 / 2.0, 'a' || 1")
        #expect(plan.source == QuerySource.none)
        #expect(plan.fields.isEmpty && plan.isBounded)
        #expect(plan.outputs.map(\.expression) == [constant(.bigint(2)), constant(.timestamp(testNowMs)), constant(.bigint(3)),
                                                   constant(.double(3.5)), constant(.string("a1"))])
        #expect(plan.outputs.map(\.name) == ["column_1", "now", "column_3", "column_4", "column_5"])
    }
}
