// A job's score series (detector_scores, schema 0008) against independent
// truth: the same detector run as a bounded query over the same records gives
// every row's score and flag; grouped by key and minute they must be exactly
// what the job committed — rows scored, rows flagged, the highest score — and
// the flagged minutes must hold the job's alerts. RESTART JOB scores again
// from the start and commits the same series; DROP JOB forgets it.

import Foundation
import Spate
import SpateLog
import SpateRuntime
import SpateSQL
import Testing

@Suite(.serialized) struct ScoreSeriesTests {
    let options = JobRunnerOptions(leaseDurationMs: 1500, scanIntervalMs: 50, pollIntervalMs: 5)
    let t0: Int64 = 1_732_399_980_000
    let detector = "ZSCORE(amount, warmup => 5, threshold => 3) OVER (PARTITION BY userId)"

    struct Minute: Hashable, CustomStringConvertible {
        var key: String, minute: Int64, rows: Int64, flagged: Int64, scoreMax: Double
        var description: String { "\(key)@\(minute): \(rows) rows, \(flagged) flagged, max \(scoreMax)" }
    }

    func setUp() throws -> SQLFixture {
        let f = try SQLFixture()
        try f.run("CREATE STREAM tx (userId STRING, amount DOUBLE, ts TIMESTAMP) WITH (shards = 2, key = 'userId', event_time = 'ts');")
        // 8 users every 10 s for 20 minutes; user u3 spikes every 17th event.
        var batch = AppendBatch()
        for tick in 0..<120 {
            for u in 0..<8 {
                let amount = u == 3 && tick % 17 == 16 ? 900 : 10 + (tick * 7 + u * 3) % 5
                try batch.append(key: "u\(u)", payload: Array(#"{"userId":"u\#(u)","amount":\#(amount),"ts":\#(t0 + Int64(tick) * 10_000)}"#.utf8))
            }
        }
        _ = try f.database.stream("tx").append(batch)
        return f
    }

    /// The series a bounded query's rows give, per key and minute.
    func truth(_ f: SQLFixture) throws -> Set<Minute> {
        let rows = try f.run("SELECT userId, ts, \(detector) AS z, anomaly AS a FROM tx SINCE EARLIEST UNTIL NOW;").rows
        var minutes: [String: Minute] = [:]
        for row in rows {
            guard case let .string(key) = row[0], case let .timestamp(ts) = row[1], case let .double(z) = row[2] else { continue }
            let minute = ts / 60_000 * 60_000
            var m = minutes["\(key)@\(minute)"] ?? Minute(key: key, minute: minute, rows: 0, flagged: 0, scoreMax: -.infinity)
            m.rows += 1
            if row[3] == .boolean(true) { m.flagged += 1 }
            m.scoreMax = max(m.scoreMax, z)
            minutes["\(key)@\(minute)"] = m
        }
        return Set(minutes.values)
    }

    func committed(_ f: SQLFixture, job: String) throws -> Set<Minute> {
        let rows = try f.run("SELECT key, minute_at, rows, flagged, score_max, threshold FROM detector_scores WHERE job = '\(job)';").rows
        return Set(rows.compactMap { row in
            guard case let .string(key) = row[0], case let .timestamp(minute) = row[1], case let .bigint(n) = row[2],
                  case let .bigint(flagged) = row[3], case let .double(scoreMax) = row[4] else { return nil }
            #expect(row[5] == .double(3), "a fixed threshold is the line drawn")
            return Minute(key: key, minute: minute, rows: n, flagged: flagged, scoreMax: scoreMax)
        })
    }

    func scoredRows(_ f: SQLFixture, job: String) throws -> Int64 {
        guard case let .bigint(n)? = try f.run("SELECT SUM(rows) FROM detector_scores WHERE job = '\(job)';").rows.first?.first else { return 0 }
        return n
    }

    @Test func aJobCommitsTheScoresAQueryComputes() throws {
        let f = try setUp()
        let expected = try truth(f)
        let total = expected.reduce(0) { $0 + $1.rows }
        #expect(total > 800 && expected.contains { $0.flagged > 0 })
        try f.run("CREATE JOB z WITH (checkpoint_interval = '50 ms') AS SELECT userId, ts, \(detector) AS z FROM tx SINCE EARLIEST WHERE anomaly;")
        var runner = f.database.startJobRunner(options: options)
        #expect(try eventually { try scoredRows(f, job: "z") == total })
        runner.stop()
        let series = try committed(f, job: "z")
        #expect(series == expected, "job series differs: \(series.symmetricDifference(expected).sorted { $0.description < $1.description })")

        // Every alert lies in a flagged minute of its key, and the flags count the alerts.
        let alerts = try f.run("SELECT key, row_json FROM alerts WHERE job = 'z';").rows
        #expect(Int64(alerts.count) == series.reduce(0) { $0 + $1.flagged })

        // RESTART JOB scores the input again: the same series, not twice the rows.
        try f.run("RESTART JOB z FROM EARLIEST;")
        #expect(try scoredRows(f, job: "z") == 0)
        runner = f.database.startJobRunner(options: options)
        #expect(try eventually { try scoredRows(f, job: "z") == total })
        runner.stop()
        #expect(try committed(f, job: "z") == expected)

        try f.run("DROP JOB z;")
        #expect(try f.run("SELECT COUNT(*) FROM detector_scores;").rows.first?.first == .bigint(0))
    }

    /// A windowed job scores each window's group: the series' time is the window start.
    @Test func aWindowedJobChartsEachWindow() throws {
        let f = try setUp()
        let windowed = "ZSCORE(SUM(amount), warmup => 3, threshold => 3) OVER (PARTITION BY userId)"
        let rows = try f.run("SELECT userId, WINDOW_START AS w, \(windowed) AS z FROM tx SINCE EARLIEST UNTIL NOW WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId;").rows
        var expected: [String: Double] = [:]
        for row in rows {
            guard case let .string(key) = row[0], case let .timestamp(w) = row[1], case let .double(z) = row[2] else { continue }
            expected["\(key)@\(w)"] = z
        }
        #expect(expected.count > 50)
        try f.run("CREATE JOB w WITH (checkpoint_interval = '50 ms') AS SELECT userId, \(windowed) AS z FROM tx SINCE EARLIEST WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId WHERE anomaly;")
        let runner = f.database.startJobRunner(options: options)
        // The last minute's windows stay open (nothing passes their end), as in the job's alerts.
        #expect(try eventually { try scoredRows(f, job: "w") >= Int64(expected.count) - 8 })
        runner.stop()
        let series = try f.run("SELECT key, minute_at, rows, score_max FROM detector_scores WHERE job = 'w';").rows
        #expect(!series.isEmpty)
        for row in series {
            guard case let .string(key) = row[0], case let .timestamp(minute) = row[1] else { Issue.record("bad row \(row)"); continue }
            #expect(row[2] == .bigint(1), "one window a key and minute")
            #expect(row[3] == expected["\(key)@\(minute)"].map(Value.double), "\(key)@\(minute)")
        }
    }
}
