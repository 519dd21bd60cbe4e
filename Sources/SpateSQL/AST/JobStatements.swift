// Job statements: CREATE JOB, PAUSE/RESUME/RESTART JOB.
//
// Layer: SpateSQL AST. A job is a saved continuous query; its body is a SELECT
// (output rows become alerts or results) or an INSERT INTO stream SELECT (output
// rows appended to a stream). Invariant: an INSERT body's source is a SELECT.
// (DROP, ALTER ... SET, DESCRIBE and SHOW for jobs are the generic forms in Statement.swift.)

/// `CREATE JOB [IF NOT EXISTS] name [WITH (...)] AS SELECT ... | AS INSERT INTO s SELECT ...`
public struct CreateJobStatement: Hashable, Sendable, CustomStringConvertible {
    public enum Body: Hashable, Sendable, CustomStringConvertible {
        case select(SelectStatement)
        case insert(InsertStatement)

        public var description: String {
            switch self {
            case .select(let s): return s.description
            case .insert(let s): return s.description
            }
        }
    }

    public var name: Identifier
    public var ifNotExists: Bool
    /// checkpoint_interval, notify, parallelism, ...
    public var options: [Option]
    public var body: Body

    public init(name: Identifier, ifNotExists: Bool = false, options: [Option] = [], body: Body) {
        self.name = name
        self.ifNotExists = ifNotExists
        self.options = options
        self.body = body
    }

    public var description: String {
        "CREATE JOB " + (ifNotExists ? "IF NOT EXISTS " : "") + name.description
            + (options.isEmpty ? "" : " WITH " + options.parenthesized) + " AS \(body)"
    }
}

/// `PAUSE JOB name`, `RESUME JOB name`, `RESTART JOB name FROM EARLIEST|LATEST|'<time>'`
public struct JobControlStatement: Hashable, Sendable, CustomStringConvertible {
    public enum Action: Hashable, Sendable {
        case pause
        case resume
        /// Discard the job's checkpoint and start reading again from a position.
        case restart(from: StartPosition)
    }

    public var action: Action
    public var job: Identifier

    public init(action: Action, job: Identifier) {
        self.action = action
        self.job = job
    }

    public var description: String {
        switch action {
        case .pause: return "PAUSE JOB \(job)"
        case .resume: return "RESUME JOB \(job)"
        case .restart(let position): return "RESTART JOB \(job) FROM \(position)"
        }
    }
}

/// `ACK ALERT id`, `RESOLVE ALERT id`
public struct AlertActionStatement: Hashable, Sendable, CustomStringConvertible {
    public enum Action: String, Hashable, Sendable {
        case acknowledge = "ACK"
        case resolve = "RESOLVE"
    }

    public var action: Action
    /// The alert's id in the `alerts` table; > 0.
    public var alertID: Int64

    public init(action: Action, alertID: Int64) {
        self.action = action
        self.alertID = alertID
    }

    public var description: String { "\(action.rawValue) ALERT \(alertID)" }
}
