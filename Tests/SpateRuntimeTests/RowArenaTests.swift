// A job's workers put their rows in a RowArena (every row's values in one
// array) instead of an EmittedRow each. A worker's arenas must hold exactly the
// rows its query emits one by one: the same values, windows, keys, scores and
// explanations, in the same order — for a stateless filter and projection, a
// windowed aggregate, and a detector that flags and explains rows. (How the
// workers' rows interleave depends on where steps end, which is timing.)

import Foundation
@testable import SpateRuntime
import SpateLog
import SpateSQL
import Testing

@Suite struct RowArenaTests {
    struct Schemas: SchemaProvider {
        static let tx = StreamSchema(
            name: "tx",
            columns: [SchemaColumn(name: "userId", type: .string), SchemaColumn(name: "amount", type: .double),
                      SchemaColumn(name: "timestamp", type: .timestamp)],
            keyColumn: "userId", eventTimeColumn: "timestamp")
        func stream(named name: String) -> StreamSchema? { name == "tx" ? Self.tx : nil }
        func catalogTable(named name: String) -> CatalogTableSchema? { nil }
        var relationNames: [String] { ["tx"] }
        func sampledType(ofField path: [String], inStream stream: String) -> ValueType? { nil }
    }

    static let queries = [
        "SELECT userId, amount * 2 AS doubled, timestamp FROM tx WHERE amount > 500",
        "SELECT userId, WINDOW_START, COUNT(*) AS n, AVG(amount) AS a, STDDEV(amount) AS sd FROM tx WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId",
        "SELECT userId, amount, ZSCORE(amount, warmup => 5, threshold => 2) OVER (PARTITION BY userId) AS z FROM tx WHERE anomaly",
    ]

    /// The stream of the tests: 30,000 transactions of 20 users, keyed by user, in 2 shards.
    func transactions(_ log: TemporaryLog) throws -> LogStream {
        try makeStream(log, "tx", lines: generateTransactions(count: 30_000, users: 20).map(\.json), shards: 2, key: { line in
            String(line.split(separator: "\"")[3])  // the userId
        })
    }

    func plan(_ sql: String) throws -> QueryPlan {
        let parsed = try Parser.parseStatement(sql)
        guard case let .select(select) = parsed.kind else { throw SQLError(.syntax, "not a SELECT: \(sql)", at: parsed.range.start) }
        return try Analyzer.plan(select, schemas: Schemas(), nowMs: 1_714_521_600_000)
    }

    /// The rows of `plan` over each shard of `stream` (what each of two workers
    /// reads) emitted one by one by a query of its own (`step(emit:)`), in order.
    func emittedOneByOne(_ plan: QueryPlan, _ stream: LogStream) throws -> [[EmittedRow]] {
        try (0..<2).map { shard in
            let execution = try QueryExecution(plan: plan, stream: stream, shards: [shard], start: .earliest)
            var rows: [EmittedRow] = []
            while case .progressed = try execution.step(emit: { rows.append($0); return true }) {}
            return rows
        }
    }

    /// Each worker's arenas of `plan` over `stream` as a job's launched steps fill them, in order.
    /// (The workers alone: a caller's share reads as much as its slack allows.)
    func arenas(_ plan: QueryPlan, _ stream: LogStream, _ encoding: RowArena.Encoding) throws -> [[RowArena]] {
        let execution = try ParallelQueryExecution(plan: plan, stream: stream, parallelism: 2, start: .earliest)
        execution.callerRunsAShare = false
        var arenas: [[RowArena]] = [[], []]
        while true {
            execution.launchStep(batches: ParallelQueryExecution.batchesPerStep, batchesMax: ParallelQueryExecution.batchesPerStep, rows: encoding)
            let (outcome, rows) = try execution.collectStep()
            for (worker, arena) in rows.byWorker.enumerated() { arenas[worker].append(arena) }
            guard case .progressed = outcome else { return arenas }
        }
    }

    /// `sql` over the stream of the tests, and the rows each worker emits one by one
    /// (the log is returned to keep its directory while the stream is read).
    func scenario(_ sql: String) throws -> (plan: QueryPlan, log: TemporaryLog, stream: LogStream, expected: [[EmittedRow]]) {
        let plan = try plan(sql)
        let log = try TemporaryLog()
        let stream = try transactions(log)
        let expected = try emittedOneByOne(plan, stream)
        #expect(expected.allSatisfy { !$0.isEmpty } && expected.joined().count > 10, "the query emits rows on both workers")
        return (plan, log, stream, expected)
    }

    @Test(arguments: queries)
    func anArenaHoldsTheRowsTheQueryEmitsOneByOne(_ sql: String) throws {
        let (plan, log, stream, expected) = try scenario(sql)
        defer { withExtendedLifetime(log) {} }

        let byWorker = try arenas(plan, stream, .values(keepsKeys: true)).map { arenas in
            arenas.flatMap { arena in
                #expect(arena.width == plan.outputs.count)
                return (0..<arena.count).map { arena[$0] }
            }
        }
        #expect(byWorker.map(\.count) == expected.map(\.count))
        for (got, want) in zip(byWorker.joined(), expected.joined()) {
            #expect(got.values == want.values)
            #expect(got.windowStartMs == want.windowStartMs && got.windowEndMs == want.windowEndMs)
            #expect(got.key == want.key)
            #expect(got.score == want.score)
            #expect(got.explanation == want.explanation)
        }
        if sql.contains("anomaly") { #expect(byWorker.joined().contains { $0.explanation != nil && $0.score != nil }) }
    }

    /// Written by the workers: each row's JSON is what JSONText writes for its
    /// values, and a record's key and shard are its key column's text and the
    /// shard the stream's router gives it.
    @Test(arguments: queries)
    func anArenaWritesEachRowsJSONAndRoutesItsKey(_ sql: String) throws {
        let (plan, log, stream, expected) = try scenario(sql)
        defer { withExtendedLifetime(log) {} }
        let members = JSONText.Members(names: plan.outputs.map(\.name))
        let router = PartitionRouter(shardCount: 3)
        for encoding in [RowArena.Encoding.json(members), .records(members, keyColumn: 0, router: router), .records(members, keyColumn: nil, router: router)] {
            var encoded: [(key: String, json: String, shard: Int32, window: Int64?)] = []
            for arena in try arenas(plan, stream, encoding).joined() {
                #expect(!arena.keepsValues && arena.values.isEmpty)
                for row in 0..<arena.count {
                    arena.withEncodedRow(row) { key, json in
                        encoded.append((String(decoding: key, as: UTF8.self), String(decoding: json, as: UTF8.self),
                                        arena.shards.isEmpty ? -2 : arena.shards[row], arena.windowStarts[row]))
                    }
                }
            }
            #expect(encoded.count == expected.joined().count)
            for (got, want) in zip(encoded, expected.joined()) {
                #expect(got.json == JSONText.object(members: members, values: want.values))
                #expect(got.window == want.windowStartMs)
                switch encoding {
                case .json: #expect(got.key.isEmpty && got.shard == -2)
                case .records(_, keyColumn: 0, _):
                    #expect(got.key == JSONText.plain(want.values[0]))
                    #expect(got.shard == Int32(router.shard(forKey: got.key)))
                default: #expect(got.key.isEmpty && got.shard == -1)
                }
            }
        }
    }

    /// An empty key is spread by the job like a row without a key, as JobOutput does with one worker.
    @Test func anEmptyKeyIsNotRouted() throws {
        let router = PartitionRouter(shardCount: 4)
        let arena = RowArena(width: 2, encoding: .records(JSONText.Members(names: ["k", "n"]), keyColumn: 0, router: router))
        arena.append(EmittedRow(values: [.string(""), .bigint(1)], windowStartMs: nil, windowEndMs: nil, key: nil))
        arena.append(EmittedRow(values: [.string("user7"), .bigint(2)], windowStartMs: nil, windowEndMs: nil, key: nil))
        #expect(arena.shards == [-1, Int32(router.shard(forKey: "user7"))])
        arena.withEncodedRow(1) { key, json in
            #expect(String(decoding: key, as: UTF8.self) == "user7")
            #expect(String(decoding: json, as: UTF8.self) == #"{"k":"user7","n":2}"#)
        }
    }

    @Test func withoutKeysAnArenaKeepsNone() throws {
        let arena = RowArena(width: 1, encoding: .values(keepsKeys: false))
        arena.append(EmittedRow(values: [.bigint(1)], windowStartMs: 0, windowEndMs: 60_000, key: "user1", score: 2.5))
        #expect(arena.count == 1)
        #expect(arena[0].key == nil)
        #expect(arena[0].score == 2.5)
        #expect(Array(arena.values(ofRow: 0)) == [.bigint(1)])
    }
}
