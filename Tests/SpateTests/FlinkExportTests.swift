// `spate export job … --to flink` (issue 20, item 2): the printed script for
// each window kind and each connector, the refusals, and — when PyFlink is
// importable — the exported scripts run on Flink (Tests/compat/flink_run.py,
// one JVM for all three) over the same JSON lines, whose output must equal
// Spate's rows for the same queries, row for row.

import Foundation
import Spate
import SpateSQL
import Testing

@Suite struct FlinkExportTests {
    static var packageRoot: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }

    static let pyflinkAvailable = PythonModule.pyflink

    let t0: Int64 = 1_732_399_980_000  // a minute boundary

    func fixture() throws -> SQLFixture {
        let f = try SQLFixture()
        try f.run("""
            CREATE STREAM tx (userId STRING, amount DOUBLE, merchantId STRING, ts TIMESTAMP) WITH (key = 'userId', event_time = 'ts');
            CREATE STREAM out_minutes (userId STRING, n BIGINT, total DOUBLE) WITH (key = 'userId');
            """)
        return f
    }

    func export(_ f: SQLFixture, _ job: String, _ options: FlinkExportOptions = FlinkExportOptions()) throws -> String {
        try f.database.exportJobToFlink(job, options: options)
    }

    func refusal(_ f: SQLFixture, _ job: String) -> String {
        do {
            _ = try export(f, job)
            return "exported"
        } catch let error as SpateError {
            return error.description
        } catch {
            return "\(error)"
        }
    }

    // MARK: - The printed script

    @Test func tumblingJobIntoAStreamPrintsTheWholeScript() throws {
        let f = try fixture()
        try f.run("""
            CREATE JOB per_minute WITH (parallelism = 1, checkpoint_interval = '2 seconds') AS INSERT INTO out_minutes
              SELECT userId, WINDOW_START, COUNT(*) AS n, SUM(amount) AS total, STDDEV(amount) AS sd
              FROM tx SINCE EARLIEST WINDOW TUMBLING (SIZE 1 MINUTE, GRACE 10 SECONDS)
              WHERE amount > 5 GROUP BY userId HAVING COUNT(*) > 1;
            """)
        let script = try export(f, "per_minute", FlinkExportOptions(connector: .kinesis, region: "eu-west-1"))
        let body = script.split(separator: "\n", omittingEmptySubsequences: false).drop { $0.hasPrefix("--") }.joined(separator: "\n")
        #expect(body == """

            -- Windows start at UTC boundaries, as in Spate.
            SET 'table.local-time-zone' = 'UTC';
            -- The job's parallelism and checkpoint_interval.
            SET 'parallelism.default' = '1';
            SET 'execution.checkpointing.interval' = '2000 ms';
            SET 'pipeline.name' = 'spate-per_minute';

            -- The input: Spate stream tx, key userId, event time ts, with a watermark that trails it by the window's GRACE.
            CREATE TABLE `tx` (
              `userId` STRING,
              `amount` DOUBLE,
              `merchantId` STRING,
              `ts` BIGINT,  -- TIMESTAMP: epoch milliseconds in the JSON
              `ts_ltz` AS TO_TIMESTAMP_LTZ(`ts`, 3),
              WATERMARK FOR `ts_ltz` AS `ts_ltz` - INTERVAL '10' SECOND
            ) WITH (
              'connector' = 'kinesis',
              'stream.arn' = 'arn:aws:kinesis:eu-west-1:000000000000:stream/tx',
              'aws.region' = 'eu-west-1',
              'source.init.position' = 'TRIM_HORIZON',  -- SINCE EARLIEST
              'format' = 'json',
              'json.ignore-parse-errors' = 'true'  -- a field that does not parse reads as NULL, as in Spate
            );

            -- Spate's WHERE filters records before they enter windows.
            CREATE TEMPORARY VIEW `per_minute_input` AS
            SELECT * FROM `tx`
            WHERE (`amount` > 5.0E0);

            -- The job's query, with Flink's types (TIMESTAMP is TIMESTAMP_LTZ(3), window bounds TIMESTAMP(3) in UTC).
            CREATE TEMPORARY VIEW `per_minute_rows` AS
            SELECT
              `userId` AS `userId`,
              window_start AS `WINDOW_START`,
              COUNT(*) AS `n`,
              SUM(`amount`) AS `total`,
              STDDEV_SAMP(`amount`) AS `sd`
            FROM TABLE(
              TUMBLE(TABLE `per_minute_input`, DESCRIPTOR(`ts_ltz`), INTERVAL '1' MINUTE))
            GROUP BY window_start, window_end, `userId`
            HAVING (COUNT(*) > 1);

            -- The output: Spate stream out_minutes, one JSON object a row as the job appends them (TIMESTAMPs as epoch milliseconds).
            CREATE TABLE `out_minutes` (
              `userId` STRING,
              `WINDOW_START` BIGINT,  -- TIMESTAMP as epoch milliseconds
              `n` BIGINT,
              `total` DOUBLE,
              `sd` DOUBLE
            ) PARTITIONED BY (`userId`) WITH (
              'connector' = 'kinesis',
              'stream.arn' = 'arn:aws:kinesis:eu-west-1:000000000000:stream/out_minutes',
              'aws.region' = 'eu-west-1',
              'format' = 'json'
            );

            INSERT INTO `out_minutes`
            SELECT
              `userId`,
              (UNIX_TIMESTAMP(CAST(CAST(`WINDOW_START` AS TIMESTAMP(3)) AS STRING)) * 1000 + EXTRACT(MILLISECOND FROM CAST(`WINDOW_START` AS TIMESTAMP(3)))) AS `WINDOW_START`,
              `n`,
              `total`,
              `sd`
            FROM `per_minute_rows`;

            -- Where Flink may differ from Spate for this job:
            -- - Flink starts from the connector's start position, not from the Spate job's checkpoint.
            -- - Windows are final when the watermark passes their end, as in Spate, but Flink advances its watermark
            --   periodically (pipeline.auto-watermark-interval), not after every record: a late record Spate drops may be counted.
            -- - A record that is not JSON is skipped (Spate reads it as NULLs). A division by zero gives NULL in both.

            """)
        #expect(script.hasPrefix("-- Flink SQL for the Spate job per_minute, written by `spate export job per_minute --to flink --source kinesis`"))
    }

    @Test func hoppingResultsJobOverKafka() throws {
        let f = try fixture()
        try f.run("""
            CREATE JOB hops AS SELECT UPPER(userId) AS who, WINDOW_END, AVG(amount) AS avg_amount
              FROM tx SINCE '2024-11-23T22:00:00Z' WINDOW HOPPING (SIZE 2 MINUTES, ADVANCE BY 30 SECONDS)
              GROUP BY userId HAVING SUM(amount) > 50;
            """)
        let script = try export(f, "hops", FlinkExportOptions(connector: .kafka, bootstrapServers: "broker:9092"))
        #expect(script.contains("HOP(TABLE `tx`, DESCRIPTOR(`ts_ltz`), INTERVAL '30' SECOND, INTERVAL '2' MINUTE))"))
        #expect(script.contains("UPPER(`userId`) AS `who`,\n  window_end AS `WINDOW_END`,\n  AVG(`amount`) AS `avg_amount`"))
        #expect(script.contains("GROUP BY window_start, window_end, `userId`\nHAVING (SUM(`amount`) > 50.0E0);"))
        #expect(script.contains("'scan.startup.mode' = 'timestamp',  -- the job's SINCE\n  'scan.startup.timestamp-millis' = '1732399200000'"))
        #expect(script.contains("'topic' = 'tx'"))
        // Results go to a topic named after the job.
        #expect(script.contains("CREATE TABLE `hops_results` ("))
        #expect(script.contains("'topic' = 'hops_results'"))
    }

    @Test func sessionJobIntoAFileSink() throws {
        let f = try fixture()
        let directory = f.directory.path + "/sessions"
        try f.run("""
            CREATE SINK session_files TO FILES '\(directory)' FORMAT CSV ROLL EVERY 15 MINUTES;
            CREATE JOB sessions AS INSERT INTO SINK session_files
              SELECT userId, WINDOW_START, WINDOW_END, COUNT(*) AS visits, MAX(ts) AS last_seen
              FROM tx SINCE LATEST WINDOW SESSION (GAP 90 SECONDS, GRACE 5 SECONDS)
              WHERE merchantId <> 'm3' GROUP BY userId;
            """)
        let script = try export(f, "sessions", FlinkExportOptions(connector: .filesystem, directory: "file:///data/spate"))
        #expect(script.contains("SESSION(TABLE `sessions_input` PARTITION BY `userId`, DESCRIPTOR(`ts_ltz`), INTERVAL '90' SECOND))"))
        #expect(script.contains("WATERMARK FOR `ts_ltz` AS `ts_ltz` - INTERVAL '5' SECOND"))
        #expect(script.contains("'path' = 'file:///data/spate/tx',"))
        #expect(script.contains("MAX(`ts_ltz`) AS `last_seen`"))
        #expect(script.contains("'path' = '\(directory)',"))
        #expect(script.contains("'format' = 'csv',  -- without Spate's header row"))
        #expect(script.contains("'sink.rolling-policy.rollover-interval' = '900000 ms'"))
        #expect(script.contains("Records exactly GAP apart"))
    }

    @Test func arrivalTimeIsKafkasTimestampOrProcessingTime() throws {
        let f = try SQLFixture()
        try f.run("""
            CREATE STREAM clicks (page STRING, ms BIGINT);
            CREATE JOB pages AS SELECT page, COUNT(*) AS n FROM clicks WINDOW TUMBLING (SIZE 10 SECONDS, GRACE 2 SECONDS) GROUP BY page;
            """)
        let kafka = try export(f, "pages", FlinkExportOptions(connector: .kafka))
        #expect(kafka.contains("`arrival_time` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL"))
        #expect(kafka.contains("WATERMARK FOR `arrival_time` AS `arrival_time` - INTERVAL '2' SECOND"))
        #expect(kafka.contains("'scan.startup.mode' = 'latest-offset'"))
        let kinesis = try export(f, "pages", FlinkExportOptions(connector: .kinesis))
        #expect(kinesis.contains("`arrival_time` AS PROCTIME()"))
        #expect(!kinesis.contains("WATERMARK"))
        #expect(kinesis.contains("'source.init.position' = 'LATEST'"))
        #expect(kinesis.contains("Arrival time is PROCTIME()"))
    }

    @Test func resultsGoToTheirOwnStreamNeverTheInput() throws {
        let f = try fixture()
        try f.run("""
            CREATE JOB tx AS SELECT userId, amount FROM tx WHERE amount > 100;
            """)
        let named = try export(f, "tx", FlinkExportOptions(connector: .kinesis))
        #expect(named.contains("CREATE TABLE `tx_results` ("))
        #expect(named.contains("INSERT INTO `tx_results`"))
        #expect(named.contains("'stream.arn' = 'arn:aws:kinesis:us-east-1:000000000000:stream/tx_results',\n  'aws.region' = 'us-east-1',\n  'sink.partitioner' = 'random'"))
        #expect(named.contains("CREATE TABLE `tx` ("))
    }

    @Test func statelessJobsAndSemanticsThatFlinkSpellsDifferently() throws {
        let f = try fixture()
        try f.run("""
            CREATE JOB big AS SELECT userId, amount / 0 AS nothing, CONCAT(userId, merchantId) AS who, ts + INTERVAL '90' MINUTE AS later
              FROM tx WHERE amount BETWEEN 10 AND 20 AND merchantId IS NOT NULL;
            """)
        let script = try export(f, "big")
        #expect(script.contains("(`amount` / NULLIF(0.0E0, 0)) AS `nothing`"))
        #expect(script.contains("CONCAT(COALESCE(`userId`, ''), COALESCE(`merchantId`, '')) AS `who`"))
        #expect(script.contains("(`ts_ltz` + INTERVAL '90' MINUTE) AS `later`"))
        #expect(script.contains("FROM `tx`\nWHERE"))
        #expect(!script.contains("TABLE(")) // no window function
    }

    // MARK: - Refusals

    @Test func detectorsAlertsAndChangesAreRefusedWithTheReason() throws {
        let f = try fixture()
        try f.run("""
            CREATE STREAM scores (userId STRING, z DOUBLE);
            CREATE JOB z_watch AS INSERT INTO scores
              SELECT userId, ZSCORE(amount) OVER (PARTITION BY userId) AS z FROM tx;
            CREATE JOB alerting WITH (alerts = true) AS SELECT userId, amount FROM tx WHERE amount > 100;
            CREATE JOB changing AS SELECT userId, COUNT(*) AS n FROM tx WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId EMIT CHANGES;
            CREATE JOB forever AS SELECT userId, COUNT(*) AS n FROM tx GROUP BY userId;
            CREATE JOB odd_hops AS SELECT userId, COUNT(*) AS n FROM tx WINDOW HOPPING (SIZE 90 SECONDS, ADVANCE BY 1 MINUTE) GROUP BY userId;
            CREATE JOB percentile AS SELECT userId, APPROX_PERCENTILE(amount, 0.9) AS p90 FROM tx WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId;
            """)
        #expect(refusal(f, "z_watch") == "cannot export job z_watch to Flink: it uses ZSCORE, one of Spate's anomaly detectors, which Flink SQL has no equivalent for (port the model as a Flink UDF)")
        #expect(refusal(f, "alerting").hasPrefix("cannot export job alerting to Flink: its rows are alerts"))
        #expect(refusal(f, "changing").hasPrefix("cannot export job changing to Flink: EMIT CHANGES"))
        #expect(refusal(f, "forever").hasPrefix("cannot export job forever to Flink: an aggregate without a WINDOW"))
        #expect(refusal(f, "odd_hops") == "cannot export job odd_hops to Flink: Flink's HOP needs SIZE to be a whole multiple of ADVANCE BY (90000 ms is not a multiple of 60000 ms)")
        #expect(refusal(f, "percentile").hasPrefix("cannot export job percentile to Flink: APPROX_PERCENTILE"))
        #expect(refusal(f, "z_wach") == "no job named z_wach (did you mean z_watch?)")
        for message in [refusal(f, "z_watch"), refusal(f, "changing"), refusal(f, "forever")] {
            #expect(!message.contains("\n"))
        }
    }

    // MARK: - Flink runs the scripts

    /// Deterministic events for 6 users over ~35 minutes, a little out of order
    /// (up to 2.5 s, less than every window's GRACE, so no record is late in
    /// either engine), with two pauses that end sessions.
    func events() -> [String] {
        var seed: UInt64 = 20
        func next(_ bound: UInt64) -> UInt64 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return (seed >> 33) % bound
        }
        return (0..<400).map { i in
            let pause: Int64 = (i >= 150 ? 300_000 : 0) + (i >= 300 ? 400_000 : 0)
            let ts = t0 + Int64(i) * 3_700 + pause + Int64(next(2_500))
            let amount = Double(next(12_000)) / 100
            return #"{"userId":"user\#(next(6))","amount":\#(amount),"merchantId":"m\#(next(4) + 1)","ts":\#(ts)}"#
        }
    }

    /// The three jobs: `{range}` is SINCE EARLIEST for the job, SINCE EARLIEST UNTIL NOW for Spate's bounded run.
    static let jobs: [(name: String, create: String, select: String)] = [
        ("a_minutes", "CREATE JOB a_minutes AS INSERT INTO out_minutes ", """
            SELECT userId, WINDOW_START, WINDOW_END, COUNT(*) AS n, SUM(amount) AS total, AVG(amount) AS avg_amount,
                   MAX(amount) AS top, STDDEV(amount) AS sd
            FROM tx {range} WINDOW TUMBLING (SIZE 1 MINUTE, GRACE 10 SECONDS)
            WHERE amount > 5 GROUP BY userId HAVING COUNT(*) > 1;
            """),
        ("b_hops", "CREATE JOB b_hops AS ", """
            SELECT UPPER(userId) AS who, WINDOW_START, COUNT(*) AS n, SUM(amount) AS total, MIN(amount) AS low,
                   CASE WHEN SUM(amount) > 200 THEN 'big' ELSE 'small' END AS size
            FROM tx {range} WINDOW HOPPING (SIZE 2 MINUTES, ADVANCE BY 1 MINUTE, GRACE 10 SECONDS)
            WHERE merchantId IN ('m1', 'm2') GROUP BY userId HAVING SUM(amount) > 50;
            """),
        ("c_sessions", "CREATE JOB c_sessions AS INSERT INTO SINK c_files ", """
            SELECT userId, WINDOW_START, WINDOW_END, COUNT(*) AS visits, MAX(ts) AS last_seen,
                   COUNT(DISTINCT merchantId) AS merchants
            FROM tx {range} WINDOW SESSION (GAP 90 SECONDS, GRACE 10 SECONDS)
            WHERE amount < 80 OR merchantId = 'm3' GROUP BY userId HAVING COUNT(*) >= 2;
            """),
    ]

    @Test(.enabled(if: pyflinkAvailable, "PyFlink is not importable: `pip install apache-flink` (and Java 17) to run the exported scripts on Flink"))
    func flinkRunsTheExportedJobsAndGivesSpatesRows() throws {
        let f = try fixture()
        let records = events()
        try f.append("tx", records)
        // Spate needs less than GAP between a session's records, Flink at most GAP: keep clear of the tie.
        var lastSeen: [String: Int64] = [:]
        for record in records {
            let object = try #require(JSONSerialization.jsonObject(with: Data(record.utf8)) as? [String: Any])
            let user = object["userId"] as! String, ts = (object["ts"] as! NSNumber).int64Value
            if let last = lastSeen[user] { #expect(ts - last != 90_000) }
            lastSeen[user] = max(ts, lastSeen[user] ?? .min)
        }
        let fs = f.directory.path + "/fs"
        try FileManager.default.createDirectory(atPath: fs + "/tx", withIntermediateDirectories: true)
        try records.joined(separator: "\n").appending("\n").write(toFile: fs + "/tx/records.jsonl", atomically: true, encoding: .utf8)
        try f.run("CREATE SINK c_files TO FILES '\(fs)/c_files' FORMAT JSONL;")

        var scripts: [String] = []
        var expected: [(columns: [ResultColumn], rows: [[Value]], output: String)] = []
        for job in Self.jobs {
            try f.run(job.create + job.select.replacingOccurrences(of: "{range}", with: "SINCE EARLIEST"))
            let spate = try f.run(job.select.replacingOccurrences(of: "{range}", with: "SINCE EARLIEST UNTIL NOW"))
            #expect(spate.rows.count >= 5, "\(job.name): too few rows to compare (\(spate.rows.count))")
            let script = try export(f, job.name, FlinkExportOptions(connector: .filesystem, directory: "file://" + fs))
            scripts.append(f.directory.write(job.name + ".sql", script))
            let output = job.name == "a_minutes" ? "out_minutes" : job.name == "b_hops" ? "b_hops_results" : "c_files"
            expected.append((spate.columns, spate.rows, fs + "/" + output))
        }

        let (status, log) = try runFlink(scripts)
        try #require(status == 0, "flink_run.py failed:\n\(log.suffix(3000))")
        for (job, want) in zip(Self.jobs, expected) {
            let got = try flinkRows(in: want.output, columns: want.columns)
            #expect(got.count == want.rows.count, "\(job.name): Flink wrote \(got.count) rows, Spate \(want.rows.count)")
            let sortedGot = got.sorted { Self.sortKey($0) < Self.sortKey($1) }
            let sortedWant = want.rows.sorted { Self.sortKey($0) < Self.sortKey($1) }
            for (flinkRow, spateRow) in zip(sortedGot, sortedWant) {
                #expect(Self.same(flinkRow, spateRow), "\(job.name): Flink \(flinkRow) ≠ Spate \(spateRow)")
            }
        }
    }

    func runFlink(_ scripts: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.packageRoot.appendingPathComponent("Tests/compat/flink_run.py").path] + scripts
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// The rows of every visible file under `directory` (Flink's part files), as Spate values of `columns`' types.
    func flinkRows(in directory: String, columns: [ResultColumn]) throws -> [[Value]] {
        var rows: [[Value]] = []
        let files = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
        for file in files where !(file as NSString).lastPathComponent.hasPrefix(".") {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory + "/" + file, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            for line in text.split(separator: "\n") where !line.isEmpty {
                let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                rows.append(columns.map { column in
                    switch (object[column.name], column.type) {
                    case (nil, _), (is NSNull, _): return .null
                    case let (number as NSNumber, .timestamp): return .timestamp(number.int64Value)
                    case let (number as NSNumber, .bigint): return .bigint(number.int64Value)
                    case let (number as NSNumber, .double): return .double(number.doubleValue)
                    case let (flag as Bool, .boolean): return .boolean(flag)
                    case let (text as String, _): return .string(text)
                    case let (other?, _): return .string("\(other)")
                    }
                })
            }
        }
        return rows
    }

    /// Orders rows the same whichever engine computed the doubles' last bits.
    static func sortKey(_ row: [Value]) -> String {
        row.map { value in
            if case let .double(x) = value { return String(format: "%.6f", x) }
            return value.description
        }.joined(separator: "|")
    }

    /// Equal, doubles to 1e-9 relative (a sum's last bits may differ, STDDEV is computed differently).
    static func same(_ a: [Value], _ b: [Value]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { x, y in
            if case let .double(p) = x, case let .double(q) = y { return abs(p - q) <= 1e-9 * max(1, abs(p), abs(q)) }
            return x == y
        }
    }
}
