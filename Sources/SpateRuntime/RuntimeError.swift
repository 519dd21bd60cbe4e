// RuntimeError: what running a query or a job can fail with — the error the
// runtime hands to the facade. Two narrower ones stay inside the runtime and
// reach users through it or through the job's error: DetectorError (a
// detector option out of range) and StateError (a checkpoint that cannot be
// read back).

/// Errors while running a query.
/// Every case but `internalError` is a condition a user can cause, and its
/// message says what happened and what to do; `internalError` is a bug.
public enum RuntimeError: Error, CustomStringConvertible, Equatable {
    case openWindowsExceeded(Int)
    /// Reading the log failed (a segment missing, truncated or corrupt, an I/O
    /// error): the log's own message, which names the file and offset.
    case storage(String)
    /// A query that the analyzer accepted but the runtime cannot run as written
    /// (a detector's options, fields the scanner cannot tell apart).
    case unsupported(String)
    /// A job's checkpoint covers another number of shards than its stream has now
    /// (the stream was dropped and created again with other shards).
    case checkpointShardsMismatch(checkpoint: Int, stream: Int)
    case internalError(String)

    public var description: String {
        switch self {
        case let .openWindowsExceeded(limit):
            return "the query has more than \(limit) open windows (keys × windows); group by fewer keys, use shorter windows or a smaller GRACE"
        case let .storage(message), let .unsupported(message):
            return message
        case let .checkpointShardsMismatch(checkpoint, stream):
            return "the job's checkpoint covers \(checkpoint) shard(s) but its stream now has \(stream) (was the stream created again?); "
                + "DROP JOB and CREATE JOB again to start over from the stream as it is"
        case let .internalError(message):
            return "internal error: \(message)"
        }
    }
}
