// Windowed aggregates checked against an independent engine: SQLite computes
// the same GROUP BY over the same records, and every group must match — count,
// sum, average, min, max and standard deviation — for tumbling and hopping
// windows, over one shard and over several.

import Foundation
@testable import SpateRuntime
import SpateLog
import SpateSQL
import Testing

@Suite struct WindowedAggregateTests {
    /// userId, WINDOW_START, COUNT(*), SUM, AVG, MIN, MAX, STDDEV of amount.
    func referencePlan(window: WindowPlan.Kind) -> QueryPlan {
        let aggregates = [
            AggregatePlan(function: .countStar, argument: nil, type: .bigint),
            AggregatePlan(function: .sum, argument: amountField, type: .double),
            AggregatePlan(function: .avg, argument: amountField, type: .double),
            AggregatePlan(function: .min, argument: amountField, type: .double),
            AggregatePlan(function: .max, argument: amountField, type: .double),
            AggregatePlan(function: .stddev, argument: amountField, type: .double),
        ]
        var outputs = [
            OutputColumn(name: "userId", expression: BoundExpression(.groupKey(0), type: .string)),
            OutputColumn(name: "window_start", expression: BoundExpression(.windowStart, type: .timestamp)),
        ]
        for (i, a) in aggregates.enumerated() { outputs.append(OutputColumn(name: "a\(i)", expression: BoundExpression(.aggregate(i), type: a.type))) }
        return QueryPlan(source: .stream("tx"), fields: transactionFields, eventTime: .field(2), start: .earliest, end: .now,
                         window: WindowPlan(kind: window, graceMs: 0), groupKeys: [userIdField], aggregates: aggregates, outputs: outputs)
    }

    /// SQLite's answer for windows of `sizeMs` starting every `advanceMs`.
    func sqliteAnswer(_ transactions: [Transaction], sizeMs: Int64, advanceMs: Int64) throws -> [String: [String]] {
        let hops = sizeMs / advanceMs
        let offsets = (0..<hops).map { "SELECT \($0) AS k" }.joined(separator: " UNION ALL ")
        let query = """
            SELECT userId, ws, COUNT(*), SUM(amount), AVG(amount), MIN(amount), MAX(amount), SUM(amount * amount)
            FROM (SELECT userId, amount, ts, (ts / \(advanceMs)) * \(advanceMs) - k * \(advanceMs) AS ws FROM t, (\(offsets)))
            WHERE ws > ts - \(sizeMs)
            GROUP BY userId, ws;
            """
        var answer: [String: [String]] = [:]
        for row in try sqlite(sqliteTable(transactions) + query) { answer["\(row[0])@\(row[1])"] = Array(row[2...]) }
        return answer
    }

    func assertMatches(_ rows: [[Value]], _ expected: [String: [String]]) {
        #expect(rows.count == expected.count, "group count")
        for row in rows {
            guard case let .string(user) = row[0], case let .timestamp(start) = row[1] else { Issue.record("bad row \(row)"); continue }
            guard let sql = expected["\(user)@\(start)"] else { Issue.record("no SQLite group for \(user)@\(start)"); continue }
            let count = Double(sql[0])!, sum = Double(sql[1])!, sumOfSquares = Double(sql[5])!
            #expect(row[2] == .bigint(Int64(sql[0])!))
            #expect(close(row[3], sum))
            #expect(close(row[4], Double(sql[2])!))
            #expect(close(row[5], Double(sql[3])!))
            #expect(close(row[6], Double(sql[4])!))
            if count > 1 {
                let variance = max(0, (sumOfSquares - sum * sum / count) / (count - 1))
                #expect(close(row[7], variance.squareRoot(), tolerance: 1e-6 * max(1, sum)), "stddev of \(user)@\(start)")
            } else {
                #expect(row[7] == .null)
            }
        }
    }

    func close(_ value: Value, _ expected: Double, tolerance: Double = 1e-9) -> Bool {
        guard case let .double(d) = value else { return false }
        return abs(d - expected) <= tolerance * max(1, abs(expected))
    }

    @Test(arguments: [1, 3])
    func tumblingMatchesSQLite(shards: Int) throws {
        let log = try TemporaryLog()
        let transactions = generateTransactions(count: 20_000, users: 25)
        // One shard keeps the arrival order = event order; several shards are
        // merged by arrival, which for a batch-appended history can interleave
        // event times, so use a grace that covers it there.
        let stream = try makeStream(log, "tx", lines: transactions.map(\.json), shards: shards, key: { $0 })
        var plan = referencePlan(window: .tumbling(sizeMs: 60_000))
        if shards > 1 { plan.window!.graceMs = 24 * 3_600_000 }
        let (rows, statistics) = try runPlan(plan, on: stream)
        #expect(statistics.recordsRead == 20_000)
        #expect(statistics.lateRecords == 0 && statistics.badRecords == 0)
        assertMatches(rows, try sqliteAnswer(transactions, sizeMs: 60_000, advanceMs: 60_000))
        // Emitted in order of window end.
        let starts = rows.map { row -> Int64 in if case let .timestamp(t) = row[1] { return t } else { return 0 } }
        #expect(starts == starts.sorted())
    }

    @Test func hoppingMatchesSQLite() throws {
        let log = try TemporaryLog()
        let transactions = generateTransactions(count: 10_000, users: 10, seed: 7)
        let stream = try makeStream(log, "tx", lines: transactions.map(\.json))
        let (rows, _) = try runPlan(referencePlan(window: .hopping(sizeMs: 60_000, advanceMs: 20_000)), on: stream)
        assertMatches(rows, try sqliteAnswer(transactions, sizeMs: 60_000, advanceMs: 20_000))
    }
}
