// `spate run`: runs the saved jobs of the data directory — and with them alert
// delivery, alarm evaluation and metrics (Database.startJobRunner) — until
// SIGINT or SIGTERM, then stops each job with a final checkpoint and exits 0. Several
// `spate run` (or REPL) processes may share a data directory: each job runs in
// exactly one of them (leases in the catalog), and a dead process's jobs move
// to a live one when its lease expires. A job that fails is printed on stderr
// (`spate run: job NAME failed: …`) as it happens, and those already failed at
// start are listed; the other jobs keep running. The job log (what jobs and
// services write to `job_log`) is printed on stderr too, one line an entry,
// from --log-level up (LogLevelOption; default info).

import ArgumentParser
import Spate
import SpateRuntime

#if canImport(Glibc)
import Glibc
#endif

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the saved jobs, alert deliveries, alarms and metrics until stopped (Ctrl-C or SIGTERM: final checkpoint, clean exit)."
    )

    @Option(name: .customLong("lease"), help: "Seconds a job's lease lasts without a heartbeat (default 10).")
    var leaseSeconds: Int = 10

    @OptionGroup var logging: LogLevelOption

    @OptionGroup var global: GlobalOptions

    func run() throws {
        guard (1...3600).contains(leaseSeconds) else { throw SpateError.invalidArgument("--lease must be 1 to 3600 seconds") }
        // Take SIGINT and SIGTERM synchronously; threads started after this inherit the mask.
        var signals = StopSignals.block()

        let database = try global.open()
        let runner = database.startJobRunner(options: JobRunnerOptions(leaseDurationMs: Int64(leaseSeconds) * 1000, logOutput: logging.output()))
        Terminal.error("spate run: running the jobs of \(database.dataDirectory) (Ctrl-C stops)")
        JobFailurePrinter.attach(to: runner, database: database, prefix: "spate run")
        var shown: [String] = []
        while true {
            if StopSignals.wait(&signals, ms: 1_000) { break }
            let running = runner.runningJobs
            if running != shown {
                Terminal.error("spate run: running \(running.isEmpty ? "no jobs" : running.joined(separator: ", "))")
                shown = running
            }
        }
        Terminal.error("spate run: stopping (final checkpoints)…")
        runner.stop()
        Terminal.error("spate run: stopped")
    }
}
