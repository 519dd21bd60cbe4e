// Every error the log can raise. Each says what happened and, where the user can
// act, what to do; `description` is the one line the command line prints.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error from the log store.
public enum LogError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A system call failed: operation, path, errno.
    case io(String, String, Int32)
    case streamNotFound(String)
    case streamExists(String)
    case invalidStreamName(String, reason: String)
    case invalidSettings(String)
    case invalidManifest(path: String, reason: String)
    case recordTooLarge(bytes: Int, limit: Int)
    case partitionKeyTooLong(bytes: Int, limit: Int)
    case batchTooLarge(String)
    /// A record that cannot be trusted inside a sealed segment: file, byte offset.
    case corruptSegment(path: String, position: Int, reason: String)
    case shardNotFound(stream: String, shard: Int)

    public var description: String {
        switch self {
        case let .io(operation, path, code):
            return "\(operation) \(path): \(String(cString: strerror(code)))"
        case let .streamNotFound(name):
            return "stream '\(name)' does not exist (list streams with `spate stream list`)"
        case let .streamExists(name):
            return "stream '\(name)' already exists"
        case let .invalidStreamName(name, reason):
            return "invalid stream name '\(name)': \(reason)"
        case let .invalidSettings(message):
            return "invalid stream settings: \(message)"
        case let .invalidManifest(path, reason):
            return "cannot read stream manifest \(path): \(reason)"
        case let .recordTooLarge(bytes, limit):
            return "record of \(bytes) bytes is over the limit of \(limit) bytes (1 MiB, as in Kinesis)"
        case let .partitionKeyTooLong(bytes, limit):
            return "partition key of \(bytes) bytes is over the limit of \(limit) bytes"
        case let .batchTooLarge(message):
            return "append batch too large: \(message)"
        case let .corruptSegment(path, position, reason):
            return "corrupt record in \(path) at byte \(position): \(reason); restore the file, or see `spate stream check` (its --repair cuts the shard at the first bad record)"
        case let .shardNotFound(stream, shard):
            return "stream '\(stream)' has no shard \(shard)"
        }
    }
}
