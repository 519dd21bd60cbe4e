// `spate put STREAM [--key FIELD] < events.jsonl`: bulk ingest of JSON lines,
// creating the stream on first use.
//
// Ctrl-C (or SIGTERM) stops the put cleanly: the lines read whole by then are
// written and made durable, and the put says up to which line, so that
// `--skip-lines` goes on without duplicates (exit status 130, 143 after
// SIGTERM). A second Ctrl-C quits at once. The signals are blocked before any
// thread starts and taken by a thread of their own (StopSignals); the ingest
// asks a flag.

import ArgumentParser
import Spate
import SpateLog
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

struct PutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put",
        abstract: "Append JSON lines from standard input (or --file) to a stream.",
        discussion: """
            Each line must be one JSON object; it is stored byte for byte. The partition key is the \
            value of --key (a top-level field); without --key, the stream's declared key column \
            (CREATE STREAM … WITH (key = '…')); only a stream with neither spreads records round-robin.
            Bad lines are reported with their line number and skipped (exit status 1); with --strict \
            nothing is written unless every line is good. The stream is created on first use with \
            the settings given (default: 1 shard, 24h retention, batch durability).
            """
    )

    @Argument(help: "The stream to append to.")
    var stream: String

    @Option(help: "Top-level field that holds the partition key (default: the stream's declared key).")
    var key: String?

    @Option(name: [.customShort("f"), .customLong("file"), .customLong("input-file")], help: "Read this file instead of standard input.")
    var file: String?

    @Flag(help: "Write nothing unless every line is good.")
    var strict = false

    @Option(name: .customLong("skip-lines"), help: "Skip the first N input lines (resume after a put that failed part way).")
    var skipLines = 0

    @OptionGroup var settings: StreamSettingsOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        // Before any thread starts: they inherit the mask, and only the watcher takes the signals.
        let stop = Self.watchForStop()
        let database = try global.open()
        var streamSettings = StreamSettings()
        try settings.apply(to: &streamSettings)
        let (logStream, created) = try database.stream(stream, creatingWith: streamSettings, shardCountGiven: settings.shards != nil)
        if !created && settings.anyGiven && settings.shards == nil {
            Terminal.error("spate: note: stream '\(stream)' exists; settings flags are ignored (use `spate stream alter`)")
        }

        let input: Int32
        if let file {
            input = open(file, O_RDONLY | O_CLOEXEC)
            guard input >= 0 else { throw SpateError.io("cannot open \(file): \(String(cString: strerror(errno)))") }
        } else {
            input = 0
        }
        if skipLines < 0 { throw SpateError.invalidArgument("--skip-lines must not be negative") }
        var options = IngestOptions(keyField: key, strict: strict)
        options.rejectionsKeptMax = 1000
        options.skipLines = skipLines
        let ingester = try database.jsonLinesIngester(into: logStream, named: stream, options: options)
        let startNs = monotonicNs()
        let report = try ingester.ingest(fd: input, progress: { p in
            let seconds = Double(monotonicNs() - startNs) / 1e9
            Terminal.progress("put \(stream): \(Terminal.grouped(p.linesRead)) lines, \(Terminal.bytes(p.bytesRead)), "
                + "\(Terminal.bytes(Int(Double(p.bytesRead) / max(seconds, 1e-3))))/s, \(Terminal.grouped(p.rejected)) rejected")
        }, shouldStop: { stop.isRequested })
        Terminal.clearProgress()
        let seconds = Double(monotonicNs() - startNs) / 1e9

        let shown = 20
        for rejection in report.rejections.prefix(shown) { Terminal.error("spate: \(stream): \(rejection)") }
        if report.rejected > shown { Terminal.error("spate: … and \(Terminal.grouped(report.rejected - shown)) more bad lines") }
        if report.abortedByStrictMode {
            // A stream this put created is removed again: --strict leaves no trace.
            if created { try? database.deleteStream(stream) }
            Terminal.fail("nothing written to '\(stream)': \(Terminal.grouped(report.rejected)) bad line(s) and --strict")
        }
        if let failure = report.failure { reportPartialFailure(failure, report, shardCount: logStream.shards.count) }
        if report.interrupted { try reportInterrupted(report, created: created, database: database, signal: stop.signal) }
        print("appended \(Terminal.grouped(report.appended)) records to \(stream) (\(logStream.shards.count) shard\(logStream.shards.count == 1 ? "" : "s")), "
            + "rejected \(Terminal.grouped(report.rejected)), in \(Terminal.format(seconds, decimals: 2)) s"
            + (seconds > 0 ? " (\(Terminal.grouped(Int(Double(report.appended) / seconds))) records/s)" : ""))
        if report.rejected > 0 { throw ExitCode(1) }
    }

    /// A put stopped by Ctrl-C or SIGTERM: what was kept and how to go on;
    /// exit status 128 + the signal's number (130, 143), as a shell reports it.
    private func reportInterrupted(_ report: IngestReport, created: Bool, database: Database, signal: Int32) throws -> Never {
        if strict && report.appended == 0 {
            if created { try? database.deleteStream(stream) }
            Terminal.error("spate: put \(stream) interrupted (--strict): nothing written")
            throw ExitCode(128 + signal)
        }
        Terminal.error("spate: put \(stream) interrupted: \(Self.kept(report))")
        Terminal.error("spate: to go on without duplicates, run: \(resumeCommand(report.lastLineDurable))")
        throw ExitCode(128 + signal)
    }

    /// "kept N records (shard i: n, …); every input line up to L is durable in all shards".
    private static func kept(_ report: IngestReport) -> String {
        let perShard = report.appendedPerShard.enumerated().map { "shard \($0.offset): \(Terminal.grouped($0.element))" }
        return "kept \(Terminal.grouped(report.appended)) records (\(perShard.joined(separator: ", "))); "
            + "every input line up to \(Terminal.grouped(report.lastLineDurable)) is durable in all shards"
    }

    /// The command that goes on after line `line`.
    private func resumeCommand(_ line: Int) -> String {
        "spate put \(stream) --skip-lines \(line)" + (key.map { " --key \($0)" } ?? "") + (strict ? " --strict" : "")
            + (file.map { " --file \($0)" } ?? " < (the same input)")
    }

    /// A stop asked for by Ctrl-C or SIGTERM.
    private final class StopRequest: Sendable {
        /// The signal that asked (0: none yet).
        private let received = Atomic<Int32>(0)
        var isRequested: Bool { received.load(ordering: .relaxed) != 0 }
        var signal: Int32 { received.load(ordering: .relaxed) }
        func request(by signal: Int32) { received.store(signal, ordering: .relaxed) }
    }

    /// Blocks Ctrl-C and SIGTERM in this thread and the threads it will start,
    /// and takes them on a thread of their own: the first asks the put to
    /// stop; after it the signals are let through, so a second one quits at once.
    private static func watchForStop() -> StopRequest {
        let stop = StopRequest()
        let signals = StopSignals.block()
        BackgroundThread.start {
            var waitingFor = signals
            stop.request(by: StopSignals.waitForNumber(&waitingFor))
            Terminal.clearProgress()
            Terminal.error("spate: stopping: writing the lines read so far (Ctrl-C again quits at once)")
            pthread_sigmask(SIG_UNBLOCK, &waitingFor, nil)
            while true { pause() }
        }
        return stop
    }

    /// A put that stopped part way: what was kept, per shard, and how to resume.
    private func reportPartialFailure(_ failure: SpateError, _ report: IngestReport, shardCount: Int) -> Never {
        Terminal.error("spate: put \(stream) stopped: \(failure.description)")
        Terminal.error("spate: \(Self.kept(report))")
        /// "N records … (shard i: n, …)" over the shards with any.
        func records(_ perShard: [Int]) -> String {
            let which = perShard.enumerated().filter { $0.element > 0 }.map { "shard \($0.offset): \(Terminal.grouped($0.element))" }
            return "\(Terminal.grouped(perShard.reduce(0, +))) records after that line (\(which.joined(separator: ", ")))"
        }
        if report.recordsNotTakenBack.contains(where: { $0 > 0 }) {
            Terminal.error("spate: warning: \(records(report.recordsNotTakenBack)) stay written "
                + "because another writer appended after them; a resume repeats them")
        }
        if let takeBackFailure = report.takeBackFailure {
            Terminal.error("spate: warning: taking back the \(records(report.recordsTakeBackFailed)) failed "
                + "(\(takeBackFailure.description)): they may stay written, or come back after a crash, and a resume would repeat them")
        }
        Terminal.fail("to resume without duplicates, fix the cause and run: \(resumeCommand(report.lastLineDurable))")
    }
}
