// spate import kda: example applications written from the KDA SQL developer
// guide and reference (the stock-ticker demo stream: TICKER_SYMBOL, SECTOR,
// CHANGE, PRICE), one per construct. Each is translated, applied to a fresh
// data directory, run as jobs over generated records, and the rows its output
// stream holds are checked against what KDA's semantics define, computed here
// independently: the filter's rows, per-ticker counts per STEP/FLOOR window of
// ROWTIME (the arrival time) or of an event-time column, a stagger window per
// (minute, ticker), one RANDOM_CUT_FOREST score per record that is highest at
// the spike. What Spate lacks (sliding windows, HOTSPOTS) is a comment saying
// why, and no job.

import Foundation
import Spate
import SpateLog
import SpateRuntime
import SpateSQL
import Testing

@Suite(.serialized) struct KDAImportTests {
    let options = JobRunnerOptions(leaseDurationMs: 1500, scanIntervalMs: 50, pollIntervalMs: 5)
    static let tickers = ["AAPL", "AMZN", "TBV", "QXZ"]
    static let sectors = ["TECHNOLOGY", "RETAIL", "ENERGY", "TECHNOLOGY"]

    /// One record of the demo stream; `eventTime` as epoch ms.
    static func record(_ i: Int, eventTime: Int64, price: Double? = nil) -> (key: String, json: String) {
        let t = i % tickers.count
        let p = price ?? (100 + Double(i % 13))
        return (tickers[t], #"{"TICKER_SYMBOL":"\#(tickers[t])","SECTOR":"\#(sectors[t])","CHANGE":\#(Double(i % 5) - 2),"PRICE":\#(p),"EVENT_TIME":\#(eventTime)}"#)
    }

    /// Appends records one by one, each arriving `gapMs` after the one before (the fixture's clock is the arrival time).
    func append(_ f: SQLFixture, _ records: [(key: String, json: String)], gapMs: Int64) throws -> [Int64] {
        var arrivals: [Int64] = []
        for record in records {
            var batch = AppendBatch()
            try batch.append(key: record.key, payload: Array(record.json.utf8))
            _ = try f.database.stream("ticks").append(batch)
            arrivals.append(f.clock.now)
            f.clock.advance(gapMs)
        }
        return arrivals
    }

    /// Translates `application`, applies it, runs its jobs until they caught up; the translation.
    func run(_ f: SQLFixture, _ application: String) throws -> KDATranslation {
        let columns = try #require(try f.database.streamDefinition("ticks")).columns.map { ($0.name, $0.type.rawValue) }
        var translator = KDATranslator(inputStream: "ticks", inputColumns: columns, since: "EARLIEST")
        let translation = try translator.translate(application)
        for statement in translation.statements { try f.run(statement) }
        let runner = f.database.startJobRunner(options: options)
        #expect(try eventually {
            try f.database.jobRecords().allSatisfy { job in try f.database.jobStatus(job).lagRecords == 0 }
        })
        runner.stop()
        for job in try f.database.jobRecords() { #expect(job.lastError == nil, "\(job.name): \(job.lastError ?? "")") }
        return translation
    }

    func setUp(eventTime: Bool = false) throws -> SQLFixture {
        let f = try SQLFixture()
        try f.run("""
            CREATE STREAM ticks (TICKER_SYMBOL STRING, SECTOR STRING, CHANGE DOUBLE, PRICE DOUBLE, EVENT_TIME TIMESTAMP)
              WITH (key = 'TICKER_SYMBOL'\(eventTime ? ", event_time = 'EVENT_TIME'" : ""));
            """)
        return f
    }

    func rows(_ f: SQLFixture, _ stream: String) throws -> [[Value]] {
        try f.run("SELECT * FROM \(stream) SINCE EARLIEST UNTIL NOW;").rows
    }

    @Test func filterWithSimilarTo() throws {
        let f = try setUp()
        let records = (0..<40).map { Self.record($0, eventTime: 0) }
        _ = try append(f, records, gapMs: 100)
        let translation = try run(f, """
            -- The KDA getting-started filter.
            CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), sector VARCHAR(12), change DOUBLE, price DOUBLE);
            CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
              SELECT STREAM ticker_symbol, sector, change, price
              FROM "SOURCE_SQL_STREAM_001"
              WHERE sector SIMILAR TO '%TECH%';
            """)
        #expect(translation.statements.count == 2)
        #expect(translation.script.contains("WHERE SECTOR LIKE '%TECH%'"), "unquoted names are upper case, as KDA folds them")
        let out = try f.run("SELECT TICKER_SYMBOL, PRICE FROM destination_sql_stream SINCE EARLIEST UNTIL NOW;").rows
        let expected = records.enumerated().filter { Self.sectors[$0.offset % 4].contains("TECH") }.map { [Value.string(Self.tickers[$0.offset % 4]), Value.double(100 + Double($0.offset % 13))] }
        #expect(out == expected)
    }

    /// STEP(ROWTIME BY INTERVAL '60' SECOND) and FLOOR(ROWTIME TO MINUTE): per-ticker counts per minute of arrival.
    @Test(arguments: ["STEP(\"SOURCE_SQL_STREAM_001\".ROWTIME BY INTERVAL '60' SECOND)", "FLOOR(\"SOURCE_SQL_STREAM_001\".ROWTIME TO MINUTE)"])
    func tumblingWindowOnRowtime(window: String) throws {
        let f = try setUp()
        let records = (0..<300).map { Self.record($0, eventTime: 0) }
        let arrivals = try append(f, records, gapMs: 1_000)
        let translation = try run(f, """
            CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER_SYMBOL VARCHAR(4), WINDOW_TIME TIMESTAMP, TICKER_COUNT INTEGER, AVG_PRICE DOUBLE);
            CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
              SELECT STREAM TICKER_SYMBOL, \(window), COUNT(*) AS TICKER_COUNT, AVG(PRICE)
              FROM "SOURCE_SQL_STREAM_001"
              GROUP BY TICKER_SYMBOL, \(window);
            """)
        #expect(translation.script.contains("WINDOW TUMBLING (SIZE "))
        // KDA: a window [m, m + 60 s) of ROWTIME emits once ROWTIME passes its end; the last minute is still open.
        var expected: [String: (n: Int64, sum: Double)] = [:]
        let lastMinute = arrivals.last! / 60_000 * 60_000
        for (i, arrival) in arrivals.enumerated() where arrival / 60_000 * 60_000 < lastMinute {
            let key = "\(Self.tickers[i % 4])@\(arrival / 60_000 * 60_000)"
            expected[key, default: (0, 0)].n += 1
            expected[key, default: (0, 0)].sum += 100 + Double(i % 13)
        }
        let out = try rows(f, "destination_sql_stream")
        #expect(out.count == expected.count)
        for row in out {
            guard case let .string(ticker) = row[0], case let .timestamp(window) = row[1], case let .bigint(n) = row[2], case let .double(avg) = row[3] else {
                Issue.record("row \(row)"); continue
            }
            let want = try #require(expected["\(ticker)@\(window)"], "no KDA window \(ticker)@\(window)")
            #expect(n == want.n)
            #expect(abs(avg - want.sum / Double(want.n)) < 1e-9)
        }
    }

    /// STEP over an event-time column: the same window on the stream's event time.
    @Test func tumblingWindowOnAnEventTimeColumn() throws {
        let f = try setUp(eventTime: true)
        let t0: Int64 = 1_732_399_980_000
        let records = (0..<200).map { Self.record($0, eventTime: t0 + Int64($0) * 2_000) }
        _ = try append(f, records, gapMs: 10)
        let translation = try run(f, """
            CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (TICKER_SYMBOL VARCHAR(4), TICKER_COUNT INTEGER);
            CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
              SELECT STREAM TICKER_SYMBOL, COUNT(*) AS TICKER_COUNT FROM "SOURCE_SQL_STREAM_001"
              GROUP BY TICKER_SYMBOL, STEP("SOURCE_SQL_STREAM_001".EVENT_TIME BY INTERVAL '1' MINUTE);
            """)
        #expect(translation.script.contains("event_time = 'EVENT_TIME'"))
        var expected: [String: Int64] = [:]
        for i in 0..<200 where (t0 + Int64(i) * 2_000) / 60_000 < (t0 + 199 * 2_000) / 60_000 { expected[Self.tickers[i % 4], default: 0] += 1 }
        var got: [String: Int64] = [:]
        for row in try rows(f, "destination_sql_stream") {
            if case let .string(ticker) = row[0], case let .bigint(n) = row[1] { got[ticker, default: 0] += n }
        }
        #expect(got == expected)
    }

    @Test func staggerWindow() throws {
        let f = try setUp(eventTime: true)
        let t0: Int64 = 1_732_399_980_000
        let records = (0..<240).map { Self.record($0, eventTime: t0 + Int64($0) * 1_000) }
        _ = try append(f, records, gapMs: 10)
        let translation = try run(f, """
            CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (EVENT_TIME TIMESTAMP, TICKER_SYMBOL VARCHAR(4), TICKER_COUNT INTEGER);
            CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
              SELECT STREAM FLOOR(EVENT_TIME TO MINUTE), TICKER_SYMBOL, COUNT(*) AS TICKER_COUNT
              FROM "SOURCE_SQL_STREAM_001"
              WINDOWED BY STAGGER (PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER_SYMBOL RANGE INTERVAL '1' MINUTE);
            """)
        #expect(translation.script.contains("STAGGER"), "a note says how a stagger window differs")
        // KDA: one row per (minute, ticker) with the minute's count; here every minute but the
        // last two (the grace of one minute holds the last back).
        let out = try rows(f, "destination_sql_stream")
        #expect(!out.isEmpty)
        for row in out {
            guard case let .timestamp(minute) = row[0], case let .string(ticker) = row[1], case let .bigint(n) = row[2] else { Issue.record("row \(row)"); continue }
            let want = (0..<240).filter { (t0 + Int64($0) * 1_000) / 60_000 * 60_000 == minute && Self.tickers[$0 % 4] == ticker }.count
            #expect(n == Int64(want), "\(ticker) at \(minute)")
        }
    }

    @Test(arguments: [false, true])
    func randomCutForest(withExplanation: Bool) throws {
        let f = try setUp()
        var records = (0..<600).map { Self.record($0, eventTime: 0, price: 100 + Double($0 % 7) * 0.1) }
        records[500] = Self.record(500, eventTime: 0, price: 900)
        _ = try append(f, records, gapMs: 10)
        let function = withExplanation
            ? #"RANDOM_CUT_FOREST_WITH_EXPLANATION(CURSOR(SELECT STREAM "PRICE", "CHANGE" FROM "SOURCE_SQL_STREAM_001"), 100, 256, 100000, 1, true)"#
            : #"RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM "SOURCE_SQL_STREAM_001"))"#
        let translation = try run(f, """
            CREATE OR REPLACE STREAM "TEMP_STREAM" ("TICKER_SYMBOL" VARCHAR(4), "PRICE" DOUBLE, "ANOMALY_SCORE" DOUBLE\(withExplanation ? ", \"ANOMALY_EXPLANATION\" VARCHAR(512)" : ""));
            CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "TEMP_STREAM"
              SELECT STREAM "TICKER_SYMBOL", "PRICE", "ANOMALY_SCORE"\(withExplanation ? ", \"ANOMALY_EXPLANATION\"" : "")
              FROM TABLE(\(function));
            """)
        #expect(translation.script.contains("trees => 100, sample_size => 256, time_decay => 1e-05, shingle => 1"))
        let out = try rows(f, "temp_stream")
        #expect(out.count == 600, "KDA's RANDOM_CUT_FOREST emits every record with its score")
        let scores = out.map { row -> Double in if case let .double(s) = row[2] { return s } else { return -1 } }
        let spike = scores[500]
        #expect(spike == scores.max(), "the spike scores highest")
        #expect(spike > 2 * (scores[300..<500].max() ?? 0))
        if withExplanation {
            guard case let .string(why) = out[500][3] else { Issue.record("no explanation"); return }
            #expect(why.contains("PRICE"))
        }
    }

    @Test func whatSpateLacksIsACommentNotAJob() throws {
        var translator = KDATranslator(inputStream: "ticks")
        let translation = try translator.translate("""
            CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker_symbol VARCHAR(4), avg_price DOUBLE);
            CREATE OR REPLACE PUMP "SLIDING" AS INSERT INTO "DESTINATION_SQL_STREAM"
              SELECT STREAM ticker_symbol, AVG(price) OVER W1 AS avg_price FROM "SOURCE_SQL_STREAM_001"
              WINDOW W1 AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE PRECEDING);
            CREATE OR REPLACE STREAM "HOT" ("HOTSPOTS_RESULT" VARCHAR(10000));
            CREATE OR REPLACE PUMP "HOT_PUMP" AS INSERT INTO "HOT"
              SELECT "HOTSPOTS_RESULT" FROM TABLE(HOTSPOTS(CURSOR(SELECT STREAM "x", "y" FROM "SOURCE_SQL_STREAM_001"), 1000, 0.013, 20));
            CREATE OR REPLACE PUMP "BAD" AS INSERT INTO "DESTINATION_SQL_STREAM"
              SELECT STREAM ticker_symbol FROM "SOURCE_SQL_STREAM_001" WHERE sector SIMILAR TO 'TECH(NOLOGY)?';
            """)
        #expect(translation.statements.count == 2, "the two streams; no job for what cannot run the same")
        #expect(translation.script.contains("NOT TRANSLATED: pump \"SLIDING\""))
        #expect(translation.script.contains("sliding windows"))
        #expect(translation.script.contains("HOTSPOTS (dense regions of points) has no Spate detector"))
        #expect(translation.script.contains("regular-expression syntax"))
        #expect(throws: KDAImportError.self) { var t = KDATranslator(inputStream: "x"); _ = try t.translate("CREATE STREAM 'open") }
    }
}
