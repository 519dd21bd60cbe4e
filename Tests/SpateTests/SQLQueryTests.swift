// Streaming SQL through the Session, as the REPL runs it: DDL and INSERT, the
// window semantics (boundaries, grace, late records, sessions), bad records,
// errors with positions, and the same query over recorded history and over the
// live tail giving the same rows.

import Foundation
import Spate
import SpateLog
import SpateSQL
import Testing

/// Collects what a statement sends to its sink.
final class CollectingSink: ResultSink, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var columns: [ResultColumn] = []
    private var collected: [[Value]] = []
    private(set) var summaries: [QuerySummary] = []
    private(set) var messages: [String] = []

    var rows: [[Value]] { lock.withLock { collected } }
    func begin(columns: [ResultColumn]) { self.columns = columns }
    func row(_ values: [Value]) { lock.withLock { collected.append(values) } }
    func end(_ summary: QuerySummary) { summaries.append(summary) }
    func message(_ text: String) { messages.append(text) }
}

final class SQLFixture: @unchecked Sendable {
    let directory = TemporaryDirectory()
    let clock: ClockBox
    let database: Database
    let session: Session

    init() throws {
        let clock = ClockBox()
        self.clock = clock
        database = try Database.open(directory.path + "/data", options: LogOptions(now: { clock.now }))
        session = Session(database: database)
    }

    @discardableResult
    func run(_ sql: String) throws -> CollectingSink {
        let sink = CollectingSink()
        try session.execute(script: sql, sink: sink)
        return sink
    }

    /// Appends JSON records to a stream, keyed by `key`.
    func append(_ stream: String, _ records: [String], key: String = "") throws {
        var batch = AppendBatch()
        for record in records { try batch.append(key: key, payload: Array(record.utf8)) }
        _ = try database.stream(stream).append(batch)
    }
}

final class ClockBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64 = 1_732_400_000_000
    var now: Int64 { lock.withLock { value } }
    func advance(_ ms: Int64) { lock.withLock { value += ms } }
}

@Suite struct SQLQueryTests {
    let minute: Int64 = 60_000
    let t0: Int64 = 1_732_399_980_000  // a minute boundary

    func event(_ user: String, _ amount: Double, at ms: Int64) -> String {
        #"{"userId":"\#(user)","amount":\#(amount),"ts":\#(ms)}"#
    }

    func makeStream(_ f: SQLFixture, grace: String? = nil) throws {
        try f.run("CREATE STREAM tx (userId STRING, amount DOUBLE, ts TIMESTAMP) WITH (key = 'userId', event_time = 'ts');")
    }

    @Test func tumblingWindowBoundariesAreHalfOpen() throws {
        let f = try SQLFixture()
        try makeStream(f)
        try f.append("tx", [event("a", 1, at: t0), event("a", 2, at: t0 + minute - 1), event("a", 4, at: t0 + minute)])
        let sink = try f.run("SELECT WINDOW_START, WINDOW_END, COUNT(*) AS n, SUM(amount) AS total FROM tx SINCE EARLIEST UNTIL NOW WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId;")
        #expect(sink.rows == [
            [.timestamp(t0), .timestamp(t0 + minute), .bigint(2), .double(3)],
            [.timestamp(t0 + minute), .timestamp(t0 + 2 * minute), .bigint(1), .double(4)],
        ])
    }

    @Test func lateRecordsAreCountedAndDroppedUnlessWithinGrace() throws {
        let f = try SQLFixture()
        try makeStream(f)
        // 10 s late for the first window: dropped without grace, kept with 30 s.
        try f.append("tx", [event("a", 1, at: t0 + 10_000), event("a", 1, at: t0 + minute + 20_000), event("a", 5, at: t0 + 50_000)])
        let strict = try f.run("SELECT WINDOW_START, SUM(amount) AS s FROM tx SINCE EARLIEST UNTIL NOW WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId;")
        #expect(strict.rows == [[.timestamp(t0), .double(1)], [.timestamp(t0 + minute), .double(1)]])
        #expect(strict.summaries.last?.lateRecords == 1)
        let lenient = try f.run("SELECT WINDOW_START, SUM(amount) AS s FROM tx SINCE EARLIEST UNTIL NOW WINDOW TUMBLING (SIZE 1 MINUTE, GRACE 30 SECONDS) GROUP BY userId;")
        #expect(lenient.rows == [[.timestamp(t0), .double(6)], [.timestamp(t0 + minute), .double(1)]])
        #expect(lenient.summaries.last?.lateRecords == 0)
    }

    @Test func hoppingWindowsOverlap() throws {
        let f = try SQLFixture()
        try makeStream(f)
        try f.append("tx", [event("a", 1, at: t0 + 5_000), event("a", 10, at: t0 + 25_000)])
        let sink = try f.run("SELECT WINDOW_START, SUM(amount) AS s FROM tx SINCE EARLIEST UNTIL NOW WINDOW HOPPING (SIZE 30 SECONDS, ADVANCE BY 10 SECONDS) GROUP BY userId;")
        // Windows containing t0+5s: starts t0-20s, t0-10s, t0; containing t0+25s: t0, t0+10s, t0+20s.
        #expect(sink.rows == [
            [.timestamp(t0 - 20_000), .double(1)], [.timestamp(t0 - 10_000), .double(1)], [.timestamp(t0), .double(11)],
            [.timestamp(t0 + 10_000), .double(10)], [.timestamp(t0 + 20_000), .double(10)],
        ])
    }

    @Test func sessionWindowsSplitOnGapsAndMerge() throws {
        let f = try SQLFixture()
        try makeStream(f)
        // a: 0s and 20s (one session: gap 30s), 75s (a new one). b: 10s.
        // Then a at 48s arrives out of order: within 30s of both of a's
        // sessions, it merges them — if the grace still accepts it.
        try f.append("tx", [event("a", 1, at: t0), event("b", 2, at: t0 + 10_000), event("a", 2, at: t0 + 20_000),
                            event("a", 3, at: t0 + 75_000), event("a", 4, at: t0 + 48_000)])
        let strict = try f.run("SELECT userId, WINDOW_START, WINDOW_END, COUNT(*) AS n FROM tx SINCE EARLIEST UNTIL NOW WINDOW SESSION (GAP 30 SECONDS) GROUP BY userId;")
        // Without grace, a's first session is final when 48s arrives (the
        // watermark is at 75s): the record joins only the open session it is
        // within the gap of. Emitted in order of end.
        #expect(strict.rows == [
            [.string("b"), .timestamp(t0 + 10_000), .timestamp(t0 + 40_000), .bigint(1)],
            [.string("a"), .timestamp(t0), .timestamp(t0 + 50_000), .bigint(2)],
            [.string("a"), .timestamp(t0 + 48_000), .timestamp(t0 + 105_000), .bigint(2)],
        ])
        #expect(strict.summaries.last?.lateRecords == 0)
        let merged = try f.run("SELECT userId, WINDOW_START, WINDOW_END, COUNT(*) AS n, SUM(amount) AS s FROM tx SINCE EARLIEST UNTIL NOW WINDOW SESSION (GAP 30 SECONDS, GRACE 1 MINUTE) GROUP BY userId;")
        #expect(merged.rows == [
            [.string("b"), .timestamp(t0 + 10_000), .timestamp(t0 + 40_000), .bigint(1), .double(2)],
            [.string("a"), .timestamp(t0), .timestamp(t0 + 105_000), .bigint(4), .double(10)],
        ])
        // A record that touches no open session and whose own session would be final is late.
        try f.append("tx", [event("b", 1, at: t0 + 12_000)])
        #expect(try f.run("SELECT COUNT(*) AS n FROM tx SINCE EARLIEST UNTIL NOW WINDOW SESSION (GAP 30 SECONDS) GROUP BY userId;").summaries.last?.lateRecords == 1)
    }

    @Test func badRecordsReadAsNullAndAreCounted() throws {
        let f = try SQLFixture()
        try makeStream(f)
        try f.append("tx", [event("a", 1, at: t0), "not json at all", #"{"userId":"b","amount":"lots","ts":1732399980000}"#])
        let sink = try f.run("SELECT userId, amount FROM tx SINCE EARLIEST UNTIL NOW;")
        #expect(sink.rows == [[.string("a"), .double(1)], [.null, .null], [.string("b"), .null]])
        #expect(sink.summaries.last?.badRecords == 2)
    }

    @Test func insertValuesAndScalarExpressions() throws {
        let f = try SQLFixture()
        try makeStream(f)
        try f.run("INSERT INTO tx (userId, amount, ts) VALUES ('u1', 10, '2024-11-23T22:13:00Z'), ('u2', 2.5, 1732400000000);")
        let sink = try f.run("""
            SELECT UPPER(userId) AS u, amount * 2 AS doubled, CASE WHEN amount > 5 THEN 'big' ELSE 'small' END AS size,
                   CAST(amount AS BIGINT) AS whole, ts
            FROM tx SINCE EARLIEST UNTIL NOW WHERE userId LIKE 'u%' AND amount BETWEEN 1 AND 100 ORDER BY doubled DESC;
            """)
        #expect(sink.rows == [
            [.string("U1"), .double(20), .string("big"), .bigint(10), .timestamp(1_732_399_980_000)],
            [.string("U2"), .double(5), .string("small"), .bigint(2), .timestamp(1_732_400_000_000)],
        ])
        let bad = #expect(throws: SpateError.self) { try f.run("INSERT INTO tx (userId, amount) VALUES ('u3', 'lots');") }
        #expect(bad?.description.contains("column amount is DOUBLE") == true)
    }

    @Test func errorsNamePositionsAndSuggest() throws {
        let f = try SQLFixture()
        try makeStream(f)
        let unknownStream = #expect(throws: SpateError.self) { try f.run("SELECT * FROM txx UNTIL NOW;") }
        #expect(unknownStream?.description.contains("did you mean tx?") == true)
        #expect(unknownStream?.description.contains("line 1, column 15") == true)
        let unknownFunction = #expect(throws: SpateError.self) { try f.run("SELECT AVRG(amount) FROM tx UNTIL NOW;") }
        #expect(unknownFunction?.description.contains("did you mean AVG?") == true)
        let badOption = #expect(throws: SpateError.self) { try f.run("CREATE STREAM s2 (a STRING) WITH (shard = 2);") }
        #expect(badOption?.description.contains("did you mean shards?") == true)
        #expect(throws: SpateError.self) { try f.run("CREATE STREAM tx (a STRING);") }
        #expect(try f.run("CREATE STREAM IF NOT EXISTS tx (a STRING);").messages == ["stream tx already exists"])
    }

    @Test func showDescribeAlterDrop() throws {
        let f = try SQLFixture()
        try f.run("CREATE STREAM metrics (host STRING, cpu DOUBLE) WITH (shards = 3, retention = '7 days', durability = 'always');")
        let show = try f.run("SHOW STREAMS;")
        #expect(show.rows.first?[0] == .string("metrics") && show.rows.first?[1] == .bigint(3))
        let describe = try f.run("DESCRIBE metrics;")
        #expect(describe.rows.contains([.string("column cpu"), .string("DOUBLE")]))
        #expect(describe.rows.contains([.string("durability"), .string("always")]))
        try f.run("ALTER STREAM metrics SET (retention = '1 day', durability = 'batch');")
        #expect(try f.run("DESCRIBE metrics;").rows.contains([.string("durability"), .string("batch")]))
        try f.run("DROP STREAM metrics;")
        #expect(try f.run("SHOW STREAMS;").rows.isEmpty)
        #expect(try f.run("SELECT name FROM streams;").rows.isEmpty)
    }

    @Test func theSameQueryOverHistoryAndTheLiveTailGivesTheSameRows() throws {
        let f = try SQLFixture()
        try makeStream(f)
        var random = SystemRandomNumberGenerator()
        let events = (0..<3000).map { i in
            event("u\(Int.random(in: 0..<7, using: &random))", Double(Int.random(in: 1...500, using: &random)), at: t0 + Int64(i) * 700)
        }
        let query = "SELECT userId, WINDOW_START, COUNT(*) AS n, SUM(amount) AS total, MAX(amount) AS top FROM tx SINCE EARLIEST %@ WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId;"
        // Live: a tailing query runs while the events are appended in small batches.
        let live = CollectingSink()
        let cancel = CancellationFlag()
        nonisolated(unsafe) let session = f.session
        let liveQuery = String(format: query, "")
        let runner = Thread {
            try? session.execute(script: liveQuery, sink: live, cancel: cancel)
        }
        runner.start()
        for chunk in stride(from: 0, to: events.count, by: 100) {
            try f.append("tx", Array(events[chunk..<min(chunk + 100, events.count)]))
            usleep(2_000)
        }
        // All windows that can close have closed once the live query has read everything.
        let lastEvent = t0 + Int64(events.count - 1) * 700
        let closable = { (row: [Value]) -> Bool in if case let .timestamp(start) = row[1] { return start + self.minute <= lastEvent } else { return false } }
        let history = try f.run(String(format: query, "UNTIL NOW")).rows
        let expected = history.filter(closable)
        let deadline = Date().addingTimeInterval(30)
        while live.rows.count < expected.count && Date() < deadline { usleep(10_000) }
        cancel.cancel()
        while !runner.isFinished { usleep(1_000) }
        #expect(live.rows == expected)
        #expect(expected.count > 50)
        #expect(history.count > expected.count)  // the bounded query also emits the windows still open at its end
    }
}
