// Exactly-once under kill -9: `spate run` processes run three jobs — one
// raising alerts and one appending to a stream, each on two workers (one per
// shard, their steps running until the job's thread collects them), and one
// writing files into a sink that rolls every 10 seconds of window time —
// while the input grows, and
// each is killed with SIGKILL at a random moment, 50 times
// (SPATE_JOB_CRASH_ROUNDS for a soak run: Tests/soak-jobs.sh). Then one last
// runner catches up. The alerts, the output stream and the sealed files must
// equal what an uninterrupted run over the same input produces: nothing lost,
// nothing twice, the same files holding the same rows.

import Foundation
import Spate
import SpateLog
import SpateRuntime
import SpateSQL
import Testing

@Suite(.serialized) struct JobCrashTests {
    static func setup(sinkDirectory: String) -> String {
        setup + """
            CREATE SINK files TO FILES '\(sinkDirectory)' FORMAT JSONL PARTITION BY HOUR ROLL EVERY 10 SECONDS;
            CREATE JOB export WITH (checkpoint_interval = '20 ms') AS INSERT INTO SINK files
              SELECT userId, WINDOW_START AS ws, COUNT(*) AS n, SUM(amount) AS total FROM tx SINCE EARLIEST
              WINDOW TUMBLING (SIZE 5 SECONDS, GRACE 20 SECONDS) GROUP BY userId;
            """
    }

    static let setup = """
        CREATE STREAM tx (userId STRING, amount DOUBLE, ts TIMESTAMP) WITH (shards = 2, key = 'userId', event_time = 'ts');
        CREATE STREAM per_window (userId STRING, ws TIMESTAMP, n BIGINT, total DOUBLE) WITH (shards = 2, key = 'userId');
        CREATE JOB big_spenders WITH (alerts = true, checkpoint_interval = '20 ms', parallelism = 2) AS
          SELECT userId, WINDOW_START, COUNT(*) AS n, SUM(amount) AS total FROM tx SINCE EARLIEST
          WINDOW TUMBLING (SIZE 5 SECONDS, GRACE 20 SECONDS) GROUP BY userId HAVING SUM(amount) > 2000;
        CREATE JOB copy WITH (checkpoint_interval = '20 ms', parallelism = 2) AS INSERT INTO per_window
          SELECT userId, WINDOW_START AS ws, COUNT(*) AS n, SUM(amount) AS total FROM tx SINCE EARLIEST
          WINDOW TUMBLING (SIZE 5 SECONDS, GRACE 20 SECONDS) GROUP BY userId;
        """

    /// Deterministic input: 40 users, event times rising 0-9 ms a record.
    static func input(count: Int) -> [(key: String, json: String)] {
        var state: UInt64 = 99
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            return z ^ (z >> 27)
        }
        var t: Int64 = 1_732_400_000_000
        return (0..<count).map { _ in
            t += Int64(next() % 10)
            let user = "u\(next() % 40)"
            return (user, #"{"userId":"\#(user)","amount":\#(next() % 500),"ts":\#(t)}"#)
        }
    }

    static func append(_ database: Database, _ records: ArraySlice<(key: String, json: String)>) throws {
        var batch = AppendBatch()
        for record in records { try batch.append(key: record.key, payload: Array(record.json.utf8)) }
        _ = try database.stream("tx").append(batch)
    }

    static func caughtUp(_ database: Database) throws -> Bool {
        for job in try database.jobRecords() {
            let status = try database.jobStatus(job)
            guard status.checkpoint != nil, status.lagRecords == 0 else { return false }
        }
        return true
    }

    /// (alerts as sorted rows, output stream payloads per shard, sorted)
    static func outcome(_ database: Database) throws -> ([String], [[String]]) {
        let session = Session(database: database)
        let sink = CollectingSink()
        try session.execute(script: "SELECT key, window_start, row_json FROM alerts;", sink: sink)
        let alerts = sink.rows.map { "\($0)" }.sorted()
        let stream = try database.stream("per_window")
        var shards: [[String]] = []
        for shard in stream.shards.indices {
            let reader = try stream.reader(shard: shard, from: .earliest)
            let batch = ReadBatch()
            var payloads: [String] = []
            while try reader.read(into: batch) > 0 {
                for i in 0..<batch.count { payloads.append(String(decoding: batch[i].payload, as: UTF8.self)) }
            }
            shards.append(payloads.sorted())
        }
        return (alerts, shards)
    }

    /// The sink's files: relative path → its lines, sorted (rows of a window
    /// end in any order); staging files (hidden) listed apart.
    static func sinkFiles(_ directory: String) -> (files: [String: [String]], hidden: [String]) {
        var files: [String: [String]] = [:], hidden: [String] = []
        for case let path as String in FileManager.default.enumerator(atPath: directory)?.allObjects ?? [] {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            if path.split(separator: "/").last!.hasPrefix(".") { hidden.append(path); continue }
            let text = (try? String(contentsOfFile: directory + "/" + path, encoding: .utf8)) ?? ""
            files[path] = text.split(separator: "\n").map(String.init).sorted()
        }
        return (files, hidden)
    }

    func startRunner(_ data: String) throws -> Process {
        let process = Process()
        process.executableURL = Spate.executable
        process.arguments = ["run", "--lease", "1", "--data", data]
        // Besides the test's own random kill, the worker kills itself at critical
        // points (between appending output and checkpointing, …) now and then.
        process.environment = ProcessInfo.processInfo.environment.merging(["SPATE_FAULT_KILL_PERMILLE": "15"]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func killedRunnersProduceExactlyTheAlertsAndOutputOfAnUninterruptedRun() throws {
        let rounds = ProcessInfo.processInfo.environment["SPATE_JOB_CRASH_ROUNDS"].flatMap(Int.init) ?? 50
        let records = Self.input(count: 40_000)
        let chunk = records.count / (rounds + 1)
        let dir = TemporaryDirectory()

        // The crashing run: input arrives in chunks; runners are killed mid-flight.
        let crashed = try Database.open(dir.path + "/crashed")
        try Session(database: crashed).execute(script: Self.setup(sinkDirectory: dir.path + "/crashed-files"), sink: CollectingSink())
        var offset = 0
        var selfKilled = 0
        for _ in 0..<rounds {
            try Self.append(crashed, records[offset..<offset + chunk])
            offset += chunk
            let runner = try startRunner(crashed.dataDirectory)
            usleep(useconds_t(Int.random(in: 100_000...1_400_000)))
            if runner.isRunning {
                kill(runner.processIdentifier, SIGKILL)
            } else {
                selfKilled += 1
            }
            runner.waitUntilExit()
        }
        try Self.append(crashed, records[offset...])
        let last = Process()
        last.executableURL = Spate.executable
        last.arguments = ["run", "--lease", "1", "--data", crashed.dataDirectory]
        last.standardOutput = FileHandle.nullDevice
        last.standardError = FileHandle.nullDevice
        try last.run()
        #expect(selfKilled > 0, "some runs died at an injected point")
        #expect(try eventually(120) { try Self.caughtUp(crashed) })
        kill(last.processIdentifier, SIGINT)
        last.waitUntilExit()
        #expect(last.terminationStatus == 0)

        // The reference: the same input in the same chunks, one uninterrupted runner.
        let reference = try Database.open(dir.path + "/reference")
        try Session(database: reference).execute(script: Self.setup(sinkDirectory: dir.path + "/reference-files"), sink: CollectingSink())
        for start in stride(from: 0, to: records.count, by: chunk) {
            try Self.append(reference, records[start..<min(records.count, start + chunk)])
        }
        let runner = reference.startJobRunner(options: JobRunnerOptions(leaseDurationMs: 2000, scanIntervalMs: 50, pollIntervalMs: 5))
        #expect(try eventually(120) { try Self.caughtUp(reference) })
        runner.stop()

        let (crashedAlerts, crashedOutput) = try Self.outcome(crashed)
        let (referenceAlerts, referenceOutput) = try Self.outcome(reference)
        #expect(referenceAlerts.count > 20)
        #expect(crashedAlerts.count == referenceAlerts.count, "no alert lost or repeated")
        #expect(crashedAlerts == referenceAlerts)
        #expect(Set(crashedAlerts).count == crashedAlerts.count)
        #expect(crashedOutput.map(\.count) == referenceOutput.map(\.count), "no output record lost or repeated")
        #expect(crashedOutput == referenceOutput)

        let crashedFiles = Self.sinkFiles(dir.path + "/crashed-files"), referenceFiles = Self.sinkFiles(dir.path + "/reference-files")
        #expect(referenceFiles.files.count > 10, "the sink rolled many times")
        #expect(crashedFiles.hidden.isEmpty && referenceFiles.hidden.isEmpty, "every file sealed and renamed")
        #expect(crashedFiles.files.keys.sorted() == referenceFiles.files.keys.sorted(), "the same files")
        for (path, lines) in referenceFiles.files {
            #expect(crashedFiles.files[path] == lines, "\(path): the same rows, each once")
        }
    }
}
