// A small memo of partition key → shard in front of `PartitionRouter`, for a
// bulk writer that routes millions of records with few distinct keys (users,
// devices, accounts). The router's MD5 costs ~100 ns a key and was the largest
// single cost of `spate put --key` (12.5 % of its samples); a hit here costs a
// multiply-mix hash and a compare of the key's bytes, a few ns.
//
// Direct-mapped: 4,096 slots, each holding one key of at most 32 bytes (longer
// keys always go to the router) with its shard; a colliding key replaces the
// slot. A hit compares the whole key (length and bytes), so the cache never
// changes a route: it returns exactly what the router does. Not thread-safe:
// one per thread.

/// Memoized routing of short partition keys.
public struct PartitionRouteCache {
    private struct Slot {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        /// Key length + 1 (0: empty slot).
        var lengthPlusOne: Int32 = 0
        var shard: Int32 = 0
    }

    /// Longest key the cache holds.
    public static let keyBytesMax = 32
    private static let slotBits = 12

    public let router: PartitionRouter
    private var slots: [Slot]

    public init(router: PartitionRouter) {
        self.router = router
        slots = Array(repeating: Slot(), count: 1 << Self.slotBits)
    }

    /// The shard of `key`, as `router.shard(forKey:)` gives it.
    public mutating func shard(forKey key: UnsafeRawBufferPointer) -> Int {
        if router.shardCount == 1 { return 0 }
        guard key.count <= Self.keyBytesMax else { return router.shard(forKey: key) }
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { raw in
            if key.count > 0 { raw.baseAddress!.copyMemory(from: key.baseAddress!, byteCount: key.count) }
        }
        // A multiply-xorshift mix of the four words and the length (wyhash's constants).
        var h = UInt64(key.count) &* 0xa076_1d64_78bd_642f
        h = (h ^ words.0) &* 0xe703_7ed1_a0b4_28db
        h = (h ^ words.1 ^ (h >> 29)) &* 0x8ebc_6af0_9c88_c6e3
        h = (h ^ words.2 ^ (h >> 31)) &* 0x5899_65cc_7537_4cc3
        h = (h ^ words.3 ^ (h >> 27)) &* 0x1d8e_4e27_c47d_124f
        let slot = Int(truncatingIfNeeded: h >> UInt64(64 - Self.slotBits))
        return slots.withUnsafeMutableBufferPointer { slots in
            let found = slots[slot]
            if found.lengthPlusOne == Int32(key.count + 1) && found.words.0 == words.0 && found.words.1 == words.1
                && found.words.2 == words.2 && found.words.3 == words.3 { return Int(found.shard) }
            let shard = router.shard(forKey: key)
            slots[slot] = Slot(words: words, lengthPlusOne: Int32(key.count + 1), shard: Int32(shard))
            return shard
        }
    }
}
