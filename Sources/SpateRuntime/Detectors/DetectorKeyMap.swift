// DetectorKeyMap: partition keys → dense state slots, with a bound on keys and
// least-recently-used eviction.
//
// Keys arrive encoded by GroupKeyCodec (the GROUP BY encoding) and hashed with
// hashBytes. The table is open addressing with linear probing over slot + 1
// (0 = empty); removal uses backward-shift deletion, so there are no tombstones
// and a probe never walks further than the keys present. A doubly linked list
// over slots (Int32 links) orders keys by last use: a row of a key moves it to
// the front; when `keysMax` keys are held and a new one arrives, the key at the
// back — the one unseen for the longest — is evicted and its slot reused.
// Recency is by rows seen (NULL inputs included), not by time, so eviction is
// deterministic for a given input and survives a checkpoint (keys are written
// least recent first and re-inserted in that order).
//
// Memory per key: the key bytes plus about 56 bytes (array header 32, hash 8,
// two links 8, table slots ~8).
//
// Invariant: `count` ≤ keysMax; every live slot is in the table once and in the
// list once; free slots are in neither.

struct DetectorKeyMap {
    let keysMax: Int
    private var keys: [[UInt8]] = []
    private var hashes: [UInt64] = []
    private var newer: [Int32] = []
    private var older: [Int32] = []
    private var freeSlots: [Int32] = []
    /// Most and least recently used slot, -1 when empty.
    private(set) var newest: Int32 = -1
    private(set) var oldest: Int32 = -1
    private var table = [Int32](repeating: 0, count: 16)
    private var mask = 15
    private(set) var count = 0

    init(keysMax: Int) {
        precondition(keysMax >= 1, "a key map holds at least one key")
        self.keysMax = keysMax
    }

    var isFull: Bool { count >= keysMax }

    /// Slots ever allocated (state banks size their arrays to this).
    var slotCapacity: Int { keys.count }

    /// The slot of the key, made most recent; nil when absent.
    @inline(__always)
    mutating func lookup(_ bytes: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = table[index]
            if entry == 0 { return nil }
            let slot = Int(entry - 1)
            if hashes[slot] == hash, keys[slot].elementsEqual(bytes) {
                touch(Int32(slot))
                return slot
            }
            index = (index + 1) & mask
        }
    }

    /// Adds a key (absent, map not full); returns its slot, most recent.
    mutating func insert(_ bytes: UnsafeRawBufferPointer, hash: UInt64) -> Int {
        precondition(!isFull, "evict before inserting into a full key map")
        let slot: Int32
        if let free = freeSlots.popLast() {
            slot = free
            keys[Int(slot)] = Array(bytes)
            hashes[Int(slot)] = hash
        } else {
            slot = Int32(keys.count)
            keys.append(Array(bytes))
            hashes.append(hash)
            newer.append(-1)
            older.append(-1)
        }
        count += 1
        if count * 2 > table.count { grow() }
        place(slot)
        linkAsNewest(slot)
        return Int(slot)
    }

    /// Removes the least recently used key; returns its slot (to reset its state).
    mutating func evictOldest() -> Int {
        let slot = oldest
        precondition(slot >= 0, "evicting from an empty key map")
        unlink(slot)
        removeFromTable(slot)
        keys[Int(slot)] = []
        freeSlots.append(slot)
        count -= 1
        return Int(slot)
    }

    /// Live slots, least recently used first.
    func slotsOldestFirst() -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(count)
        var slot = oldest
        while slot >= 0 {
            result.append(Int(slot))
            slot = newer[Int(slot)]
        }
        return result
    }

    func key(_ slot: Int) -> [UInt8] { keys[slot] }

    // MARK: Recency list

    @inline(__always) private mutating func touch(_ slot: Int32) {
        guard slot != newest else { return }
        unlink(slot)
        linkAsNewest(slot)
    }

    private mutating func linkAsNewest(_ slot: Int32) {
        older[Int(slot)] = newest
        newer[Int(slot)] = -1
        if newest >= 0 { newer[Int(newest)] = slot } else { oldest = slot }
        newest = slot
    }

    private mutating func unlink(_ slot: Int32) {
        let before = older[Int(slot)], after = newer[Int(slot)]
        if before >= 0 { newer[Int(before)] = after } else { oldest = after }
        if after >= 0 { older[Int(after)] = before } else { newest = before }
    }

    // MARK: Table

    private mutating func place(_ slot: Int32) {
        var index = Int(truncatingIfNeeded: hashes[Int(slot)]) & mask
        while table[index] != 0 { index = (index + 1) & mask }
        table[index] = slot + 1
    }

    private mutating func removeFromTable(_ slot: Int32) {
        var hole = Int(truncatingIfNeeded: hashes[Int(slot)]) & mask
        while table[hole] != slot + 1 { hole = (hole + 1) & mask }
        var probe = hole
        while true {
            probe = (probe + 1) & mask
            let entry = table[probe]
            if entry == 0 { break }
            let home = Int(truncatingIfNeeded: hashes[Int(entry - 1)]) & mask
            // Move the entry into the hole unless its home lies cyclically in (hole, probe].
            let homeBetween = hole <= probe ? (home > hole && home <= probe) : (home > hole || home <= probe)
            if !homeBetween {
                table[hole] = entry
                hole = probe
            }
        }
        table[hole] = 0
    }

    private mutating func grow() {
        table = [Int32](repeating: 0, count: table.count * 2)
        mask = table.count - 1
        var slot = oldest
        while slot >= 0 {
            place(slot)
            slot = newer[Int(slot)]
        }
    }
}
