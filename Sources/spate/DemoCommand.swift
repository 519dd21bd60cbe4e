// `spate demo`: the whole pipeline, live, in one command. Stands up the demo's
// stream, job, channels and alarm (DemoPipeline, idempotent), runs the jobs,
// deliveries and alarms in this process, feeds the stream with the built-in
// producer (DemoProducer) at --rate for --duration, prints each alert as its
// checkpoint commits it, then a summary and what to type next. Ctrl-C (or
// SIGTERM) stops it early, cleanly: the job takes a final checkpoint and the
// summary still prints; the exit status is 0.
//
// The signals are taken synchronously (sigtimedwait), as `spate run` does: the
// main loop's wait between producer ticks is the wait for Ctrl-C.

import ArgumentParser
import Spate
import SpateLog

#if canImport(Glibc)
import Glibc
#endif

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Stand up the anomaly detection pipeline and show it working, live.",
        discussion: """
            Creates (if missing) the stream transactions (2 shards, key userId, event time \
            timestamp), the job demo_spikes (a z-score per user), the channels demo_alerts_file \
            (FILE, <data>/demo-alerts.jsonl) and demo_console (STDOUT), and the alarm \
            demo_anomaly_burst; then sends sample transactions (users user1..userN, injected \
            amount spikes and micro charges) and prints the alerts as they are committed.
            Ctrl-C stops it. The data directory stays, for the REPL.
            """
    )

    @Option(help: "Transactions a second (1-10000).")
    var rate = 50

    @Option(help: "How long to send: 30s, 2m, 1h (at most 24h).")
    var duration = "60s"

    @Option(help: "The fraction of transactions that are injected anomalies, 0-1.")
    var anomalies = 0.01

    @Option(help: "How many users (user1..userN).")
    var users = 10

    @Option(help: "The sample data's seed.")
    var seed: UInt64 = 42

    @OptionGroup var global: GlobalOptions

    static let tickMs = 100
    /// After the last record, how long the job gets to commit its last alerts.
    static let settleMs: Int64 = 2_500
    /// How long, at most, the job may take to read what was sent before it is stopped.
    static let catchUpMaxMs: Int64 = 10_000

    func run() throws {
        guard (1...10_000).contains(rate) else { throw SpateError.invalidArgument("--rate must be 1 to 10000 transactions a second") }
        guard let durationMs = HumanDuration.parseMs(duration), durationMs <= 86_400_000 else {
            throw SpateError.invalidArgument("--duration '\(duration)' is not a duration up to 24h; write 30s, 2m or 1h")
        }
        guard (0...1).contains(anomalies) else { throw SpateError.invalidArgument("--anomalies is a fraction from 0 to 1, not \(anomalies)") }
        guard users >= 1 else { throw SpateError.invalidArgument("--users must be at least 1") }

        var signals = StopSignals.block()  // before any thread starts: they inherit the mask
        let database = try global.open()
        let pipeline = DemoPipeline(database: database)
        let output = FileOutput.standardOutput
        output.write("Spate demo on \(database.dataDirectory): \(rate) transactions a second for \(HumanDuration.format(ms: durationMs)). Ctrl-C stops.\n")
        for message in try pipeline.setUp() { output.write("  \(message)\n") }
        let firstAlertID = try pipeline.lastAlertID()
        var options = SampleTransactions.Options()
        options.seed = seed
        options.userCount = users
        options.anomalyRate = anomalies
        let producer = try DemoProducer(database: database, options: options, ratePerSecond: rate)
        let runner = database.startJobRunner()
        output.write("Alerts as job \(DemoPipeline.job) commits them (also in \(pipeline.alertsFilePath));\n"
            + "the alarm's changes of state print as JSON, as channel \(DemoPipeline.consoleChannel) delivers them:\n")
        output.flush()

        let startNs = monotonicNs()
        func elapsedMs() -> Int64 { Int64((monotonicNs() - startNs) / 1_000_000) }
        var lastAlertID = firstAlertID
        var alertsShown = 0
        var stopped = false
        var nextStatusMs: Int64 = 10_000
        func showNewAlerts() throws(SpateError) {
            for alert in try pipeline.alerts(after: lastAlertID) {
                output.write(Self.alertLine(alert, elapsedMs: elapsedMs(), injected: producer.injected[alert.transactionId]) + "\n")
                lastAlertID = alert.id
                alertsShown += 1
            }
            output.flush()
        }
        while !stopped {
            let elapsed = elapsedMs()
            let sending = elapsed < durationMs
            if sending {
                try producer.produce(elapsedMs: elapsed)
            } else {
                try producer.produce(elapsedMs: durationMs)  // exactly rate × duration in all
                if producer.recordsSent >= Int(durationMs * Int64(rate) / 1000) && elapsed >= durationMs + Self.settleMs { break }
            }
            try showNewAlerts()
            if elapsed >= nextStatusMs && sending {
                output.write("  \(Self.clock(elapsed))  \(Terminal.grouped(producer.recordsSent)) transactions sent, \(alertsShown) alerts\n")
                output.flush()
                nextStatusMs += 10_000
            }
            stopped = StopSignals.wait(&signals, ms: Self.tickMs)
        }
        if stopped { output.write("Stopping (final checkpoint)…\n") }
        output.flush()
        // Let the job read what was sent before it stops (bounded: a loaded
        // machine may have left it a few batches behind), so the summary's
        // alerts cover every transaction.
        let catchUpDeadlineMs = elapsedMs() + Self.catchUpMaxMs
        while (try pipeline.jobLagRecords()).map({ $0 > 0 }) ?? true, elapsedMs() < catchUpDeadlineMs {
            usleep(20_000)
        }
        runner.stop()  // the job's final checkpoint commits its last alerts
        try showNewAlerts()
        output.write("""
            Summary: \(Terminal.grouped(producer.recordsSent)) transactions sent (\(Terminal.grouped(producer.injectedCount)) injected anomalies), \
            \(alertsShown == 1 ? "1 alert" : "\(alertsShown) alerts"), alarm \(DemoPipeline.alarm): \(try pipeline.alarmState()).
            Next, in the REPL (spate --data \(database.dataDirectory)):

            """)
        for statement in DemoPipeline.nextStatements { output.write("  \(statement)\n") }
        output.flush()
    }

    /// `  00:07  alert 12  user3  txn_…  amount 4,812.2  z 45.1  (injected: amount_spike)`.
    static func alertLine(_ alert: DemoPipeline.Alert, elapsedMs: Int64, injected: TransactionLabel?) -> String {
        let truth = injected.map { "injected: \($0.rawValue)" } ?? "not injected"
        return "  \(clock(elapsedMs))  alert \(alert.id)  \(alert.userId)  \(alert.transactionId)  "
            + "amount \(Terminal.format(alert.amount, decimals: 2))  z \(Terminal.format(alert.z, decimals: 1))  (\(truth))"
    }

    /// `01:05`: minutes and seconds since the start.
    static func clock(_ ms: Int64) -> String {
        let seconds = ms / 1000
        let pad: (Int64) -> String = { $0 < 10 ? "0\($0)" : "\($0)" }
        return "\(pad(seconds / 60)):\(pad(seconds % 60))"
    }
}
