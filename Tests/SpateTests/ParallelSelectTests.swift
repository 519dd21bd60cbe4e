// Bounded queries over several shards on two workers (issue 17): the same rows
// as one worker — windows per key, per-event detectors keyed by the stream key,
// filters; groups not keyed by the stream key through merged partial
// aggregates, with HAVING, ORDER BY and LIMIT after the merge — and queries
// that cannot split (FIRST, session windows, ORDER BY without aggregates)
// still give the one-worker answer.

import Foundation
import Spate
import SpateLog
import SpateRuntime
import SpateSQL
import Testing

@Suite struct ParallelSelectTests {
    func fixture() throws -> SQLFixture {
        let f = try SQLFixture()
        try f.run("CREATE STREAM tx (userId STRING, amount DOUBLE, ts TIMESTAMP) WITH (shards = 4, key = 'userId', event_time = 'ts');")
        var batch = AppendBatch()
        for i in 0..<20_000 {
            let user = "u\(i % 37)", amount = i % 211 == 0 ? 5_000.0 : Double(10 + (i * 7919) % 90)
            try batch.append(key: user, payload: Array(#"{"userId":"\#(user)","amount":\#(amount),"ts":\#(1_732_400_000_000 + Int64(i) * 250)}"#.utf8))
        }
        _ = try f.database.stream("tx").append(batch)
        return f
    }

    func rows(_ f: SQLFixture, threads: Int, _ sql: String) throws -> [String] {
        f.session.threads = threads
        return try f.run(sql).rows.map { "\($0)" }
    }

    @Test(arguments: [
        "SELECT userId, WINDOW_START, COUNT(*) AS n, AVG(amount) AS a, MAX(amount) AS m, STDDEV(amount) AS s FROM tx SINCE EARLIEST UNTIL NOW WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId",
        "SELECT userId, amount, ANOMALY_SCORE(amount) OVER (PARTITION BY userId) AS score, anomaly_grade AS g FROM tx SINCE EARLIEST UNTIL NOW WHERE anomaly",
        "SELECT userId, amount FROM tx SINCE EARLIEST UNTIL NOW WHERE amount > 95",
    ])
    func twoWorkersGiveTheRowsOfOne(sql: String) throws {
        let f = try fixture()
        let one = try rows(f, threads: 1, sql + ";")
        let two = try rows(f, threads: 2, sql + ";")
        #expect(!one.isEmpty)
        #expect(two.sorted() == one.sorted())
        let summary = try #require(f.run(sql + ";").summaries.last)
        #expect(summary.recordsRead == 20_000)
    }

    /// Groups not keyed by the stream's key: the workers' partial aggregates
    /// merge, and HAVING, ORDER BY and LIMIT run on the merged groups.
    @Test(arguments: [
        "SELECT WINDOW_START, COUNT(*) AS n, SUM(amount) AS s, MIN(amount) AS lo, MAX(amount) AS hi FROM tx SINCE EARLIEST UNTIL NOW WINDOW TUMBLING (SIZE 1 MINUTE)",
        "SELECT amount > 50 AS big, WINDOW_START, COUNT(*) AS n, AVG(amount) AS a FROM tx SINCE EARLIEST UNTIL NOW WINDOW HOPPING (SIZE 2 MINUTES, ADVANCE BY 30 SECONDS) GROUP BY amount > 50",
        "SELECT COUNT(*) AS n, COUNT(DISTINCT userId) AS users, SUM(amount) AS s FROM tx SINCE EARLIEST UNTIL NOW",
        "SELECT WINDOW_START, COUNT(*) AS n FROM tx SINCE EARLIEST UNTIL NOW WINDOW TUMBLING (SIZE 1 MINUTE) HAVING COUNT(*) >= 240 ORDER BY n DESC, WINDOW_START LIMIT 4",
        "SELECT amount, COUNT(*) AS n FROM tx SINCE EARLIEST UNTIL NOW GROUP BY amount ORDER BY n DESC, amount LIMIT 3",
    ])
    func mergedPartialsGiveTheRowsOfOne(sql: String) throws {
        let f = try fixture()
        let one = try rows(f, threads: 1, sql + ";")
        let two = try rows(f, threads: 2, sql + ";")
        #expect(!one.isEmpty)
        if sql.contains("ORDER BY") {
            #expect(two == one)
        } else {
            #expect(two.sorted() == one.sorted())
        }
    }

    @Test func queriesThatCannotSplitRunOnOneWorker() throws {
        let f = try fixture()
        for sql in [
            "SELECT WINDOW_START, FIRST(userId) AS u, COUNT(*) AS n FROM tx SINCE EARLIEST UNTIL NOW WINDOW TUMBLING (SIZE 1 MINUTE)",
            "SELECT WINDOW_START, COUNT(*) AS n FROM tx SINCE EARLIEST UNTIL NOW WINDOW SESSION (GAP 1 MINUTE)",
            "SELECT userId, amount FROM tx SINCE EARLIEST UNTIL NOW ORDER BY amount DESC LIMIT 5",
        ] {
            #expect(try rows(f, threads: 2, sql + ";") == rows(f, threads: 1, sql + ";"), "\(sql)")
        }
    }

    /// A stream of one shard is read as two ranges when the query has no state or aggregates over arrival time.
    @Test func oneShardSplitsIntoRanges() throws {
        let f = try SQLFixture()
        try f.run("CREATE STREAM one (userId STRING, amount DOUBLE);")
        var batch = AppendBatch()
        for i in 0..<140_000 {
            try batch.append(key: "", payload: Array(#"{"userId":"u\#(i % 29)","amount":\#(i % 1000)}"#.utf8))
            if batch.count == 10_000 { _ = try f.database.stream("one").append(batch); batch.removeAll(); f.clock.advance(1_000) }
        }
        for sql in [
            "SELECT userId, amount FROM one SINCE EARLIEST UNTIL NOW WHERE amount > 990",
            "SELECT userId, WINDOW_START, COUNT(*) AS n, SUM(amount) AS s FROM one SINCE EARLIEST UNTIL NOW WINDOW TUMBLING (SIZE 3 SECONDS) GROUP BY userId",
        ] {
            let one = try rows(f, threads: 1, sql + ";"), two = try rows(f, threads: 2, sql + ";")
            #expect(!one.isEmpty)
            #expect(two.sorted() == one.sorted(), "\(sql)")
        }
    }

    @Test func setThreadsIsChecked() throws {
        let f = try fixture()
        #expect(try f.run("SET threads = 1;").messages == ["threads = 1"])
        #expect(f.session.threads == 1)
        #expect { try f.run("SET threads = 0;") } throws: { "\($0)".contains("threads must be a whole number from 1 to 64") }
        #expect { try f.run("SET thread = 2;") } throws: { "\($0)".contains("unknown setting 'thread'") }
    }
}
