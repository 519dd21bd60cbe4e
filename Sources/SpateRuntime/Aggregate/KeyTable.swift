// Group keys → dense key ids. A row's GROUP BY values are encoded into bytes
// (a type tag, then 8 bytes for numbers or a length and the UTF-8 for strings),
// hashed, and looked up in an open-addressing table over one byte arena: no
// allocation per row, one hash and one memcmp on a hit.
//
// Each key counts the open windows that use it. Keys with none are dead; when
// they outnumber the live ones the table is rebuilt with the live keys only, so
// memory follows the open windows, not every key ever seen.

#if canImport(Glibc)
import Glibc
#endif

final class KeyTable {
    /// Key bytes, back to back; grown by doubling.
    @exclusivity(unchecked) private var arena = UnsafeMutablePointer<UInt8>.allocate(capacity: 4096)
    @exclusivity(unchecked) private var arenaCapacity = 4096
    @exclusivity(unchecked) private var arenaCount = 0
    @exclusivity(unchecked) private(set) var offsets: [Int32] = []
    @exclusivity(unchecked) private(set) var lengths: [Int32] = []
    @exclusivity(unchecked) private var hashes: [UInt64] = []
    @exclusivity(unchecked) private(set) var references: [Int32] = []
    /// Open addressing: key id + 1, 0 when empty.
    @exclusivity(unchecked) private var table: [Int32] = [Int32](repeating: 0, count: 1024)
    @exclusivity(unchecked) private var mask = 1023
    @exclusivity(unchecked) private(set) var liveCount = 0

    var count: Int { offsets.count }

    deinit { arena.deallocate() }

    private func appendToArena(_ bytes: UnsafeRawBufferPointer) {
        if arenaCount + bytes.count > arenaCapacity {
            var capacity = arenaCapacity * 2
            while capacity < arenaCount + bytes.count { capacity *= 2 }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            grown.update(from: arena, count: arenaCount)
            arena.deallocate()
            arena = grown
            arenaCapacity = capacity
        }
        if !bytes.isEmpty { (arena + arenaCount).update(from: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), count: bytes.count) }
        arenaCount += bytes.count
    }

    /// The id of the key `bytes` (with hash `hash`), adding it when new.
    func id(for bytes: UnsafeRawBufferPointer, hash: UInt64) -> Int {
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(table[index])
            if entry == 0 { break }
            let id = entry - 1
            if hashes[id] == hash && Int(lengths[id]) == bytes.count && equals(id, bytes) { return id }
            index = (index + 1) & mask
        }
        let id = offsets.count
        offsets.append(Int32(arenaCount))
        lengths.append(Int32(bytes.count))
        hashes.append(hash)
        references.append(0)
        appendToArena(bytes)
        table[index] = Int32(id + 1)
        // At most a quarter full: a lookup then almost always hits at the first
        // slot, and the probe loop's exit branch stays predictable (at half full,
        // as before, a third of lookups took a second probe and a mispredict).
        if offsets.count * 4 > table.count { grow() }
        return id
    }

    /// Compares 8 bytes a step inline, the last (partial) word as an
    /// overlapping 8-byte load: keys are short, a `memcmp` call cost more than
    /// the comparison, and a byte loop's varying trip count was a mispredicted
    /// branch on most lookups (cachegrind --branch-sim).
    @inline(__always) private func equals(_ id: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let other = bytes.baseAddress else { return true }
        let stored = UnsafeRawPointer(arena + Int(offsets[id]))
        let count = bytes.count
        if count < 8 {
            var i = 0
            while i < count {
                if stored.load(fromByteOffset: i, as: UInt8.self) != other.load(fromByteOffset: i, as: UInt8.self) { return false }
                i += 1
            }
            return true
        }
        var i = 0
        while i + 8 < count {
            if stored.loadUnaligned(fromByteOffset: i, as: UInt64.self) != other.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
            i += 8
        }
        return stored.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) == other.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
    }

    func withKey<T>(_ id: Int, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        body(UnsafeRawBufferPointer(start: arena + Int(offsets[id]), count: Int(lengths[id])))
    }

    func retain(_ id: Int) {
        if references[id] == 0 { liveCount += 1 }
        references[id] += 1
    }

    func release(_ id: Int) {
        references[id] -= 1
        if references[id] == 0 { liveCount -= 1 }
    }

    /// Whether a rebuild would free much: dead keys outnumber live ones.
    var wantsCompaction: Bool { count > 4096 && count > 2 * liveCount }

    /// Rebuilds with live keys only; returns old id → new id (-1 for dropped keys).
    func compact() -> [Int] {
        var remap = [Int](repeating: -1, count: count)
        let old = (UnsafeRawBufferPointer(start: arena, count: arenaCount), offsets, lengths, hashes, references)
        let oldArena = arena
        defer { oldArena.deallocate() }
        arena = .allocate(capacity: arenaCapacity)
        arenaCount = 0
        offsets = []
        lengths = []
        hashes = []
        references = []
        liveCount = 0
        table = [Int32](repeating: 0, count: max(1024, (old.1.count).nextPowerOfTwo))
        mask = table.count - 1
        for oldId in 0..<old.1.count where old.4[oldId] > 0 {
            let start = Int(old.1[oldId]), length = Int(old.2[oldId])
            let newId = id(for: UnsafeRawBufferPointer(rebasing: old.0[start..<start + length]), hash: old.3[oldId])
            references[newId] = old.4[oldId]
            liveCount += 1
            remap[oldId] = newId
        }
        return remap
    }

    private func grow() {
        table = [Int32](repeating: 0, count: table.count * 2)
        mask = table.count - 1
        for id in 0..<offsets.count {
            var index = Int(truncatingIfNeeded: hashes[id]) & mask
            while table[index] != 0 { index = (index + 1) & mask }
            table[index] = Int32(id + 1)
        }
    }
}

extension Int {
    var nextPowerOfTwo: Int {
        var n = 1
        while n < self { n <<= 1 }
        return n
    }
}

/// A fast 64-bit hash of bytes (8 bytes a step, multiply-xorshift mixing). A
/// key of 8 bytes or more ends with one overlapping 8-byte word instead of a
/// byte loop, whose varying trip count mispredicted on most keys.
@inline(__always)
func hashBytes(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
    var i = 0
    let base = bytes.baseAddress
    var tail: UInt64 = 0
    if bytes.count >= 8 {
        while i + 8 < bytes.count {
            let word = base!.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ word) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        tail = base!.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self)
    } else {
        var shift: UInt64 = 0
        while i < bytes.count {
            tail |= UInt64(bytes[i]) << shift
            shift += 8
            i += 1
        }
    }
    h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
    h ^= h >> 29
    h = h &* 0xBF58_476D_1CE4_E5B9
    return h ^ (h >> 32)
}
