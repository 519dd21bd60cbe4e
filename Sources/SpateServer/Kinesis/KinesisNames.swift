import SpateJSON
// The names Kinesis gives things that Spate has no use for: an account, ARNs,
// shard IDs. A Spate stream `tx` is `arn:aws:kinesis:<region>:000000000000:stream/tx`
// for every region a client asks in (the region only matters to the signature).

/// Kinesis names for Spate's streams and shards.
enum KinesisNames {
    static let accountID = "000000000000"
    static let defaultRegion = "us-east-1"

    static func streamARN(_ name: String, region: String = defaultRegion) -> String {
        "arn:aws:kinesis:\(region):\(accountID):stream/\(name)"
    }

    /// `shardId-000000000007` for shard 7.
    static func shardID(_ index: Int) -> String {
        let digits = String(index)
        return "shardId-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }

    /// The shard index a shard ID names (`shardId-000000000007`; bare digits are
    /// taken too), nil if it names none.
    static func shardIndex(_ id: String) -> Int? {
        var digits = Substring(id)
        if digits.hasPrefix("shardId-") { digits = digits.dropFirst(8) }
        guard !digits.isEmpty, digits.count <= 12, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }

    /// The stream name of a request: `StreamName`, else the name at the end of `StreamARN`.
    static func streamName(from request: JSONValue) throws(KinesisError) -> String {
        if case let .string(name)? = request["StreamName"] { return name }
        if case let .string(arn)? = request["StreamARN"] {
            guard let slash = arn.lastIndex(of: "/"), arn.hasPrefix("arn:"), arn[..<slash].hasSuffix(":stream") else {
                throw .invalidArgument("StreamARN \(arn) is not a Kinesis stream ARN.")
            }
            return String(arn[arn.index(after: slash)...])
        }
        if request["StreamName"] != nil { throw .validation("StreamName must be a string.") }
        throw .validation("1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null")
    }
}
