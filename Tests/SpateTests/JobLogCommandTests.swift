// The job log on the command line, as a user runs it: `spate logs` (text, json,
// --job, --limit, --follow) and the one-line format that `spate run` prints on
// stderr at its --log-level.

import Foundation
import Logging
import Spate
@testable import SpateCatalog
@testable import spate
import Testing

@Suite(.serialized) struct JobLogCommandTests {
    let t0: Int64 = 1_772_360_102_345  // 2026-03-01T10:15:02.345Z

    /// A data directory with a job log of two jobs and a service, written as a flush would.
    func dataWithLog() throws -> (TemporaryDirectory, String) {
        let directory = TemporaryDirectory()
        let data = directory.path + "/data"
        let catalog = try Catalog.open(dataDirectory: data)
        try catalog.appendJobLog([
            JobLogEntry(loggedMs: t0, source: .job, name: "fraud_watch", level: .info, event: "started",
                        message: "from its SINCE, reading tx at offsets 0,0, writing alerts", metadataJSON: #"{"offsets":[0,0]}"#),
            JobLogEntry(loggedMs: t0 + 1, source: .service, name: "delivery", level: .warning, event: "delivery_failed",
                        message: "channel ops: attempt 1 of 8 failed: HTTP 500\nfrom x", metadataJSON: #"{"attempt":1}"#),
            JobLogEntry(loggedMs: t0 + 2, source: .job, name: "per_minute", level: .error, event: "failed", message: "while reading the input: boom"),
            JobLogEntry(loggedMs: t0 + 3, source: .job, name: "fraud_watch", level: .info, event: "checkpoint", message: "1 checkpoint in 60.0 s",
                        metadataJSON: #"{"duration_ms":1.25,"records_in":10}"#),
        ], nowMs: t0 + 3)
        return (directory, data)
    }

    @Test func theOneLineFormat() {
        let entry = JobLogEntry(loggedMs: t0, source: .job, name: "fraud_watch", level: .notice, event: "lease_taken",
                                message: "took the job over from h:1:2 (its lease expired)", metadataJSON: #"{"owner":"me"}"#)
        #expect(JobLogLine.text(entry) == "2026-03-01T10:15:02.345Z notice job fraud_watch lease_taken: took the job over from h:1:2 (its lease expired)")
        // Control characters in a message never reach the terminal raw: one entry stays one line.
        var hostile = entry
        hostile.message = "line one\nline two \u{1B}[31mred"
        #expect(!JobLogLine.text(hostile).contains("\n") && !JobLogLine.text(hostile).contains("\u{1B}"))
        var stored = entry
        stored.id = 7
        #expect(JobLogLine.json(stored) == #"{"id":7,"logged_at":"2026-03-01T10:15:02.345Z","source":"job","name":"fraud_watch","level":"notice","event":"lease_taken","message":"took the job over from h:1:2 (its lease expired)","metadata":{"owner":"me"}}"#)
    }

    @Test func logsPrintsTheNewestEntriesOldestFirst() throws {
        let (directory, data) = try dataWithLog()
        _ = directory
        let all = try Spate.run(["logs", "--data", data])
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.lines == [
            "2026-03-01T10:15:02.345Z info job fraud_watch started: from its SINCE, reading tx at offsets 0,0, writing alerts",
            "2026-03-01T10:15:02.346Z warning service delivery delivery_failed: channel ops: attempt 1 of 8 failed: HTTP 500\\nfrom x",
            "2026-03-01T10:15:02.347Z error job per_minute failed: while reading the input: boom",
            "2026-03-01T10:15:02.348Z info job fraud_watch checkpoint: 1 checkpoint in 60.0 s",
        ])
        let one = try Spate.run(["logs", "--job", "fraud_watch", "--limit", "1", "--data", data])
        #expect(one.lines == ["2026-03-01T10:15:02.348Z info job fraud_watch checkpoint: 1 checkpoint in 60.0 s"])
        let unknown = try Spate.run(["logs", "--job", "nosuch", "--data", data])
        #expect(unknown.status == 1 && unknown.stderr.contains("job 'nosuch' does not exist and has no log entries"), "\(unknown.stderr)")
        let badLimit = try Spate.run(["logs", "--limit", "-3", "--data", data])
        #expect(badLimit.status != 0)
    }

    @Test func logsFormatJSONIsOneObjectALineWithTheFields() throws {
        let (directory, data) = try dataWithLog()
        _ = directory
        let result = try Spate.run(["logs", "--job", "fraud_watch", "--format", "json", "--data", data])
        #expect(result.status == 0, "\(result.stderr)")
        let objects = try result.lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(objects.map { $0["event"] as? String } == ["started", "checkpoint"])
        #expect(objects.allSatisfy { $0["source"] as? String == "job" && $0["name"] as? String == "fraud_watch" && $0["id"] is Int })
        #expect(objects[0]["logged_at"] as? String == "2026-03-01T10:15:02.345Z" && objects[0]["level"] as? String == "info")
        let metadata = try #require(objects[1]["metadata"] as? [String: Any])
        #expect(metadata["records_in"] as? Int == 10 && metadata["duration_ms"] as? Double == 1.25)

        // The root command owns --format; the subcommand's usage line still names it.
        let help = try Spate.run(["logs", "--help"])
        #expect(help.stdout.contains("USAGE: spate logs [--job <name>] [--follow] [--format json]"), "\(help.stdout)")
    }

    @Test func logsFollowPrintsEntriesAsTheyAreWritten() throws {
        let (directory, data) = try dataWithLog()
        _ = directory
        let (process, out, err) = try Spate.start(["logs", "--follow", "--job", "per_minute", "--data", data])
        let reader = LineReader(out)
        #expect(reader.waitFor { $0.count == 1 }, "the newest entries first")
        let catalog = try Catalog.open(dataDirectory: data)
        try catalog.appendJobLog([
            JobLogEntry(loggedMs: t0 + 10, source: .job, name: "fraud_watch", level: .info, event: "stopped", message: "not this job"),
            JobLogEntry(loggedMs: t0 + 11, source: .job, name: "per_minute", level: .notice, event: "restart", message: "RESTART JOB: starts over"),
        ], nowMs: t0 + 11)
        #expect(reader.waitFor { $0.count == 2 })
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(reader.waitForEnd())
        #expect(process.terminationStatus == 0, "\(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
        #expect(reader.lines == [
            "2026-03-01T10:15:02.347Z error job per_minute failed: while reading the input: boom",
            "2026-03-01T10:15:02.356Z notice job per_minute restart: RESTART JOB: starts over",
        ])
    }

    @Test func runPrintsTheJobLogOnStderrFromItsLevel() throws {
        let directory = TemporaryDirectory()
        let data = directory.path + "/data"
        let setup = try Spate.run(["--data", data, "-c", """
            CREATE STREAM tx (userId STRING) WITH (key = 'userId');
            INSERT INTO tx (userId) VALUES ('a'), ('b');
            CREATE JOB copy AS SELECT userId FROM tx SINCE EARLIEST;
            """])
        #expect(setup.status == 0, "\(setup.stderr)")
        let line = #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (trace|debug|info|notice|warning|error|critical) (job|service) \S+ [a-z_]+: .+$/#
        for (level, expectInfo, expectDebug) in [("info", true, false), ("debug", true, true), ("warning", false, false)] {
            let (process, out, err) = try Spate.start(["run", "--log-level", level, "--data", data])
            let reader = LineReader(err)
            #expect(reader.waitFor { $0.contains { $0.hasPrefix("spate run: running copy") } }, "\(reader.lines)")
            usleep(300_000)
            kill(process.processIdentifier, SIGINT)
            process.waitUntilExit()
            #expect(reader.waitForEnd())
            #expect(process.terminationStatus == 0)
            _ = out.fileHandleForReading.readDataToEndOfFile()
            let logLines = reader.lines.filter { !$0.hasPrefix("spate run:") }
            #expect(logLines.allSatisfy { $0.wholeMatch(of: line) != nil }, "\(logLines)")
            #expect(logLines.contains { $0.contains(" info job copy started: ") } == expectInfo, "--log-level \(level): \(logLines)")
            #expect(logLines.contains { $0.contains(" info job copy stopped: ") } == expectInfo)
            #expect(logLines.contains { $0.contains(" debug job copy checkpoint_committed: ") } == expectDebug)
            #expect(!logLines.contains { $0.contains(" debug ") || $0.contains(" trace ") } || level == "debug")
        }
        // Whatever stderr showed, the catalog kept info and up.
        let stored = try Spate.run(["logs", "--job", "copy", "--data", data])
        #expect(stored.lines.filter { $0.contains(" started: ") }.count == 3)
        #expect(!stored.stdout.contains("checkpoint_committed"))
        let bad = try Spate.run(["run", "--log-level", "loud", "--data", data])
        #expect(bad.status != 0 && bad.stderr.contains("log-level"), "\(bad.stderr)")
    }
}

/// Collects a pipe's lines on a thread, for a process that keeps running.
final class LineReader: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [String] = []
    private var partial = ""
    private var ended = false

    init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        Thread { [self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { lock.withLock { ended = true }; return }
                lock.withLock {
                    partial += String(decoding: data, as: UTF8.self)
                    while let newline = partial.firstIndex(of: "\n") {
                        collected.append(String(partial[..<newline]))
                        partial = String(partial[partial.index(after: newline)...])
                    }
                }
            }
        }.start()
    }

    var lines: [String] { lock.withLock { collected } }

    /// Waits (bounded) until the pipe's writers have all closed it.
    func waitForEnd(_ seconds: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if lock.withLock({ ended }) { return true }
            usleep(10_000)
        }
        return false
    }

    /// Waits (bounded) until `condition` holds for the lines so far.
    func waitFor(_ seconds: Double = 20, _ condition: ([String]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(lines) { return true }
            usleep(20_000)
        }
        return condition(lines)
    }
}
