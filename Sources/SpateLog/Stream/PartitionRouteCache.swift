// A small memo of partition key → shard in front of `PartitionRouter`, for a
// bulk writer that routes millions of records with few distinct keys (users,
// devices, accounts). The router's MD5 costs ~100 ns a key and was the largest
// single cost of `spate put --key` (12.5 % of its samples); a hit here costs a
// multiply-mix hash and a compare of the key's bytes, a few ns.
//
// Two-way: 4,096 slots in pairs; a key may sit in either slot of the pair its
// hash picks (a miss moves the pair's first key to the second and takes the
// first), so two keys that share a pair do not evict each other on every
// record (direct-mapped, 500 users lost ~6 % of lookups to MD5: 3.5 % of
// `spate put --key`, perf). Each slot holds one key of at most 32 bytes
// (longer keys always go to the router) with its shard. A hit compares the
// whole key (length and bytes), so the cache never changes a route: it returns
// exactly what the router does. Not thread-safe: one per thread.

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
        let words = (Self.word(key, 0), Self.word(key, 8), Self.word(key, 16), Self.word(key, 24))
        // A multiply-xorshift mix of the words the key has and its length (wyhash's
        // constants); keys of up to 8 bytes (most user and device ids) take one multiply.
        var h = (UInt64(key.count) &* 0xa076_1d64_78bd_642f ^ words.0) &* 0xe703_7ed1_a0b4_28db
        if key.count > 8 {
            h = (h ^ words.1 ^ (h >> 29)) &* 0x8ebc_6af0_9c88_c6e3
            h = (h ^ words.2 ^ (h >> 31)) &* 0x5899_65cc_7537_4cc3
            h = (h ^ words.3 ^ (h >> 27)) &* 0x1d8e_4e27_c47d_124f
        }
        h ^= h >> 32
        let first = Int(truncatingIfNeeded: h >> UInt64(64 - Self.slotBits)) & ~1
        let lengthPlusOne = Int32(key.count + 1)
        return slots.withUnsafeMutableBufferPointer { slots in
            for slot in first...first + 1 {
                let found = slots[slot]
                if found.lengthPlusOne == lengthPlusOne && found.words.0 == words.0 && found.words.1 == words.1
                    && found.words.2 == words.2 && found.words.3 == words.3 { return Int(found.shard) }
            }
            let shard = router.shard(forKey: key)
            slots[first + 1] = slots[first]
            slots[first] = Slot(words: words, lengthPlusOne: lengthPlusOne, shard: Int32(shard))
            return shard
        }
    }

    /// The key's bytes from `offset`, up to 8, as a little-endian word (zeros past its end).
    @inline(__always)
    private static func word(_ key: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        let left = key.count - offset
        if left >= 8 { return UInt64(littleEndian: key.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
        if left <= 0 { return 0 }
        if left >= 4 {
            // Two overlapping 4-byte loads cover 4...7 bytes.
            let low = UInt64(UInt32(littleEndian: key.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: key.loadUnaligned(fromByteOffset: key.count - 4, as: UInt32.self)))
            return low | high << (8 * UInt64(left - 4))
        }
        var word: UInt64 = 0
        for i in 0..<left { word |= UInt64(key[offset + i]) << (8 * UInt64(i)) }
        return word
    }
}
