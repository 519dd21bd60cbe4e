// Partition key → shard, exactly as Kinesis routes: the key's MD5 read as an
// unsigned 128-bit big-endian integer falls in one shard's hash-key range. A
// stream of N shards splits [0, 2^128) into N contiguous ranges of
// floor(2^128 / N) keys, the last range taking the remainder, which is how
// Kinesis' CreateStream lays out a new stream's shards.

/// Routes partition keys to shards.
public struct PartitionRouter: Sendable {
    public let shardCount: Int
    /// floor(2^128 / shardCount).
    private let rangeSize: UInt128

    public init(shardCount: Int) {
        precondition(shardCount >= 1)
        self.shardCount = shardCount
        let n = UInt128(shardCount)
        var q = UInt128.max / n
        if n > 1 && UInt128.max % n == n - 1 { q += 1 }  // n divides 2^128 exactly (for n = 1 that is 2^128, which does not fit; max serves)
        rangeSize = q
    }

    /// The shard that owns `hashKey`.
    public func shard(forHashKey hashKey: UInt128) -> Int {
        min(shardCount - 1, Int(hashKey / rangeSize))
    }

    /// The shard for a partition key.
    @inlinable
    public func shard(forKey key: UnsafeRawBufferPointer) -> Int {
        shard(forHashKey: MD5.digest(key))
    }

    public func shard(forKey key: String) -> Int {
        var key = key
        return key.withUTF8 { shard(forKey: UnsafeRawBufferPointer($0)) }
    }

    /// The hash-key range of shard `index`, inclusive.
    public func hashKeyRange(ofShard index: Int) -> ClosedRange<UInt128> {
        let start = UInt128(index) * rangeSize
        let end = index == shardCount - 1 ? UInt128.max : start + rangeSize - 1
        return start...end
    }
}
