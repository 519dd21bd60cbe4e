// Job logs (issue 19 item 2) through a JobRunner in this process: each
// lifecycle event of a job lands in `job_log` — lease taken (and taken over),
// started (fresh and from a checkpoint), checkpoint summaries whose counts add
// up to what was read, stopped, lease lost, restart, failed with its context,
// crashed and quarantined — and the services' events beside them. Read back
// the ways a user would: SHOW JOB LOG, SELECT … FROM job_log, the facade.

import Foundation
@testable import Spate
import SpateCatalog
import SpateRuntime
import SpateSQL
import Testing

@Suite(.serialized) struct JobLogTests {
    /// Every checkpoint gets its summary (checkpointLogIntervalMs 0), so tests need not wait a minute.
    let options = JobRunnerOptions(leaseDurationMs: 1500, scanIntervalMs: 50, pollIntervalMs: 5, checkpointLogIntervalMs: 0)

    func setUp() throws -> SQLFixture {
        let f = try SQLFixture()
        try f.run("""
            CREATE STREAM tx (userId STRING, amount DOUBLE) WITH (shards = 2, key = 'userId');
            CREATE JOB counts WITH (checkpoint_interval = '20 ms') AS
              SELECT userId, COUNT(*) AS n FROM tx SINCE EARLIEST WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId;
            """)
        return f
    }

    func insert(_ f: SQLFixture, _ count: Int, from start: Int = 0) throws {
        let rows = (start..<start + count).map { "('u\($0 % 5)', \($0))" }.joined(separator: ", ")
        try f.run("INSERT INTO tx (userId, amount) VALUES \(rows);")
    }

    /// The job's events, oldest first.
    func events(_ f: SQLFixture, _ job: String = "counts") throws -> [String] {
        try f.database.jobLog(job: job, limit: 10_000).reversed().map(\.event)
    }

    /// The job's entries of `event`, oldest first, with their fields parsed.
    func entries(_ f: SQLFixture, _ event: String, job: String = "counts") throws -> [(entry: JobLogEntry, fields: [String: Any])] {
        try f.database.jobLog(job: job, limit: 10_000).reversed().filter { $0.event == event }.map { entry in
            let object = try JSONSerialization.jsonObject(with: Data(entry.metadataJSON.utf8)) as? [String: Any]
            return (entry, object ?? [:])
        }
    }

    func sum(_ values: [Any]?) -> Int { (values ?? []).reduce(0) { $0 + (($1 as? NSNumber)?.intValue ?? 0) } }

    @Test func startCheckpointsAndStopAreLoggedAndAddUp() throws {
        let f = try setUp()
        try insert(f, 40)
        var runner = f.database.startJobRunner(options: options)
        #expect(try eventually { try entries(f, "checkpoint").reduce(0) { $0 + (($1.fields["records_in"] as? Int) ?? 0) } == 40 })
        runner.stop()
        var log = try events(f)
        #expect(Array(log.prefix(2)) == ["lease_taken", "started"])
        #expect(log.last == "stopped")
        #expect(!log.contains("checkpoint_committed"), "debug entries are never stored")
        let started = try #require(try entries(f, "started").first)
        #expect(started.entry.level == .info)
        #expect(started.fields["from"] as? String == "its SINCE" && started.fields["offsets"] as? [Int] == [0, 0])
        #expect(started.fields["input"] as? String == "tx" && started.fields["output"] as? String == "results")
        // Each summary: a count, durations, the offsets reached, and the interval's counts.
        for (entry, fields) in try entries(f, "checkpoint") {
            #expect(entry.level == .info)
            #expect((fields["checkpoints"] as? Int ?? 0) >= 1 && fields["duration_ms"] is NSNumber && fields["duration_ms_max"] is NSNumber)
            #expect((fields["offsets"] as? [Int])?.count == 2)
            #expect(fields["late_records"] as? Int == 0 && fields["bad_records"] as? Int == 0)
            #expect(entry.message.contains("checkpoint") && entry.message.contains("read "))
        }
        let stopped = try #require(try entries(f, "stopped").last)
        #expect(sum(stopped.fields["offsets"] as? [Any]) == 40, "the final offsets cover every record")

        // Started again: from its checkpoint, and only the new records are summarized.
        try insert(f, 10, from: 40)
        runner = f.database.startJobRunner(options: options)
        #expect(try eventually { try entries(f, "checkpoint").reduce(0) { $0 + (($1.fields["records_in"] as? Int) ?? 0) } == 50 })
        runner.stop()
        let restarted = try #require(try entries(f, "started").last)
        #expect(restarted.fields["from"] as? String == "checkpoint" && restarted.fields["checkpoint"] is Int)
        #expect(sum(restarted.fields["offsets"] as? [Any]) == 40)
        log = try events(f)
        #expect(log.filter { $0 == "started" }.count == 2 && log.filter { $0 == "stopped" }.count == 2)
    }

    @Test func aStaleLeaseIsTakenOverAndALostLeaseIsLogged() throws {
        let f = try setUp()
        let now = f.clock.now
        // A process died holding the lease an hour ago.
        #expect(try f.database.catalog.acquireLease(job: "counts", owner: "dead-host:1:1", nowMs: now - 3_600_000, durationMs: 1))
        let runner = f.database.startJobRunner(options: options)
        defer { runner.stop() }
        #expect(try eventually { try events(f).contains("started") })
        let taken = try #require(try entries(f, "lease_taken").first)
        #expect(taken.entry.level == .notice)
        #expect(taken.fields["previous_owner"] as? String == "dead-host:1:1")
        #expect(taken.entry.message == "took the job over from dead-host:1:1 (its lease expired)")
        // Another process takes the lease (this one's has expired by its clock).
        #expect(try f.database.catalog.acquireLease(job: "counts", owner: "thief:2:2", nowMs: now + 1_000_000, durationMs: 3_600_000))
        #expect(try eventually { try events(f).contains("lease_lost") })
        let lost = try #require(try entries(f, "lease_lost").first)
        #expect(lost.entry.level == .warning && lost.fields["new_owner"] as? String == "thief:2:2")
        #expect(try eventually { runner.runningJobs.isEmpty })
    }

    @Test func aFailureIsLoggedWithWhereItHappened() throws {
        let f = try SQLFixture()
        try f.run("""
            CREATE STREAM tx (userId STRING) WITH (key = 'userId');
            CREATE STREAM out (userId STRING) WITH (key = 'userId');
            CREATE JOB copy AS INSERT INTO out SELECT userId FROM tx SINCE EARLIEST;
            INSERT INTO tx (userId) VALUES ('a');
            """)
        let runner = f.database.startJobRunner(options: options)
        defer { runner.stop() }
        #expect(try eventually { try events(f, "copy").contains("checkpoint") })
        try f.run("DROP STREAM out; INSERT INTO tx (userId) VALUES ('b');")
        #expect(try eventually { try events(f, "copy").contains("failed") })
        let failed = try #require(try entries(f, "failed", job: "copy").first)
        #expect(failed.entry.level == .error)
        let error = try #require(failed.fields["error"] as? String)
        #expect(error.contains("'out' does not exist"), "\(error)")
        #expect(failed.fields["phase"] is String && sum(failed.fields["offsets"] as? [Any]) == 1, "\(failed.fields)")
        #expect(failed.entry.message.hasPrefix("while ") && failed.entry.message.contains(error))
        // The job's state says the same as its log.
        #expect(try f.run("SELECT state, last_error FROM jobs WHERE name = 'copy';").rows == [[.string("failed"), .string(error)]])
    }

    @Test func restartJobIsLoggedAndTheJobStartsOver() throws {
        let f = try setUp()
        try insert(f, 20)
        let runner = f.database.startJobRunner(options: options)
        defer { runner.stop() }
        #expect(try eventually { try entries(f, "checkpoint").reduce(0) { $0 + (($1.fields["records_in"] as? Int) ?? 0) } == 20 })
        try f.run("RESTART JOB counts FROM EARLIEST;")
        #expect(try eventually { try events(f).filter { $0 == "started" }.count == 2 })
        let restart = try #require(try entries(f, "restart").first)
        #expect(restart.entry.level == .notice && restart.fields["from"] as? String == "earliest")
        #expect(sum(restart.fields["offsets_before"] as? [Any]) == 20)
        let again = try #require(try entries(f, "started").last)
        #expect(again.fields["from"] as? String == "earliest" && sum(again.fields["offsets"] as? [Any]) == 0)
        let log = try events(f)
        #expect(log.firstIndex(of: "restart")! < log.lastIndex(of: "started")!)
    }

    @Test func pausingAndDroppingSayWhyTheJobStopped() throws {
        let f = try setUp()
        let runner = f.database.startJobRunner(options: options)
        defer { runner.stop() }
        // Wait for the worker's own start (a worker the runner made but that has not started yet
        // finds the job paused and ends without a word: it never ran).
        #expect(try eventually { try events(f).contains("started") })
        try f.run("PAUSE JOB counts;")
        #expect(try eventually { try entries(f, "stopped").contains { $0.fields["reason"] as? String == "paused" } })
        try f.run("RESUME JOB counts;")
        #expect(try eventually { try events(f).filter { $0 == "started" }.count == 2 })
        try f.run("DROP JOB counts;")
        #expect(try eventually { try entries(f, "stopped").contains { $0.fields["reason"] as? String == "dropped" } })
        // The log outlives the job: SHOW JOB LOG still shows it.
        let shown = try f.run("SHOW JOB LOG counts LIMIT 1;").rows
        #expect(shown.count == 1 && shown[0][2] == .string("stopped"))
    }

    @Test func crashesAndTheQuarantineAreLogged() throws {
        let f = try setUp()
        // What three dying processes would have noted (JobCrashNote).
        try "counts\ncounts\ncounts\n".write(toFile: f.database.dataDirectory + "/job-crashes", atomically: true, encoding: .utf8)
        let runner = f.database.startJobRunner(options: options)
        defer { runner.stop() }
        #expect(try eventually { try events(f).contains("quarantined") })
        let crashed = try entries(f, "crashed")
        #expect(crashed.map { $0.fields["crashes_in_a_row"] as? Int } == [1, 2, 3])
        #expect(crashed.allSatisfy { $0.entry.level == .error })
        let quarantined = try #require(try entries(f, "quarantined").first)
        #expect(quarantined.entry.message == JobRunner.quarantineMessage)
        #expect(!(try events(f).contains("started")), "a quarantined job does not start")
    }

    @Test func showJobLogAndSelectFromJobLog() throws {
        let f = try setUp()
        try insert(f, 5)
        let runner = f.database.startJobRunner(options: options)
        #expect(try eventually { try events(f).contains("checkpoint") })
        runner.stop()
        let all = try f.run("SHOW JOB LOG counts;")
        #expect(all.columns.map(\.name) == ["logged_at", "level", "event", "message", "metadata"])
        #expect(all.rows.first?[2] == .string("stopped"), "newest first")
        #expect(all.rows.last?[2] == .string("lease_taken"))
        #expect(all.rows.count == (try events(f)).count)
        let two = try f.run("SHOW JOB LOG counts LIMIT 2;").rows
        #expect(two.count == 2 && two[0] == all.rows[0] && two[1] == all.rows[1])
        if case let .timestamp(ms) = two[0][0] { #expect(ms == f.clock.now) } else { Issue.record("logged_at is not a timestamp: \(two[0][0])") }
        // SELECT: the catalog table, with the services' entries beside the jobs'.
        let started = try f.run("SELECT source, name, level, message FROM job_log WHERE event = 'started' AND name = 'counts';").rows
        #expect(started.count == 1 && started[0][0] == .string("job") && started[0][2] == .string("info"))
        let services = try f.run("SELECT DISTINCT name FROM job_log WHERE source = 'service' ORDER BY name;").rows
        #expect(services.contains([.string("delivery")]) && services.contains([.string("alarms")]))
        let describe = try f.run("DESCRIBE job_log;").rows.map { $0[0] }
        #expect(describe.contains(.string("metadata")) && describe.contains(.string("logged_at")))
        // Errors a user can make: one line each.
        let unknown = #expect(throws: SpateError.self) { try f.run("SHOW JOB LOG nosuchjob;") }
        #expect(unknown?.description.contains("job 'nosuchjob' does not exist and has no log entries") == true)
        #expect(throws: SpateError.self) { try f.run("SHOW JOB LOG counts LIMIT -1;") }
        let typo = #expect(throws: SpateError.self) { try f.run("SHOW JOB LOGS counts;") }
        #expect(typo?.description.contains("LOG") == true)
        #expect(try Parser.parseScript("show job log \"my job\" limit 5;").first?.description == "SHOW JOB LOG \"my job\" LIMIT 5")
    }

    @Test func deliveryFailuresAreLoggedByTheDeliveryService() throws {
        let f = try AlertingFixture()
        let listener = try HTTPListener { _ in (500, 0) }
        try f.run("CREATE CHANNEL broken TYPE WEBHOOK WITH (url = '\(listener.url)', max_attempts = 2);")
        try f.raiseAlerts(1, notify: "broken")
        let service = f.deliveryService()
        service.start()
        #expect(try f.eventually { try f.deliveries("state = 'failed'").count == 1 })
        service.stop()
        try f.database.flushJobLog()
        let entries = try f.database.jobLog(job: nil, limit: 100).reversed().filter { $0.source == .service && $0.name == "delivery" }
        #expect(entries.map(\.event) == ["lease_taken", "delivery_failed", "delivery_given_up", "stopped"])
        #expect(entries.map(\.level) == [.info, .warning, .error, .info])
        #expect(entries[1].metadataJSON.contains("\"channel\":\"broken\"") && entries[1].metadataJSON.contains("\"attempt\":1"))
        #expect(entries[2].message.contains("gave up") && entries[2].message.contains("HTTP 500"))
    }
}
