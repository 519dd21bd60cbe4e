// Statement: one parsed SQL statement, the root of the AST.
//
// Layer: SpateSQL AST. Statements are data: nothing here runs anything. The
// statement families live in their own files (CreateStreamStatement, InsertStatement,
// SelectStatement, job, channel and alarm statements); the small generic forms that
// apply to several object types (DROP, SHOW, DESCRIBE, ALTER ... SET) live here.
//
// Invariant: `description` prints canonical SQL without a trailing `;` such that
// parsing it gives an equal Statement.

/// A parsed statement with its source range.
public struct Statement: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        case createStream(CreateStreamStatement)
        case createJob(CreateJobStatement)
        case createChannel(CreateChannelStatement)
        case createAlarm(CreateAlarmStatement)
        case createSink(CreateSinkStatement)
        /// `ALTER STREAM|JOB name SET (...)`
        case alter(AlterStatement)
        /// `DROP STREAM|JOB|CHANNEL|ALARM [IF EXISTS] name`
        case drop(DropStatement)
        /// `SHOW STREAMS|JOBS|CHANNELS|ALARMS|METRICS [LIKE 'p']`
        case show(ShowStatement)
        /// `DESCRIBE [STREAM|JOB] name`
        case describe(DescribeStatement)
        case insert(InsertStatement)
        case select(SelectStatement)
        /// `PAUSE JOB`, `RESUME JOB`, `RESTART JOB ... FROM ...`
        case jobControl(JobControlStatement)
        /// `ACK ALERT id`, `RESOLVE ALERT id`
        case alertAction(AlertActionStatement)
        /// `TEST CHANNEL name`
        case testChannel(Identifier)
        case explain(ExplainStatement)
        /// `BACKTEST [LABEL expr] SELECT …`
        case backtest(BacktestStatement)
        /// `SET name = value` (a session setting: threads)
        case set(SetStatement)
        /// `COPY (SELECT …) TO 'path' [FORMAT …]`
        case copy(CopyStatement)
    }

    public var kind: Kind
    @SourceMetadata public var range: SourceRange

    public init(_ kind: Kind, range: SourceRange = SourceRange(start: .start, end: .start)) {
        self.kind = kind
        self.range = range
    }

    public var description: String {
        switch kind {
        case .createStream(let s): return s.description
        case .createJob(let s): return s.description
        case .createChannel(let s): return s.description
        case .createAlarm(let s): return s.description
        case .createSink(let s): return s.description
        case .alter(let s): return s.description
        case .drop(let s): return s.description
        case .show(let s): return s.description
        case .describe(let s): return s.description
        case .insert(let s): return s.description
        case .select(let s): return s.description
        case .jobControl(let s): return s.description
        case .alertAction(let s): return s.description
        case .testChannel(let name): return "TEST CHANNEL \(name)"
        case .explain(let s): return s.description
        case .backtest(let s): return s.description
        case .set(let s): return s.description
        case .copy(let s): return s.description
        }
    }
}

/// The kinds of named catalog objects statements act on.
public enum ObjectType: String, Hashable, Sendable, CaseIterable {
    case stream = "STREAM", job = "JOB", channel = "CHANNEL", alarm = "ALARM", sink = "SINK"
}

/// `DROP <type> [IF EXISTS] name`
public struct DropStatement: Hashable, Sendable, CustomStringConvertible {
    public var objectType: ObjectType
    public var name: Identifier
    public var ifExists: Bool

    public init(objectType: ObjectType, name: Identifier, ifExists: Bool = false) {
        self.objectType = objectType
        self.name = name
        self.ifExists = ifExists
    }

    public var description: String { "DROP \(objectType.rawValue) " + (ifExists ? "IF EXISTS " : "") + name.description }
}

/// `ALTER STREAM|JOB name SET (opt = value, ...)`
public struct AlterStatement: Hashable, Sendable, CustomStringConvertible {
    public var objectType: ObjectType
    public var name: Identifier
    /// Never empty.
    public var options: [Option]

    public init(objectType: ObjectType, name: Identifier, options: [Option]) {
        self.objectType = objectType
        self.name = name
        self.options = options
    }

    public var description: String { "ALTER \(objectType.rawValue) \(name) SET \(options.parenthesized)" }
}

/// `SHOW STREAMS`, `SHOW JOBS`, `SHOW CHANNELS`, `SHOW ALARMS`, `SHOW METRICS [LIKE 'p']`
public enum ShowStatement: Hashable, Sendable, CustomStringConvertible {
    case streams, jobs, channels, alarms, sinks
    /// The LIKE pattern, if any (SQL LIKE syntax: % and _).
    case metrics(like: String?)
    /// `SHOW JOB LOG name [LIMIT n]`: the job's newest log entries (nil: the default count).
    case jobLog(job: Identifier, limit: Int64?)

    public var description: String {
        switch self {
        case .streams: return "SHOW STREAMS"
        case .jobs: return "SHOW JOBS"
        case .channels: return "SHOW CHANNELS"
        case .alarms: return "SHOW ALARMS"
        case .sinks: return "SHOW SINKS"
        case .metrics(let pattern): return "SHOW METRICS" + (pattern.map { " LIKE " + SQLText.string($0) } ?? "")
        case let .jobLog(job, limit): return "SHOW JOB LOG \(job)" + (limit.map { " LIMIT \($0)" } ?? "")
        }
    }
}

/// `DESCRIBE name`, `DESCRIBE STREAM name`, `DESCRIBE JOB name`, ...
public struct DescribeStatement: Hashable, Sendable, CustomStringConvertible {
    /// nil when written without a type (`DESCRIBE transactions`): a stream or a catalog table.
    public var objectType: ObjectType?
    public var name: Identifier

    public init(objectType: ObjectType?, name: Identifier) {
        self.objectType = objectType
        self.name = name
    }

    public var description: String { "DESCRIBE " + (objectType.map { $0.rawValue + " " } ?? "") + name.description }
}

/// `EXPLAIN SELECT ...` or `EXPLAIN INSERT INTO s SELECT ...`
public enum ExplainStatement: Hashable, Sendable, CustomStringConvertible {
    case select(SelectStatement)
    case insert(InsertStatement)

    public var description: String {
        switch self {
        case .select(let s): return "EXPLAIN \(s)"
        case .insert(let s): return "EXPLAIN \(s)"
        }
    }
}
