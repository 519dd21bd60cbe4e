// What recovery did to a shard: the torn or corrupt tail it cut off. Kept by the
// store so that the command line can report it; never silent.

/// A tail of a segment that recovery truncated.
public struct RecoveryEvent: Sendable, Equatable, CustomStringConvertible {
    public var stream: String
    public var shard: Int
    public var path: String
    /// Where the last whole, valid record ends; the file now ends here.
    public var validEnd: Int
    /// Bytes cut off.
    public var truncatedBytes: Int
    public var reason: String

    public var description: String {
        "recovered \(stream) shard \(shard): cut \(truncatedBytes) bytes (\(reason)) from \(path) after byte \(validEnd)"
    }
}
