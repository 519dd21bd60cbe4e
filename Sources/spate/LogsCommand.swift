// `spate logs [--job NAME] [--follow] [--format json] [--limit N]`: the
// job log (`job_log`) — what the jobs and the services of the data directory
// wrote through swift-log, in any process. Prints the newest N entries (100
// by default) oldest first, as `tail` does; with --follow it then prints each
// entry as it is written, until Ctrl-C or SIGTERM. Entries reach the catalog in
// batches (about every half second), so a followed line comes that much late.
// Presentation only: the facade reads (Database.jobLog).
//
// --format: the root command declares `--format table|csv|json` and
// ArgumentParser gives it every `--format`, wherever it stands (a subcommand's
// option of that name is never filled). So `spate logs` reads the argument the
// root validated: json prints JSON lines, table (the default) or csv text. The
// usage line names --format itself, since the root's option is not listed there.

import ArgumentParser
import Spate
import SpateCatalog

#if canImport(Glibc)
import Glibc
#endif

struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print the job log: what jobs and services did (started, checkpoints, leases, errors, restarts).",
        usage: "spate logs [--job <name>] [--follow] [--format json] [--limit <n>] [--data <data>]",
        discussion: """
            One line an entry: time, level, source (job or service), name, event, message.
            --format json prints one JSON object a line instead, with the event's fields under "metadata".
            The same entries are in SQL: SHOW JOB LOG name, SELECT … FROM job_log.
            """
    )

    /// How often --follow looks for new entries.
    static let followPollMs = 250
    /// Most entries --follow reads at once.
    static let followBatchMax = 1_000

    @Option(help: ArgumentHelp("Only this job's entries (default: every job and service).", valueName: "name"))
    var job: String?

    @Flag(help: "Keep printing entries as they are written, until Ctrl-C.")
    var follow = false

    @Option(help: ArgumentHelp("How many of the newest entries to print first.", valueName: "n"))
    var limit = 100

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard (0...10_000).contains(limit) else { throw ValidationError("--limit takes a whole number from 0 to 10000") }
    }

    func run() throws {
        // Blocked before any thread starts (they inherit the mask); taken by --follow's wait.
        var signals = follow ? StopSignals.block() : sigset_t()
        let database = try global.open()
        let newest = try database.jobLog(job: job, limit: limit)
        if newest.isEmpty, limit > 0, !follow, let job, try database.jobRecord(job) == nil {
            throw SpateError.invalidArgument("job '\(job)' does not exist and has no log entries (spate -c 'SHOW JOBS;' lists the jobs)")
        }
        print(newest.reversed())
        guard follow else { return }
        var lastID = newest.compactMap(\.id).max() ?? 0
        while !StopSignals.wait(&signals, ms: Self.followPollMs) {
            let entries = try database.jobLog(after: lastID, job: job, limit: Self.followBatchMax)
            print(entries)
            lastID = entries.last?.id ?? lastID
        }
    }

    private func print<Entries: Sequence>(_ entries: Entries) where Entries.Element == JobLogEntry {
        let json = Self.asksForJSON(CommandLine.arguments)
        for entry in entries {
            FileOutput.standardOutput.write((json ? JobLogLine.json(entry) : JobLogLine.text(entry)) + "\n")
        }
        FileOutput.standardOutput.flush()
    }

    /// Whether the last `--format` of `arguments` (`--format json`, `--format=json`) is json.
    static func asksForJSON(_ arguments: [String]) -> Bool {
        var value: String?
        for (index, argument) in arguments.enumerated() {
            if argument == "--format", index + 1 < arguments.count { value = arguments[index + 1] }
            if argument.hasPrefix("--format=") { value = String(argument.dropFirst("--format=".count)) }
        }
        return value == OutputFormat.json.rawValue
    }
}
