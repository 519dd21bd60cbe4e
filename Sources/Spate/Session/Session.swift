// A session runs SQL statements against a database and sends their results to
// a sink: the REPL, `spate -c`, `spate -f` and embedding programs all use it.
// Statements run one at a time, in order; a script stops at the first error.

import SpateLog
import SpateSQL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs SQL text against one database.
public final class Session {
    public let database: Database
    /// Threads a bounded query may use (`SET threads = n`, `spate --threads n`;
    /// default: the machine's cores). See ParallelSelect.swift for which queries split.
    public var threads: Int

    public init(database: Database, threads: Int? = nil) {
        self.database = database
        self.threads = threads ?? Self.coreCount
    }

    /// Online processors (sysconf), at least 1.
    public static var coreCount: Int { BackgroundThread.coreCount }

    /// Parses and runs every statement of `text` in order, sending results to
    /// `sink`. Stops at the first error, which it throws (statements before it
    /// keep their effect). `cancel` stops a running query.
    public func execute(script text: String, sink: ResultSink, cancel: CancellationFlag = CancellationFlag()) throws(SpateError) {
        let statements: [Statement]
        do { statements = try Parser.parseScript(text) } catch { throw .sql(error, source: text) }
        for statement in statements {
            if cancel.isCancelled { return }
            try execute(statement, source: text, sink: sink, cancel: cancel)
        }
    }

    /// Runs one parsed statement; `source` is the text it was parsed from (for error carets).
    public func execute(_ statement: Statement, source: String, sink: ResultSink, cancel: CancellationFlag) throws(SpateError) {
        switch statement.kind {
        case let .createStream(s): try createStream(s, source: source, sink: sink)
        case let .alter(s) where s.objectType == .stream: try alterStream(s, source: source, sink: sink)
        case let .drop(s) where s.objectType == .stream: try dropStream(s, source: source, sink: sink)
        case .show(.streams): try showStreams(sink: sink)
        case let .describe(s) where s.objectType == nil || s.objectType == .stream: try describe(s, source: source, sink: sink)
        case let .insert(s): try insert(s, source: source, sink: sink)
        case let .select(s): try runSelect(s, source: source, sink: sink, cancel: cancel)
        case let .explain(.select(s)): try runExplain(s, source: source, sink: sink)
        case let .backtest(s): try runBacktest(s, source: source, sink: sink, cancel: cancel)
        case let .set(s): try runSet(s, source: source, sink: sink)
        case let .copy(s): try runCopy(s, source: source, sink: sink, cancel: cancel)
        case let .createJob(s): try createJob(s, source: source, sink: sink)
        case .show(.jobs): try showJobs(sink: sink)
        case let .describe(s) where s.objectType == .job: try describeJob(s, source: source, sink: sink)
        case let .jobControl(s): try controlJob(s, source: source, sink: sink)
        case let .drop(s) where s.objectType == .job: try dropJob(s, source: source, sink: sink)
        case let .alter(s) where s.objectType == .job: try alterJob(s, source: source, sink: sink)
        case let .alertAction(s): try alertAction(s, source: source, sink: sink)
        case let .createChannel(s): try createChannel(s, source: source, sink: sink)
        case .show(.channels): try showChannels(sink: sink)
        case let .drop(s) where s.objectType == .channel: try dropChannel(s, source: source, sink: sink)
        case let .testChannel(name): try testChannel(name, source: source, sink: sink)
        case let .createAlarm(s): try createAlarm(s, source: source, sink: sink)
        case .show(.alarms): try showAlarms(sink: sink)
        case let .drop(s) where s.objectType == .alarm: try dropAlarm(s, source: source, sink: sink)
        case let .show(.metrics(like)): try showMetrics(like: like, sink: sink)
        case let .createSink(s): try createSink(s, source: source, sink: sink)
        case .show(.sinks): try showSinks(sink: sink)
        case let .show(.jobLog(job, limit)): try showJobLog(job: job, limit: limit, source: source, sink: sink)
        case let .drop(s) where s.objectType == .sink: try dropSink(s, source: source, sink: sink)
        default:
            throw .sqlMessage("\(statementName(statement)) is not available for this kind of object",
                              at: statement.range, source: source)
        }
    }

    private func statementName(_ statement: Statement) -> String {
        let words = statement.description.split(separator: " ").prefix(2).joined(separator: " ")
        return words.isEmpty ? "this statement" : words
    }
}
