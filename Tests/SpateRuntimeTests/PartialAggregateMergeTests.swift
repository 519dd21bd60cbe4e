// Queries whose groups are not keyed by the stream's key, on several workers
// that merge partial aggregates (ParallelQueryExecution with mergesPartials):
// every group against SQLite computing the same GROUP BY, and against one
// worker — with records of every group in every shard, with workers whose
// shards end far apart in event time (a worker that has finished must still
// close its windows with the others, or a window would come out twice), and
// with no window at all (COUNT DISTINCT across workers is a set union).

import Foundation
@testable import SpateRuntime
import SpateLog
import SpateSQL
import Testing

@Suite struct PartialAggregateMergeTests {
    let tests = WindowedAggregateTests()

    /// Runs `plan` on `workers` workers merging partials, to its end.
    func runMerged(_ plan: QueryPlan, on stream: LogStream, workers: Int) throws -> (rows: [[Value]], statistics: QueryStatistics) {
        let execution = try ParallelQueryExecution(plan: plan, stream: stream, parallelism: workers, mergesPartials: true)
        var rows: [[Value]] = []
        let emit: (EmittedRow) -> Bool = { rows.append($0.values); return true }
        loop: while true {
            switch try execution.step(emit: emit) {
            case .progressed, .idle: continue
            case .finished: break loop
            }
        }
        try execution.finish(emit: emit)
        return (rows, execution.currentStatistics)
    }

    /// Records routed by a key that is not the grouping column, so every user's records are in every shard.
    func spreadStream(_ log: TemporaryLog, _ transactions: [Transaction], shards: Int) throws -> LogStream {
        var counter = 0
        return try makeStream(log, "tx", lines: transactions.map(\.json), shards: shards, key: { _ in counter += 1; return "k\(counter)" })
    }

    @Test(arguments: [(4, 2), (4, 4), (3, 2)])
    func tumblingMatchesSQLite(shards: Int, workers: Int) throws {
        let log = try TemporaryLog()
        let transactions = generateTransactions(count: 20_000, users: 25)
        let stream = try spreadStream(log, transactions, shards: shards)
        for shard in stream.shards { #expect(try shard.describe().nextSequence > 1_000, "every shard holds records") }
        let plan = tests.referencePlan(window: .tumbling(sizeMs: 60_000))
        let (rows, statistics) = try runMerged(plan, on: stream, workers: workers)
        #expect(statistics.recordsRead == 20_000)
        #expect(statistics.lateRecords == 0)
        #expect(statistics.rowsEmitted == rows.count)
        tests.assertMatches(rows, try tests.sqliteAnswer(transactions, sizeMs: 60_000, advanceMs: 60_000))
    }

    @Test func hoppingMatchesSQLite() throws {
        let log = try TemporaryLog()
        let transactions = generateTransactions(count: 10_000, users: 10, seed: 7)
        let stream = try spreadStream(log, transactions, shards: 2)
        let (rows, statistics) = try runMerged(tests.referencePlan(window: .hopping(sizeMs: 60_000, advanceMs: 20_000)), on: stream, workers: 2)
        #expect(statistics.lateRecords == 0)
        tests.assertMatches(rows, try tests.sqliteAnswer(transactions, sizeMs: 60_000, advanceMs: 20_000))
    }

    /// Shard 0 holds ten minutes of records, shard 1 ten hours: the first
    /// worker finishes long before the frontier passes its last windows.
    @Test func workersThatEndFarApartCloseEachWindowOnce() throws {
        let log = try TemporaryLog()
        let stream = try log.store.createStream("tx", settings: StreamSettings(shardCount: 2, durability: .none))
        var transactions: [Transaction] = []
        for (shard, minutes) in [(0, 10), (1, 600)] {
            var batch = AppendBatch()
            for i in 0..<(minutes * 30) {
                let t = Transaction(userId: "user\(i % 7)", amount: Double(i % 100), timestamp: 1_732_400_000_000 + Int64(i) * 2_000)
                transactions.append(t)
                try batch.append(key: "", payload: Array(t.json.utf8))
            }
            _ = try stream.shards[shard].append(batch)
        }
        let plan = tests.referencePlan(window: .tumbling(sizeMs: 60_000))
        let (rows, statistics) = try runMerged(plan, on: stream, workers: 2)
        #expect(statistics.lateRecords == 0)
        let groups = rows.map { "\($0[0])@\($0[1])" }
        #expect(Set(groups).count == groups.count, "each (user, window) once")
        tests.assertMatches(rows, try tests.sqliteAnswer(transactions, sizeMs: 60_000, advanceMs: 60_000))
        let (one, _) = try runPlan(plan, on: stream)
        expectSameRows(rows, one)
    }

    /// The same rows in any order, doubles equal to 1e-12 relative (a merged
    /// STDDEV combines the same sums in another order).
    func expectSameRows(_ rows: [[Value]], _ expected: [[Value]]) {
        func ordered(_ rows: [[Value]]) -> [[Value]] { rows.sorted { "\($0)" < "\($1)" } }
        #expect(rows.count == expected.count)
        for (row, want) in zip(ordered(rows), ordered(expected)) {
            let same = row.count == want.count && zip(row, want).allSatisfy { a, b in
                if case let .double(x) = a, case let .double(y) = b { return abs(x - y) <= 1e-12 * max(1, abs(y)) }
                return a == b
            }
            #expect(same, "\(row) ≠ \(want)")
        }
    }

    /// No window and no GROUP BY: one group over every shard, folded at the end.
    @Test func oneGroupOverEveryShard() throws {
        let log = try TemporaryLog()
        let transactions = generateTransactions(count: 12_000, users: 301, seed: 3)
        let stream = try spreadStream(log, transactions, shards: 4)
        let aggregates = [
            AggregatePlan(function: .countStar, argument: nil, type: .bigint),
            AggregatePlan(function: .countDistinct, argument: userIdField, type: .bigint),
            AggregatePlan(function: .sum, argument: amountField, type: .double),
            AggregatePlan(function: .max, argument: amountField, type: .double),
        ]
        let outputs = aggregates.indices.map { OutputColumn(name: "a\($0)", expression: BoundExpression(.aggregate($0), type: aggregates[$0].type)) }
        let plan = QueryPlan(source: .stream("tx"), fields: transactionFields, eventTime: .field(2), start: .earliest, end: .now,
                             aggregates: aggregates, outputs: outputs)
        let (rows, _) = try runMerged(plan, on: stream, workers: 3)
        let sql = try sqlite(sqliteTable(transactions) + "SELECT COUNT(*), COUNT(DISTINCT userId), SUM(amount), MAX(amount) FROM t;")
        #expect(rows.count == 1)
        #expect(rows.first?[0] == .bigint(Int64(sql[0][0])!))
        #expect(rows.first?[1] == .bigint(Int64(sql[0][1])!))
        #expect(tests.close(rows.first?[2] ?? .null, Double(sql[0][2])!))
        #expect(rows.first?[3] == .double(Double(sql[0][3])!))
    }

    @Test func whatDoesNotMergeSaysWhy() {
        var plan = tests.referencePlan(window: .session(gapMs: 10_000))
        #expect(plan.partialMergeRefusal?.contains("session") == true)
        plan = tests.referencePlan(window: .tumbling(sizeMs: 60_000))
        #expect(plan.partialMergeRefusal == nil)
        plan.aggregates.append(AggregatePlan(function: .first, argument: amountField, type: .double))
        #expect(plan.partialMergeRefusal?.contains("FIRST") == true)
    }
}

/// One shard read as consecutive ranges of records, one per worker: exact for
/// queries without state and for aggregates over arrival time (a shard's
/// arrival times never go down); the windows at a boundary wait for both sides.
@Suite struct ShardRangeSplitTests {
    let tests = WindowedAggregateTests()

    /// 150,000 records in one shard, appended in batches as they come (arrival times span a few hundred ms or more).
    func oneShard(_ log: TemporaryLog) throws -> LogStream {
        try makeStream(log, "tx", lines: generateTransactions(count: 150_000, users: 40, seed: 11).map(\.json), shards: 1, key: { _ in "" })
    }

    func runRanges(_ plan: QueryPlan, on stream: LogStream, workers: Int) throws -> (rows: [[Value]], statistics: QueryStatistics, ranges: Int) {
        let ranges = try #require(try ParallelQueryExecution.shardRanges(plan: plan, stream: stream, workers: workers, nowMs: wallClockMs()))
        let execution = try ParallelQueryExecution(plan: plan, stream: stream, ranges: ranges)
        var rows: [[Value]] = []
        let emit: (EmittedRow) -> Bool = { rows.append($0.values); return true }
        loop: while true {
            switch try execution.step(emit: emit) {
            case .progressed, .idle: continue
            case .finished: break loop
            }
        }
        try execution.finish(emit: emit)
        return (rows, execution.currentStatistics, ranges.count)
    }

    @Test func arrivalTimeWindowsGiveTheRowsOfOneWorker() throws {
        let workers = 2
        let log = try TemporaryLog()
        let stream = try oneShard(log)
        for window in [WindowPlan.Kind.tumbling(sizeMs: 7), .hopping(sizeMs: 20, advanceMs: 5)] {
            var plan = tests.referencePlan(window: window)
            plan.eventTime = .arrival
            #expect(plan.rangeSplitRefusal == nil)
            let (rows, statistics, ranges) = try runRanges(plan, on: stream, workers: workers)
            #expect(ranges == workers)
            #expect(statistics.recordsRead == 150_000)
            let (one, oneStatistics) = try runPlan(plan, on: stream)
            #expect(statistics.lateRecords == oneStatistics.lateRecords)
            PartialAggregateMergeTests().expectSameRows(rows, one)
            let groups = rows.map { "\($0[0])@\($0[1])" }
            #expect(Set(groups).count == groups.count, "each (user, window) once")
        }
    }

    @Test func aFilterAndAGlobalCountSplit() throws {
        let log = try TemporaryLog()
        let stream = try oneShard(log)
        let filter = QueryPlan(source: .stream("tx"), fields: transactionFields, eventTime: .field(2), start: .earliest, end: .now,
                               filter: BoundExpression(.binary(.greater, amountField, BoundExpression(.constant(.double(900)), type: .double)), type: .boolean),
                               outputs: [OutputColumn(name: "userId", expression: userIdField), OutputColumn(name: "amount", expression: amountField)])
        #expect(filter.rangeSplitRefusal == nil, "a query without state splits whatever its time")
        let (rows, _, _) = try runRanges(filter, on: stream, workers: 2)
        let (one, _) = try runPlan(filter, on: stream)
        #expect(!one.isEmpty)
        #expect(rows.map { "\($0)" }.sorted() == one.map { "\($0)" }.sorted())

        let aggregates = [AggregatePlan(function: .countStar, argument: nil, type: .bigint),
                          AggregatePlan(function: .countDistinct, argument: userIdField, type: .bigint)]
        var count = QueryPlan(source: .stream("tx"), fields: transactionFields, eventTime: .arrival, start: .earliest, end: .now,
                              aggregates: aggregates, outputs: aggregates.indices.map { OutputColumn(name: "a\($0)", expression: BoundExpression(.aggregate($0), type: .bigint)) })
        let (counted, _, _) = try runRanges(count, on: stream, workers: 2)
        #expect(counted == [[.bigint(150_000), .bigint(40)]])
        count.eventTime = .field(2)
        #expect(count.rangeSplitRefusal == nil, "no window: nothing depends on time")
    }

    @Test func whatDoesNotSplitSaysWhy() throws {
        var plan = tests.referencePlan(window: .tumbling(sizeMs: 60_000))
        #expect(plan.rangeSplitRefusal?.contains("event times may go down") == true)
        plan.eventTime = .arrival
        plan.limit = 3
        #expect(plan.rangeSplitRefusal?.contains("LIMIT") == true)
        let log = try TemporaryLog()
        let small = try makeStream(log, "small", lines: generateTransactions(count: 1_000, users: 3).map(\.json))
        #expect(try ParallelQueryExecution.shardRanges(plan: plan, stream: small, workers: 2, nowMs: wallClockMs()) == nil, "too few records to split")
    }
}
