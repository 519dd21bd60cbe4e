// `spate plan`, `spate apply` and `spate destroy` as a user drives them: a
// stack file changed step by step, each plan's text and exit status, and the
// catalog after each apply, read back with `spate -c`.

import Foundation
import Testing

@Suite struct StackCommandTests {
    /// A stack in a fresh directory: the file, the data directory, and runs of `spate`.
    final class Fixture {
        let directory = TemporaryDirectory()
        var data: String { directory.path + "/data" }
        var file: String { directory.path + "/shop.sql" }

        func write(_ stack: String) { _ = directory.write("shop.sql", stack) }

        func spate(_ arguments: [String], input: String? = nil) throws -> CommandResult {
            try Spate.run(arguments + ["--data", data], input: input)
        }

        func plan(_ extra: [String] = []) throws -> CommandResult { try spate(["plan", "-f", file] + extra) }
        func apply(_ extra: [String] = []) throws -> CommandResult { try spate(["apply", "-f", file, "--yes"] + extra) }

        /// The rows of a catalog query, as CSV lines without the header.
        func rows(_ sql: String) throws -> [String] {
            let result = try spate(["--format", "csv", "-c", sql])
            #expect(result.status == 0, "\(sql): \(result.stderr)")
            return Array(result.lines.dropFirst())
        }

        /// Every object of the data directory, as `kind name`.
        func objects() throws -> [String] {
            try rows("SELECT 'stream ' || name FROM streams ORDER BY name;")
                + rows("SELECT 'sink ' || name FROM sinks ORDER BY name;")
                + rows("SELECT 'channel ' || name FROM channels ORDER BY name;")
                + rows("SELECT 'job ' || name FROM jobs ORDER BY name;")
                + rows("SELECT 'alarm ' || name FROM alarms ORDER BY name;")
        }
    }

    static func stack(checkpoint: String = "'1 second'", threshold: String = "4", withAlarm: Bool = true, auditPath: String) -> String {
        """
        -- the shop's fraud pipeline
        CREATE STREAM transactions (userId STRING, amount DOUBLE, ts TIMESTAMP)
          WITH (shards = 2, key = 'userId', event_time = 'ts', retention = '7 days');
        CREATE CHANNEL audit TYPE FILE WITH (path = '\(auditPath)');
        CREATE JOB per_minute WITH (checkpoint_interval = \(checkpoint)) AS
          SELECT userId, WINDOW_START, COUNT(*) AS n, SUM(amount) AS total
          FROM transactions SINCE EARLIEST WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId;
        CREATE JOB spikes WITH (notify = 'audit') AS
          SELECT userId, amount, ZSCORE(amount, threshold => \(threshold)) OVER (PARTITION BY userId) AS z
          FROM transactions SINCE EARLIEST WHERE anomaly;
        """ + (withAlarm ? """

        CREATE ALARM spikes_lagging ON METRIC job.lag_ms WHERE job = 'spikes'
          STATISTIC MAX PERIOD 1 MINUTE WHEN > 30000 FOR 3 OF 5 PERIODS NOTIFY audit;
        """ : "")
    }

    @Test func aStackChangedStepByStep() throws {
        let f = Fixture()
        let audit = f.directory.path + "/audit.jsonl"

        // 1. Everything to create; plan changes nothing, not even the directory.
        f.write(Self.stack(auditPath: audit))
        let first = try f.plan()
        #expect(first.status == 2, "\(first.stderr)")
        #expect(first.lines == [
            "+ create stream transactions",
            "+ create channel audit",
            "+ create job per_minute",
            "+ create job spikes",
            "+ create alarm spikes_lagging",
            "Plan: 5 to create, 0 to alter, 0 to replace, 0 to drop.",
        ])
        #expect(!FileManager.default.fileExists(atPath: f.data), "plan made no data directory")
        let applied = try f.apply()
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.stdout.contains("  created stream transactions (2 shards)"))
        #expect(applied.lines.last == "Apply complete: 5 created, 0 altered, 0 replaced, 0 dropped.")
        #expect(try f.objects() == ["stream transactions", "channel audit", "job per_minute", "job spikes", "alarm spikes_lagging"])

        // 2. Nothing to do: exit 0.
        let same = try f.plan()
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.lines == ["No changes: the data directory matches the stack."])

        // 3. A job option: altered in place, the query and its state kept.
        f.write(Self.stack(checkpoint: "'5 seconds'", auditPath: audit))
        let option = try f.plan()
        #expect(option.status == 2)
        #expect(option.lines == [
            "~ alter job per_minute: checkpoint_interval '1 second' → '5 seconds'",
            "Plan: 0 to create, 1 to alter, 0 to replace, 0 to drop.",
        ])
        let createdBefore = try f.rows("SELECT created_at FROM jobs WHERE name = 'per_minute';")
        #expect(try f.apply().status == 0)
        #expect(try f.rows("SELECT options FROM jobs WHERE name = 'per_minute';") == [#""{""checkpoint_interval"":""5 seconds""}""#])
        #expect(try f.rows("SELECT created_at FROM jobs WHERE name = 'per_minute';") == createdBefore, "the same job, not a new one")
        #expect(try f.plan().status == 0)

        // 4. A job's query: replaced, saying what state goes with it.
        f.write(Self.stack(checkpoint: "'5 seconds'", threshold: "5", auditPath: audit))
        let query = try f.plan()
        #expect(query.status == 2)
        #expect(query.lines == [
            "-/+ replace job spikes: query changed (loses its checkpoint and detector state; none taken yet)",
            "Plan: 0 to create, 0 to alter, 1 to replace, 0 to drop.",
        ])
        let replaced = try f.apply()
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(replaced.stdout.contains("  dropped job spikes"))
        #expect(replaced.stdout.contains("  created job spikes"))
        #expect(replaced.lines.last == "Apply complete: 0 created, 0 altered, 1 replaced, 0 dropped.")
        #expect(try f.rows("SELECT definition FROM jobs WHERE name = 'spikes';").first?.contains("threshold => 5") == true)
        #expect(try f.plan().status == 0)

        // 5. An object removed from the file: kept (and said so) without --prune, dropped with it.
        f.write(Self.stack(checkpoint: "'5 seconds'", threshold: "5", withAlarm: false, auditPath: audit))
        let kept = try f.plan()
        #expect(kept.status == 0)
        #expect(kept.lines == [
            "# not in the file, kept (plan --prune drops them): alarm spikes_lagging",
            "No changes: the data directory matches the stack.",
        ])
        #expect(try f.apply().status == 0)
        #expect(try f.objects().contains("alarm spikes_lagging"), "apply without --prune drops nothing")
        let pruned = try f.plan(["--prune"])
        #expect(pruned.status == 2)
        #expect(pruned.lines == [
            "- drop alarm spikes_lagging (its history is kept)",
            "Plan: 0 to create, 0 to alter, 0 to replace, 1 to drop.",
        ])
        #expect(try f.apply(["--prune"]).status == 0)
        #expect(try f.objects() == ["stream transactions", "channel audit", "job per_minute", "job spikes"])
        #expect(try f.plan(["--prune"]).status == 0)

        // 6. Destroy: jobs before the channel and stream they use; the stack's record goes too.
        let destroyed = try f.spate(["destroy", "-f", f.file, "--yes"])
        #expect(destroyed.status == 0, "\(destroyed.stderr)")
        #expect(destroyed.lines.prefix(4) == [
            "- drop job per_minute (loses its checkpoint and open windows; none taken yet)",
            "- drop job spikes (loses its checkpoint and detector state; none taken yet)",
            "- drop channel audit",
            "- drop stream transactions (it has no records)",
        ])
        let dropOrder = destroyed.lines.filter { $0.hasPrefix("  dropped ") }.map { $0.split(separator: " ").prefix(3).joined(separator: " ") }
        #expect(dropOrder == ["dropped job per_minute", "dropped job spikes", "dropped channel audit", "dropped stream transactions"])
        #expect(destroyed.lines.last == "Destroy complete: 4 dropped.")
        #expect(try f.objects() == [])
        #expect(!FileManager.default.fileExists(atPath: f.data + "/stacks/shop.objects"))
        #expect(try f.plan().status == 2, "everything to create again")
    }

    @Test func applyAndDestroyAskAndRefuseWithoutATerminal() throws {
        let f = Fixture()
        f.write(Self.stack(auditPath: f.directory.path + "/audit.jsonl"))
        let apply = try f.spate(["apply", "-f", f.file])  // standard input is /dev/null
        #expect(apply.status == 1)
        #expect(apply.stderr.contains("give --yes to apply without a terminal"))
        #expect(apply.stdout.contains("+ create stream transactions"), "the plan is shown first")
        #expect(!FileManager.default.fileExists(atPath: f.data), "nothing was made")
        #expect(try f.apply().status == 0)
        let destroy = try f.spate(["destroy", "-f", f.file])
        #expect(destroy.status == 1)
        #expect(destroy.stderr.contains("give --yes to destroy without a terminal"))
        #expect(try f.objects().count == 5, "nothing was dropped")
    }

    /// On a terminal (util-linux `script` gives the command one), apply asks and takes only `yes`.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
    func applyAsksOnATerminal() throws {
        let f = Fixture()
        f.write(Self.stack(auditPath: f.directory.path + "/audit.jsonl"))
        let command = "/usr/bin/script -qec '\(Spate.executable.path) apply -f \(f.file) --data \(f.data)' /dev/null"
        let no = try Spate.shell(command, input: "y\n")
        #expect(no.status == 1)
        #expect(no.stdout.contains("Apply these changes to \(f.data)? Only 'yes' is accepted:"))
        #expect(no.stdout.contains("apply cancelled; nothing changed"))
        #expect(!FileManager.default.fileExists(atPath: f.data))
        let yes = try Spate.shell(command, input: "yes\n")
        #expect(yes.status == 0, "\(yes.stdout)")
        #expect(yes.stdout.contains("Apply complete: 5 created"))
        #expect(try f.objects().count == 5)
    }

    @Test func aStreamReplaceIsShownLoudlyAndRefused() throws {
        let f = Fixture()
        f.write("CREATE STREAM tx (userId STRING, amount DOUBLE) WITH (shards = 2, key = 'userId');")
        #expect(try f.apply().status == 0)
        #expect(try f.spate(["-c", "INSERT INTO tx (userId, amount) VALUES ('a', 1), ('b', 2), ('c', 3);"]).status == 0)
        f.write("CREATE STREAM tx (userId STRING, amount DOUBLE) WITH (shards = 4, key = 'userId');")
        let plan = try f.plan()
        #expect(plan.status == 2)
        #expect(plan.lines == [
            "-/+ replace stream tx: shards 2 → 4 (DELETES ITS 3 RECORDS)",
            "    ! apply does not delete a stream's records: drop it yourself (DROP STREAM tx, or spate stream delete tx) and apply again",
            "Plan: 0 to create, 0 to alter, 1 to replace, 0 to drop.",
        ])
        let apply = try f.apply()
        #expect(apply.status == 1)
        #expect(apply.stderr.contains("apply refuses this plan"))
        #expect(try f.rows("SELECT COUNT(*) FROM tx SINCE EARLIEST UNTIL NOW;") == ["3"], "the records are still there")
        // Dropped by hand, the stream is made anew.
        #expect(try f.spate(["stream", "delete", "tx"]).status == 0)
        #expect(try f.apply().status == 0)
        #expect(try f.rows("SHOW STREAMS;").first?.hasPrefix("tx,4,0,") == true, "4 shards, no records")
        #expect(try f.plan().status == 0)
    }

    @Test func aBadStackFileIsOneErrorWithItsLineAndExitStatus1() throws {
        let f = Fixture()
        f.write("CREATE STREAM tx (a STRING);\nINSERT INTO tx (a) VALUES ('x');\n")
        let insert = try f.plan()
        #expect(insert.status == 1)
        #expect(insert.stderr.contains("shop.sql: error: line 2, column 1: a stack holds only CREATE STREAM, SINK, CHANNEL, JOB and ALARM statements"))
        f.write("CREATE STREAM tx (a STRING);\nCREATE JOB j AS SELECT nope FROM tx;\n")
        let job = try f.plan()
        #expect(job.status == 1, "a job that would not compile fails the plan, not the apply")
        #expect(job.stderr.contains("shop.sql: error: line 2"))
        f.write("CREATE STREAM tx (a STRING) WITH (retention = 'forever');\n")
        let option = try f.plan()
        #expect(option.status == 1)
        #expect(option.stderr.contains("retention"))
        #expect(!FileManager.default.fileExists(atPath: f.data))
    }

    @Test func theAnomalyDetectionExampleIsAStack() throws {
        let f = Fixture()
        let example = ExamplesTests.examples.appendingPathComponent("anomaly-detection.sql").path
        let plan = try f.spate(["plan", "-f", example])
        #expect(plan.status == 2, "\(plan.stderr)")
        #expect(plan.lines == [
            "+ create stream transactions",
            "+ create job unusual_spending",
            "Plan: 2 to create, 0 to alter, 0 to replace, 0 to drop.",
        ])
        #expect(try f.spate(["apply", "-f", example, "--yes"]).status == 0)
        let again = try f.spate(["plan", "-f", example])
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        // The script way of deploying it leaves the same catalog: plan finds nothing to do.
        let g = Fixture()
        #expect(try g.spate(["-f", example]).status == 0)
        #expect(try g.spate(["plan", "-f", example]).status == 0)
    }
}
