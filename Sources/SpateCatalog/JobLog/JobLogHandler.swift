// The swift-log backend of job logs. Jobs and services log with an ordinary
// `Logger` (`catalog.jobLogger(.job, name, …)`); its handler turns each call
// into a JobLogEntry — the `event` metadata key becomes the entry's event, the
// rest of the metadata its JSON — and hands it on:
// - always to the catalog's JobLogBuffer, from `Catalog.jobLogStoredLevelMin`
//   (info) up, which a flush writes into `job_log` in batches;
// - and, when the process asks for it (`spate run`/`serve`: stderr, at their
//   --log-level), to a JobLogOutput.
// Library code never calls LoggingSystem.bootstrap: where the entries go is
// given, not global, so an embedding program, the REPL and the tests print
// nothing unless they pass an output.
//
// Cost: a call below every handler's level is one comparison (Logger checks
// the level before it builds the message or the metadata); a call at or above
// it builds one entry and appends it under a mutex.

import Logging

/// Where a process's job log goes besides the catalog, and from which level.
public struct JobLogOutput: Sendable {
    public var level: Logger.Level
    public var write: @Sendable (JobLogEntry) -> Void

    public init(level: Logger.Level, write: @escaping @Sendable (JobLogEntry) -> Void) {
        self.level = level
        self.write = write
    }
}

/// A LogHandler that makes JobLogEntry values of one job's or service's log calls.
public struct JobLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public let source: JobLogSource
    public let name: String
    let nowMs: @Sendable () -> Int64
    let write: @Sendable (JobLogEntry) -> Void

    public init(source: JobLogSource, name: String, level: Logger.Level, nowMs: @escaping @Sendable () -> Int64,
                write: @escaping @Sendable (JobLogEntry) -> Void) {
        self.source = source
        self.name = name
        self.logLevel = level
        self.nowMs = nowMs
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let explicit = event.metadata { fields.merge(explicit) { _, new in new } }
        var name = JobLogEntry.defaultEvent
        if let value = fields.removeValue(forKey: JobLogEntry.eventKey) {
            switch value {
            case let .string(text): name = text
            case let .stringConvertible(text): name = text.description
            default: break
            }
        }
        write(JobLogEntry(loggedMs: nowMs(), source: source, name: self.name, level: event.level, event: name,
                          message: event.message.description, metadataJSON: JobLogEntry.metadataJSON(fields)))
    }
}

extension Catalog {
    /// Entries are kept in the catalog from this level up (debug and trace go
    /// to a process's output only, when it asks for them).
    public static let jobLogStoredLevelMin: Logger.Level = .info

    /// A logger for job or service `name`: its entries go to this catalog's
    /// `job_log` (from info up) and to `output` (from its level up), stamped with `nowMs`.
    public func jobLogger(_ source: JobLogSource, _ name: String, nowMs: @escaping @Sendable () -> Int64,
                          output: JobLogOutput? = nil) -> Logger {
        let buffer = jobLogBuffer
        let stored = JobLogHandler(source: source, name: name, level: Self.jobLogStoredLevelMin, nowMs: nowMs) { buffer.add($0) }
        return Logger(label: "spate.\(source.rawValue).\(name)") { _ in
            guard let output else { return stored }
            return MultiplexLogHandler([
                stored, JobLogHandler(source: source, name: name, level: output.level, nowMs: nowMs, write: output.write),
            ])
        }
    }
}

extension Logger {
    /// Logs event `event` (a fixed word: `started`, `checkpoint`, …) with a
    /// message for a person and the event's fields.
    @inlinable
    public func event(_ level: Logger.Level, _ event: String, _ message: @autoclosure () -> Logger.Message,
                      _ fields: @autoclosure () -> Logger.Metadata = [:]) {
        guard logLevel <= level else { return }
        var metadata = fields()
        metadata[JobLogEntry.eventKey] = .string(event)
        log(level: level, message(), metadata: metadata)
    }
}
