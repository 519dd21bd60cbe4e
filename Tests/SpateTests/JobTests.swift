// Jobs through the Session and a JobRunner in this process: the lifecycle
// (create, run, pause, resume, restart, drop), where rows go (alerts, results,
// a stream), checkpoints resuming without loss or repetition, and a second
// runner taking over a job whose lease expired.

import Foundation
import Spate
import SpateLog
import SpateRuntime
import SpateSQL
import Testing

/// Polls `condition` until it holds or `seconds` pass.
func eventually(_ seconds: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}

@Suite(.serialized) struct JobTests {
    let options = JobRunnerOptions(leaseDurationMs: 1500, scanIntervalMs: 50, pollIntervalMs: 5)
    let t0: Int64 = 1_732_399_980_000

    func setUp() throws -> SQLFixture {
        let f = try SQLFixture()
        try f.run("""
            CREATE STREAM tx (userId STRING, amount DOUBLE, ts TIMESTAMP) WITH (shards = 2, key = 'userId', event_time = 'ts');
            CREATE STREAM per_user (userId STRING, n BIGINT, total DOUBLE) WITH (shards = 2, key = 'userId');
            """)
        return f
    }

    /// Events for `users` users, one per user every 10 s, for `minutes` minutes.
    func events(minutes: Int, users: Int = 3, from start: Int = 0) -> [String] {
        (start * 6..<(start + minutes) * 6).flatMap { tick in
            (0..<users).map { u in #"{"userId":"u\#(u)","amount":\#(u == 0 ? 100 : 1),"ts":\#(t0 + Int64(tick) * 10_000)}"# }
        }
    }

    func append(_ f: SQLFixture, _ records: [String]) throws {
        var batch = AppendBatch()
        for record in records {
            let user = record.split(separator: "\"")[3]
            try batch.append(key: String(user), payload: Array(record.utf8))
        }
        _ = try f.database.stream("tx").append(batch)
    }

    func count(_ f: SQLFixture, _ sql: String) throws -> Int64 {
        guard case let .bigint(n)? = try f.run(sql).rows.first?.first else { return -1 }
        return n
    }

    @Test func alertsResultsAndStreamOutputFlowAndSurviveARestart() throws {
        let f = try setUp()
        try f.run("""
            CREATE JOB big WITH (alerts = true, checkpoint_interval = '50 ms') AS
              SELECT userId, WINDOW_START, SUM(amount) AS total FROM tx SINCE EARLIEST
              WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId HAVING SUM(amount) > 100;
            CREATE JOB counts AS SELECT userId, COUNT(*) AS n FROM tx SINCE EARLIEST
              WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId;
            CREATE JOB copy AS INSERT INTO per_user
              SELECT userId, COUNT(*) AS n, SUM(amount) AS total FROM tx SINCE EARLIEST
              WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId;
            """)
        let jobs = try f.run("SHOW JOBS;").rows
        #expect(jobs.map { $0[2] } == [.string("alerts"), .string("stream per_user"), .string("results")])
        try append(f, events(minutes: 3))
        var runner = f.database.startJobRunner(options: options)
        // Windows of minutes 0 and 1 are final (minute 2 is still open): u0 sums 600 each.
        #expect(try eventually { try count(f, "SELECT COUNT(*) FROM alerts;") == 2 })
        #expect(try eventually { try count(f, "SELECT COUNT(*) FROM job_results;") == 6 })
        #expect(try eventually { try count(f, "SELECT COUNT(*) FROM per_user SINCE EARLIEST UNTIL NOW;") == 6 })
        runner.stop()

        // More input while nothing runs; a new runner resumes from the checkpoints.
        try append(f, events(minutes: 2, from: 3))
        runner = f.database.startJobRunner(options: options)
        #expect(try eventually { try count(f, "SELECT COUNT(*) FROM alerts;") == 4 })
        #expect(try eventually { try count(f, "SELECT COUNT(*) FROM per_user SINCE EARLIEST UNTIL NOW;") == 12 })
        #expect(try eventually { try count(f, "SELECT COUNT(*) FROM job_results;") == 12 })
        runner.stop()
        // Exactly once: one alert per final window, no repeats.
        let windows = try f.run("SELECT key, window_start FROM alerts ORDER BY window_start;").rows
        #expect(windows.count == Set(windows.map { "\($0)" }).count)
        #expect(windows.map { $0[0] } == Array(repeating: .string("u0"), count: 4))
        let alert = try f.run("SELECT row_json, state FROM alerts ORDER BY id LIMIT 1;").rows[0]
        #expect(alert == [.string(#"{"userId":"u0","WINDOW_START":1732399980000,"total":600.0}"#), .string("open")])
        try f.run("ACK ALERT 1; RESOLVE ALERT 2;")
        #expect(try f.run("SELECT state FROM alerts ORDER BY id LIMIT 2;").rows == [[.string("acknowledged")], [.string("resolved")]])
        #expect(throws: SpateError.self) { try f.run("ACK ALERT 999;") }
    }

    /// job_results has no json_valid CHECK since migration 0012 (it parsed
    /// every row twice): the rows a job writes are still valid JSON, by
    /// SQLite's own parser, for strings with quotes, backslashes, control
    /// characters and non-ASCII text, and for doubles that JSON cannot hold.
    @Test func resultRowsAreValidJSON() throws {
        let f = try setUp()
        try f.run("CREATE JOB awkward AS SELECT userId, amount, amount / 0.0 AS ratio, ts FROM tx SINCE EARLIEST;")
        let names = [#"quote\"d"#, #"back\\slash"#, #"tab\tnew\nline"#, #"bell\u0007"#, "ünïcødé ✓", #"nul\u0000"#]
        try append(f, names.enumerated().map { i, name in #"{"userId":"\#(name)","amount":\#(i == 0 ? "-0.0" : "1e300"),"ts":\#(t0)}"# })
        let runner = f.database.startJobRunner(options: options)
        defer { runner.stop() }
        #expect(try eventually { try count(f, "SELECT COUNT(*) FROM job_results WHERE job = 'awkward';") == Int64(names.count) })
        // SQLite's JSON functions, straight on the catalog (Spate's dialect has none).
        let rows = try f.database.catalogQuery(sql: """
            SELECT json_valid(row_json), json_type(row_json, '$.ratio'), json_extract(row_json, '$.userId') FROM job_results WHERE job = 'awkward'
            """).rows
        #expect(rows.count == names.count)
        #expect(rows.allSatisfy { $0.first == .integer(1) }, "every row valid JSON: \(rows)")
        #expect(rows.allSatisfy { $0.dropFirst().first == .text("null") }, "x / 0.0 is no number JSON can hold: null")
        #expect(Set(rows.map { "\($0.last!)" }).count == names.count, "each user's name read back distinct: \(rows)")
    }

    /// Rows held for a checkpoint are bounded (JobOutput.pendingRowsMax): a job
    /// whose interval is 10 minutes still commits its results in pieces, each
    /// exactly once, while its query runs on.
    @Test func rowsPilingUpAreCheckpointedBeforeTheInterval() throws {
        let f = try setUp()
        try f.run("""
            CREATE JOB every WITH (checkpoint_interval = '10 minutes') AS SELECT userId, amount FROM tx SINCE EARLIEST;
            """)
        let records = (0..<3).flatMap { _ in events(minutes: 12 * 60, users: 4) }  // 51,840 rows
        try append(f, records)
        let runner = f.database.startJobRunner(options: options)
        defer { runner.stop() }
        #expect(try eventually { try count(f, "SELECT COUNT(*) FROM job_results;") == Int64(records.count) })
        // The first (start) checkpoint, the pieces, and the caught-up one. A
        // checkpoint is taken once the rows held reach JobOutput.pendingRowsMax
        // (16,384), so it holds fewer than that plus one step's rows, and
        // JobStepSizer keeps a step of this query (a row per record) to at most
        // 16,384 rows: fewer than 32,768 rows a piece. How many rows a step
        // reads depends on timing (a loaded machine sizes steps longer), so
        // the count of pieces is bounded below by that, not fixed.
        let checkpoints = try #require(try f.database.jobCheckpoint("every")).sequence
        let pieces = (records.count + 2 * 16_384 - 1) / (2 * 16_384)
        #expect(pieces == 2 && checkpoints >= 2 + Int64(pieces), "\(checkpoints) checkpoints")
        #expect(try count(f, "SELECT COUNT(*) FROM job_results;") == Int64(records.count), "each row once")
    }

    @Test func pauseResumeRestartAndDrop() throws {
        let f = try setUp()
        try f.run("CREATE JOB counts WITH (checkpoint_interval = '20 ms') AS SELECT userId, COUNT(*) AS n FROM tx SINCE EARLIEST WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId;")
        try append(f, events(minutes: 2))
        let runner = f.database.startJobRunner(options: options)
        defer { runner.stop() }
        #expect(try eventually { try count(f, "SELECT COUNT(*) FROM job_results;") == 3 })
        #expect(try eventually { runner.runningJobs == ["counts"] })
        try f.run("PAUSE JOB counts;")
        #expect(try eventually { runner.runningJobs.isEmpty })
        #expect(try f.run("SHOW JOBS;").rows[0][1] == .string("paused"))
        try append(f, events(minutes: 1, from: 2))
        usleep(200_000)
        #expect(try count(f, "SELECT COUNT(*) FROM job_results;") == 3)  // paused: nothing new
        try f.run("RESUME JOB counts;")
        #expect(try eventually { try count(f, "SELECT COUNT(*) FROM job_results;") == 6 })
        // RESTART FROM EARLIEST forgets the checkpoint: the same windows are emitted again.
        try f.run("RESTART JOB counts FROM EARLIEST;")
        #expect(try eventually { try count(f, "SELECT COUNT(*) FROM job_results;") == 12 })
        let describe = try f.run("DESCRIBE JOB counts;").rows
        #expect(describe.contains { $0[0] == .string("state") && $0[1] == .string("running") })
        try f.run("DROP JOB counts;")
        #expect(try eventually { runner.runningJobs.isEmpty })
        #expect(try f.run("SHOW JOBS;").rows.isEmpty)
        #expect(try count(f, "SELECT COUNT(*) FROM job_results;") == 12)  // results outlive the job
    }

    @Test func aSecondRunnerTakesOverWhenTheLeaseExpires() throws {
        let f = try setUp()
        try f.run("CREATE JOB counts WITH (checkpoint_interval = '20 ms') AS SELECT userId, COUNT(*) AS n FROM tx SINCE EARLIEST WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId;")
        try append(f, events(minutes: 2))
        let first = f.database.startJobRunner(options: options)
        #expect(try eventually { first.runningJobs == ["counts"] })
        let second = JobRunner(environment: f.database.jobEnvironment(options: options))
        second.start()
        usleep(300_000)
        #expect(second.runningJobs.isEmpty)  // the first holds the lease
        first.stop()  // releases its lease after a final checkpoint
        #expect(try eventually { second.runningJobs == ["counts"] })
        try append(f, events(minutes: 1, from: 2))
        #expect(try eventually { try count(f, "SELECT COUNT(*) FROM job_results;") == 6 })
        second.stop()
    }

    @Test func jobDefinitionsAreCheckedWhenCreated() throws {
        let f = try setUp()
        let bounded = #expect(throws: SpateError.self) { try f.run("CREATE JOB j AS SELECT userId FROM tx UNTIL NOW;") }
        #expect(bounded?.description.contains("remove UNTIL") == true)
        let noStream = #expect(throws: SpateError.self) { try f.run("CREATE JOB j AS INSERT INTO nowhere SELECT userId FROM tx;") }
        #expect(noStream?.description.contains("output stream 'nowhere' does not exist") == true)
        let badOption = #expect(throws: SpateError.self) { try f.run("CREATE JOB j WITH (checkpoint_intervl = '1 second') AS SELECT userId FROM tx;") }
        #expect(badOption?.description.contains("did you mean checkpoint_interval?") == true)
        try f.run("CREATE JOB j AS SELECT userId FROM tx;")
        #expect(try f.run("CREATE JOB IF NOT EXISTS j AS SELECT userId FROM tx;").messages == ["job j already exists"])
        #expect(throws: SpateError.self) { try f.run("CREATE JOB j AS SELECT userId FROM tx;") }
    }

    /// A transactions stream of `shards` shards keyed by userId, and the same
    /// query as two jobs: `one` with one worker, `parallel.name` with
    /// `parallel.workers` (both checkpointing every 20 ms).
    private func parallelJobPair(shards: Int, parallel: (name: String, workers: Int), query: String) throws -> SQLFixture {
        let f = try SQLFixture()
        try f.run("CREATE STREAM tx (userId STRING, amount DOUBLE, ts TIMESTAMP) WITH (shards = \(shards), key = 'userId', event_time = 'ts');")
        try f.run("""
            CREATE JOB one WITH (checkpoint_interval = '20 ms') AS \(query);
            CREATE JOB \(parallel.name) WITH (checkpoint_interval = '20 ms', parallelism = \(parallel.workers)) AS \(query);
            """)
        return f
    }

    /// parallelism = 4 over a 4-shard stream keyed by userId: four workers, each
    /// with its own windows, give exactly the rows one worker gives — also
    /// across a stop and resume from a checkpoint of the four workers' state.
    @Test func parallelWorkersGiveTheRowsOfOneWorker() throws {
        let f = try parallelJobPair(
            shards: 4, parallel: ("four", 4),
            query: "SELECT userId, WINDOW_START, COUNT(*) AS n, SUM(amount) AS total FROM tx SINCE EARLIEST WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId")
        try append(f, events(minutes: 3, users: 12))
        var runner = f.database.startJobRunner(options: options)
        // 12 users × minutes 0 and 1 final, per job.
        #expect(try eventually { try count(f, "SELECT COUNT(*) FROM job_results;") == 48 })
        runner.stop()
        try append(f, events(minutes: 2, users: 12, from: 3))
        runner = f.database.startJobRunner(options: options)
        #expect(try eventually { try count(f, "SELECT COUNT(*) FROM job_results;") == 96 })
        runner.stop()
        let rows = { (job: String) throws -> [String] in
            try f.run("SELECT row_json FROM job_results WHERE job = '\(job)';").rows.map { "\($0[0])" }.sorted()
        }
        let single = try rows("one"), parallel = try rows("four")
        #expect(single.count == 48 && Set(single).count == 48)
        #expect(parallel == single)
        #expect(try f.run("DESCRIBE JOB four;").rows.contains { $0[0] == .string("options") && "\($0[1])".contains("\"parallelism\":4") })
    }

    /// Per-event detectors keyed by the stream key: two workers raise exactly
    /// the alerts one worker raises.
    @Test func parallelDetectorsRaiseTheAlertsOfOneWorker() throws {
        let f = try parallelJobPair(
            shards: 2, parallel: ("two", 2),
            query: "SELECT userId, ts, amount, ZSCORE(amount, warmup => 5, threshold => 3) OVER (PARTITION BY userId) AS z FROM tx SINCE EARLIEST WHERE anomaly")
        // Each user spends about the same every 10 s, with a spike every 17th event of user u3
        // (a fixed threshold: calibration would learn a spike that comes back every 17 events).
        let records = (0..<120).flatMap { tick in
            (0..<8).map { u in
                let amount = u == 3 && tick % 17 == 16 ? 900 : 10 + (tick * 7 + u * 3) % 5
                return #"{"userId":"u\#(u)","amount":\#(amount),"ts":\#(t0 + Int64(tick) * 10_000)}"#
            }
        }
        try append(f, records)
        let runner = f.database.startJobRunner(options: options)
        #expect(try eventually { try count(f, "SELECT COUNT(*) FROM alerts WHERE job = 'one';") == 7 })
        #expect(try eventually { try count(f, "SELECT COUNT(*) FROM alerts WHERE job = 'two';") == 7 })
        runner.stop()
        let alerts = { (job: String) throws -> [String] in
            try f.run("SELECT key, row_json FROM alerts WHERE job = '\(job)';").rows.map { "\($0)" }.sorted()
        }
        #expect(try alerts("two") == alerts("one"))
    }

    /// Several workers write a stream exactly once only when each output shard
    /// takes one worker's rows (a restart recognizes appended rows by their
    /// order in a shard): the output keyed by the input's key, as read, with as
    /// many shards. Anything else is refused when created, or fails when the
    /// shard counts differ at start; with that, the rows equal one worker's.
    @Test func parallelWorkersWriteAStreamOnlyKeyedLikeTheirInput() throws {
        let f = try setUp()
        try f.run("""
            CREATE STREAM by_merchant (userId STRING, merchantId STRING, n BIGINT) WITH (shards = 2, key = 'merchantId');
            CREATE STREAM unkeyed (userId STRING, n BIGINT) WITH (shards = 2);
            CREATE STREAM narrow (userId STRING, n BIGINT) WITH (shards = 1, key = 'userId');
            CREATE STREAM per_user_one (userId STRING, n BIGINT, total DOUBLE) WITH (shards = 2, key = 'userId');
            """)
        let grouped = "SELECT userId, COUNT(*) AS n, SUM(amount) AS total FROM tx SINCE EARLIEST WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId"
        let byMerchant = #expect(throws: SpateError.self) {
            try f.run("CREATE JOB m WITH (parallelism = 2) AS INSERT INTO by_merchant SELECT userId, 'm' AS merchantId, amount AS n FROM tx;")
        }
        #expect(byMerchant?.description.contains("the output's key merchantId is not the input's key userId") == true)
        let unkeyed = #expect(throws: SpateError.self) { try f.run("CREATE JOB u WITH (parallelism = 2) AS INSERT INTO unkeyed \(grouped);") }
        #expect(unkeyed?.description.contains("each output shard must take the rows of one worker") == true)
        let renamed = #expect(throws: SpateError.self) {
            try f.run("CREATE JOB r WITH (parallelism = 2) AS INSERT INTO per_user SELECT upper(userId) AS userId, 1 AS n, amount AS total FROM tx;")
        }
        #expect(renamed?.description.contains("use parallelism = 1") == true)
        try f.run("CREATE JOB narrowed WITH (parallelism = 2) AS INSERT INTO narrow SELECT userId, 1 AS n FROM tx;")
        try f.run("CREATE JOB two WITH (parallelism = 2, checkpoint_interval = '20 ms') AS INSERT INTO per_user \(grouped);")
        try f.run("CREATE JOB one WITH (checkpoint_interval = '20 ms') AS INSERT INTO per_user_one \(grouped);")
        try append(f, events(minutes: 3, users: 8))
        let runner = f.database.startJobRunner(options: options)
        defer { runner.stop() }
        #expect(try eventually { try f.database.jobRecord("narrowed")?.state == .failed })
        #expect(try f.database.jobRecord("narrowed")?.lastError?.contains("needs as many shards as tx (1 against 2)") == true)
        #expect(try eventually { try count(f, "SELECT COUNT(*) FROM per_user SINCE EARLIEST UNTIL NOW;") == 16 })
        #expect(try eventually { try count(f, "SELECT COUNT(*) FROM per_user_one SINCE EARLIEST UNTIL NOW;") == 16 })
        let two = try f.run("SELECT userId, n, total FROM per_user SINCE EARLIEST UNTIL NOW;").rows.map { "\($0)" }.sorted()
        let one = try f.run("SELECT userId, n, total FROM per_user_one SINCE EARLIEST UNTIL NOW;").rows.map { "\($0)" }.sorted()
        #expect(two == one)
    }

    @Test func parallelismNeedsStateKeyedByTheStreamKey() throws {
        let f = try setUp()
        try f.run("CREATE STREAM plain (userId STRING, amount DOUBLE) WITH (shards = 2);")
        let global = #expect(throws: SpateError.self) { try f.run("CREATE JOB j WITH (parallelism = 2) AS SELECT COUNT(*) AS n FROM tx WINDOW TUMBLING (SIZE 1 MINUTE);") }
        #expect(global?.description.contains("add userId to GROUP BY") == true)
        let detector = #expect(throws: SpateError.self) {
            try f.run("CREATE JOB j WITH (parallelism = 2) AS SELECT userId, ZSCORE(amount) AS z FROM tx WHERE anomaly;")
        }
        #expect(detector?.description.contains("PARTITION BY userId") == true)
        let unkeyed = #expect(throws: SpateError.self) {
            try f.run("CREATE JOB j WITH (parallelism = 2) AS SELECT userId, COUNT(*) AS n FROM plain WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId;")
        }
        #expect(unkeyed?.description.contains("no key column") == true)
        let range = #expect(throws: SpateError.self) { try f.run("CREATE JOB j WITH (parallelism = 0) AS SELECT userId FROM tx;") }
        #expect(range?.description.contains("parallelism must be from 1 to 64") == true)
        try f.run("""
            CREATE JOB filter WITH (parallelism = 2) AS SELECT userId, amount FROM plain WHERE amount > 10;
            CREATE JOB keyed WITH (parallelism = 2) AS SELECT userId, ZSCORE(amount) OVER (PARTITION BY userId) AS z FROM tx WHERE anomaly;
            CREATE JOB grouped WITH (parallelism = 2) AS SELECT userId, COUNT(*) AS n FROM tx WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId;
            """)
        let alter = #expect(throws: SpateError.self) { try f.run("ALTER JOB grouped SET (parallelism = 4);") }
        #expect(alter?.description.contains("parallelism is fixed when a job is created") == true)
        // Other options are stored in the definition the job runs next time.
        try f.run("ALTER JOB grouped SET (checkpoint_interval = '5 seconds');")
        guard case let .string(definition)? = try f.run("DESCRIBE JOB grouped;").rows.first(where: { $0[0] == .string("definition") })?[1] else {
            Issue.record("DESCRIBE JOB shows no definition")
            return
        }
        #expect(definition.contains("checkpoint_interval = '5 seconds'") && definition.contains("parallelism = 2"))
    }
}
