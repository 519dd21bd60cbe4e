// Runs SQL text for the REPL and for scripts: opens the database on first use
// (so the REPL reaches its prompt without touching the data directory, and
// quitting at once leaves nothing behind), arms Ctrl-C for the statement, and
// reports how the run ended.
//
// Invariant: `interruptFlag` is reset before each run, so a Ctrl-C typed while
// one statement ran never cancels the next.

import Spate
import SpateLog
import SpateRuntime
import SpateSQL

#if canImport(Glibc)
import Glibc
#endif

final class StatementRunner {
    enum Outcome {
        case finished
        case cancelled
        case failed(SpateError)
    }

    /// nil: `$SPATE_DATA`, else ./spate-data.
    let dataDirectory: String?
    /// Whether this runner also runs the saved jobs while it is open (the REPL does;
    /// `-c` and `-f` do not, so a one-shot command never takes a job's lease).
    let runsJobs: Bool
    private var session: Session?
    private var jobRunner: JobRunner?

    /// `spate --threads n`: the threads of every session this process opens (nil: the cores).
    nonisolated(unsafe) static var threads: Int?

    init(dataDirectory: String?, runsJobs: Bool = false) {
        self.dataDirectory = dataDirectory
        self.runsJobs = runsJobs
    }

    deinit { jobRunner?.stop() }

    /// Stops the background jobs (each with a final checkpoint).
    func stopJobs() {
        jobRunner?.stop()
        jobRunner = nil
    }

    var dataDirectoryShown: String { dataDirectory ?? Database.defaultDataDirectory() }

    /// The session, when the database is open; nil before the first statement of a new data directory.
    var openedSession: Session? { session }

    /// Opens the database if that has not happened yet.
    func openSession() throws(SpateError) -> Session {
        if let session { return session }
        let database = try Database.open(dataDirectory, options: LogOptions(onRecovery: Terminal.reportRecovery))
        let opened = Session(database: database, threads: Self.threads)
        session = opened
        if runsJobs { jobRunner = database.startJobRunner() }
        return opened
    }

    func run(_ script: String, sink: ResultSink) -> Outcome {
        interruptFlag.reset()
        // A script that does not parse must not create a data directory on its way to failing.
        if session == nil, let error = Self.parseError(script) { return .failed(error) }
        do {
            try openSession().execute(script: script, sink: sink, cancel: interruptFlag)
        } catch {
            return interruptFlag.isCancelled ? .cancelled : .failed(error)
        }
        return interruptFlag.isCancelled ? .cancelled : .finished
    }

    /// Why `script` does not parse, or nil when it does.
    static func parseError(_ script: String) -> SpateError? {
        do { _ = try Parser.parseScript(script) } catch { return .sql(error, source: script) }
        return nil
    }

    /// True when `script` holds nothing but blanks and comments.
    static func isBlank(_ script: String) -> Bool {
        let scan = SQLScriptSplitter.scan(script)
        return scan.statements.isEmpty && scan.remainder.isEmpty && !scan.isInsideQuoteOrComment
    }
}

/// Passes results through, notes whether a summary reported cancellation, and
/// shows progress lines on standard error when it is a terminal.
final class ObservingSink: ResultSink {
    private let inner: ResultSink
    private(set) var sawCancelledSummary = false
    private var showingProgress = false

    init(_ inner: ResultSink) { self.inner = inner }

    func begin(columns: [ResultColumn]) { clearProgress(); inner.begin(columns: columns) }
    func row(_ values: [Value]) { inner.row(values) }
    func caughtUp() { inner.caughtUp() }
    func end(_ summary: QuerySummary) {
        clearProgress()
        if summary.cancelled { sawCancelledSummary = true }
        inner.end(summary)
    }
    func message(_ text: String) { clearProgress(); inner.message(text) }
    func progress(_ text: String) {
        Terminal.progress(text)
        showingProgress = true
    }

    private func clearProgress() {
        guard showingProgress else { return }
        Terminal.clearProgress()
        showingProgress = false
    }
}

/// Reading a whole script: a file, or standard input.
enum ScriptInput {
    /// The bytes of `fileDescriptor` up to its end, as text; nil on a read error (errno set).
    static func readAll(fileDescriptor: Int32) -> String? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fileDescriptor, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The script in `path` (`-`: standard input).
    static func read(path: String) throws(SpateError) -> String {
        if path == "-" {
            guard let text = readAll(fileDescriptor: 0) else { throw .io("cannot read standard input: \(lastError())") }
            return text
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("cannot open \(path): \(lastError())") }
        defer { close(fd) }
        guard let text = readAll(fileDescriptor: fd) else { throw .io("cannot read \(path): \(lastError())") }
        return text
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
