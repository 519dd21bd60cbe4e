// One job cannot take the others down (issue 14): a job whose query fails at
// run time is marked failed with its error, `spate run` says so on stderr, and
// the other jobs keep running; a job that crashes its process (a runtime trap,
// injected with SPATE_FAULT_TRAP_JOB) three times in a row is quarantined —
// failed, "the process died 3 times while running this job" — so that the next
// `spate run` runs the others. Driven as a user would: `spate run` processes.

import Foundation
import Spate
import SpateRuntime
import SpateSQL
import Testing

@Suite(.serialized) struct JobIsolationTests {
    /// Starts `spate run` on `data`, its stderr captured.
    func startRunner(_ data: String, environment extra: [String: String] = [:]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = Spate.executable
        process.arguments = ["run", "--lease", "1", "--data", data]
        process.environment = ProcessInfo.processInfo.environment.merging(extra.merging(["SWIFT_BACKTRACE": "enable=no"]) { $1 }) { $1 }
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, err)
    }

    /// Stops a runner with Ctrl-C; its exit status and what it printed on stderr.
    func stop(_ runner: (Process, Pipe)) -> (Int32, String) {
        kill(runner.0.processIdentifier, SIGINT)
        let text = runner.1.fileHandleForReading.readDataToEndOfFile()
        runner.0.waitUntilExit()
        return (runner.0.terminationStatus, String(decoding: text, as: UTF8.self))
    }

    func job(_ f: SQLFixture, _ name: String) throws -> [Value] {
        try f.run("SELECT state, last_error FROM jobs WHERE name = '\(name)';").rows.first ?? []
    }

    func results(_ f: SQLFixture, _ job: String) throws -> Int64 {
        guard case let .bigint(n)? = try f.run("SELECT COUNT(*) FROM job_results WHERE job = '\(job)';").rows.first?.first else { return -1 }
        return n
    }

    @Test func aJobThatFailsIsReportedAndTheOthersKeepRunning() throws {
        let f = try SQLFixture()
        let data = f.database.dataDirectory
        try f.run("""
            CREATE STREAM tx (userId STRING) WITH (key = 'userId');
            CREATE STREAM out (userId STRING) WITH (key = 'userId');
            CREATE STREAM other (userId STRING);
            CREATE JOB copy AS INSERT INTO out SELECT userId FROM tx SINCE EARLIEST;
            CREATE JOB good AS SELECT userId FROM other SINCE EARLIEST;
            """)
        let runner = try startRunner(data)
        #expect(try eventually { try f.run("SHOW JOBS;").rows.allSatisfy { $0[7] != .null } })  // both running in it
        // The output stream goes away under the running job: its next write fails.
        try f.run("DROP STREAM out; INSERT INTO tx (userId) VALUES ('a');")
        #expect(try eventually { try job(f, "copy").first == .string("failed") })
        try f.run("INSERT INTO other (userId) VALUES ('z');")
        #expect(try eventually { try results(f, "good") == 1 }, "the other job keeps running")
        let (status, stderr) = stop(runner)
        #expect(status == 0)
        // Which step meets the missing stream first (the write, or a recompile
        // after the catalog changed) depends on timing; either names it.
        let failed = try job(f, "copy")
        #expect(failed.first == .string("failed"))
        guard case let .string(message)? = failed.last else { Issue.record("no error: \(failed)"); return }
        #expect(message.contains("'out' does not exist"), "\(message)")
        #expect(stderr.contains("spate run: job copy failed: " + message), "\(stderr)")
        #expect(stderr.contains("the other jobs keep running"))
        // The next run says at once which jobs are failed and do not run.
        let again = stop(try startRunner(data))
        #expect(again.1.contains("spate run: job copy is failed, not running"), "\(again.1)")
    }

    @Test func aJobThatCrashesItsProcessThreeTimesInARowIsQuarantined() throws {
        let f = try SQLFixture()
        let data = f.database.dataDirectory
        try f.run("""
            CREATE STREAM tx (userId STRING, amount DOUBLE) WITH (key = 'userId');
            INSERT INTO tx (userId, amount) VALUES ('a', 1), ('b', 2);
            CREATE JOB good AS SELECT userId, amount FROM tx SINCE EARLIEST;
            CREATE JOB badjob AS SELECT userId, amount * 2 AS double_amount FROM tx SINCE EARLIEST;
            """)
        let trap = ["SPATE_FAULT_TRAP_JOB": "badjob"]
        for round in 1...3 {
            let (process, _) = try startRunner(data, environment: trap)
            let deadline = Date().addingTimeInterval(60)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGILL, "round \(round): the trap kills spate run")
            #expect(try job(f, "badjob").first == .string("running"), "round \(round): not yet quarantined")
        }
        // The fourth start counts the third crash: badjob is quarantined, good runs.
        let runner = try startRunner(data, environment: trap)
        #expect(try eventually { try job(f, "badjob") == [.string("failed"), .string(JobRunner.quarantineMessage)] })
        #expect(JobRunner.quarantineMessage == "the process died 3 times while running this job (RESUME JOB to try again)")
        #expect(try eventually { try results(f, "good") == 2 })
        try f.run("INSERT INTO tx (userId, amount) VALUES ('c', 3);")
        #expect(try eventually { try results(f, "good") == 3 }, "good keeps running; the trap never fires again")
        let (status, stderr) = stop(runner)
        #expect(status == 0)
        #expect(stderr.contains("spate run: job badjob failed: the process died 3 times while running this job"), "\(stderr)")
        #expect(try results(f, "badjob") == 0)
        // RESUME JOB gives it a fresh count.
        try f.run("RESUME JOB badjob;")
        #expect(try f.run("SELECT crashes_in_a_row FROM jobs WHERE name = 'badjob';").rows == [[.bigint(0)]])
    }
}
