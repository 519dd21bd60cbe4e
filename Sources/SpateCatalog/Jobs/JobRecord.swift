// A saved continuous query as the catalog keeps it: its definition, where its
// rows go, the state the user asked for, and the lease that says which process
// runs it now. Checkpoints are separate (CheckpointData).

/// Where a job's output rows go.
public enum JobOutputKind: String, Sendable, Equatable {
    /// Rows become alerts (the query filters on `anomaly`).
    case alerts
    /// Rows are kept as the job's results (`job_results`).
    case results
    /// Rows are appended to a stream (CREATE JOB … AS INSERT INTO s SELECT …).
    case stream
    /// Rows are written to files (CREATE JOB … AS INSERT INTO SINK s SELECT …).
    case sink
}

/// What the user asked a job to be, or that it failed.
public enum JobState: String, Sendable, Equatable {
    case running, paused, failed
}

/// One row of `jobs`.
public struct JobRecord: Sendable, Equatable {
    public var name: String
    /// The CREATE JOB statement.
    public var definition: String
    public var outputKind: JobOutputKind
    public var outputStream: String?
    /// WITH (…) options as a JSON object.
    public var optionsJSON: String
    public var state: JobState
    public var lastError: String?
    public var createdMs: Int64
    public var updatedMs: Int64
    public var leaseOwner: String?
    public var leaseExpiresMs: Int64?
    /// Where a job without a checkpoint starts: nil (its SINCE), "earliest", "latest" or epoch ms.
    public var startFrom: String?
    /// Times in a row the job's step crashed its process (see `recordJobCrash`).
    public var crashesInARow: Int64
    /// The file sink the job writes (output kind `sink`).
    public var outputSink: String?

    public init(name: String, definition: String, outputKind: JobOutputKind, outputStream: String? = nil,
                optionsJSON: String = "{}", state: JobState = .running, lastError: String? = nil,
                createdMs: Int64, updatedMs: Int64, leaseOwner: String? = nil, leaseExpiresMs: Int64? = nil,
                startFrom: String? = nil, crashesInARow: Int64 = 0, outputSink: String? = nil) {
        self.name = name
        self.definition = definition
        self.outputKind = outputKind
        self.outputStream = outputStream
        self.optionsJSON = optionsJSON
        self.state = state
        self.lastError = lastError
        self.createdMs = createdMs
        self.updatedMs = updatedMs
        self.leaseOwner = leaseOwner
        self.leaseExpiresMs = leaseExpiresMs
        self.startFrom = startFrom
        self.crashesInARow = crashesInARow
        self.outputSink = outputSink
    }
}

/// The next offset of one shard of one stream.
public struct ShardOffset: Sendable, Equatable, Hashable {
    public var stream: String
    public var shard: Int
    public var nextOffset: Int64

    public init(stream: String, shard: Int, nextOffset: Int64) {
        self.stream = stream
        self.shard = shard
        self.nextOffset = nextOffset
    }
}

/// A job's latest checkpoint.
public struct CheckpointData: Sendable, Equatable {
    public var sequence: Int64
    public var committedMs: Int64
    public var recordsIn: Int64
    public var recordsOut: Int64
    public var inputOffsets: [ShardOffset]
    public var outputOffsets: [ShardOffset]
    /// Serialized state per operator id.
    public var operatorStates: [String: [UInt8]]

    public init(sequence: Int64 = 0, committedMs: Int64 = 0, recordsIn: Int64, recordsOut: Int64, inputOffsets: [ShardOffset],
                outputOffsets: [ShardOffset], operatorStates: [String: [UInt8]]) {
        self.sequence = sequence
        self.committedMs = committedMs
        self.recordsIn = recordsIn
        self.recordsOut = recordsOut
        self.inputOffsets = inputOffsets
        self.outputOffsets = outputOffsets
        self.operatorStates = operatorStates
    }
}

/// An alert to record with a checkpoint.
public struct NewAlert: Sendable, Equatable {
    public var job: String?
    public var key: String?
    public var windowStartMs: Int64?
    public var windowEndMs: Int64?
    public var score: Double?
    public var rowJSON: String
    public var createdMs: Int64
    /// Why a detector flagged the row (JSON), if one did.
    public var explanationJSON: String?

    public init(job: String?, key: String?, windowStartMs: Int64?, windowEndMs: Int64?, score: Double?, rowJSON: String, createdMs: Int64,
                explanationJSON: String? = nil) {
        self.explanationJSON = explanationJSON
        self.job = job
        self.key = key
        self.windowStartMs = windowStartMs
        self.windowEndMs = windowEndMs
        self.score = score
        self.rowJSON = rowJSON
        self.createdMs = createdMs
    }
}

/// A result row to record with a checkpoint.
public struct NewResult: Sendable, Equatable {
    public var windowStartMs: Int64?
    public var windowEndMs: Int64?
    public var rowJSON: String
    public var createdMs: Int64

    public init(windowStartMs: Int64?, windowEndMs: Int64?, rowJSON: String, createdMs: Int64) {
        self.windowStartMs = windowStartMs
        self.windowEndMs = windowEndMs
        self.rowJSON = rowJSON
        self.createdMs = createdMs
    }
}
