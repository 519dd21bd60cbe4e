// The windowed GROUP BY operator. For each row: its event time advances the
// watermark (largest event time seen minus the grace), its window(s) are
// computed, its group key is looked up, and the (row, slot) pair is recorded;
// then each aggregate folds the batch's pairs in one loop. A slot is one open
// (group key, window). Windows whose end the watermark has passed are final:
// they are emitted in order of end (then of creation) and their slots freed.
// A record that only belongs to final windows is late: counted and dropped.
//
// Windows: TUMBLING [⌊t/size⌋·size, +size); HOPPING every window of `size`
// starting at a multiple of `advance` that contains t; SESSION per key, a new
// record joins (and may merge) the sessions it falls within `gap` of; a session
// is [first event, last event + gap). Without a window, each key has one group
// that never closes (emitted at the end of a bounded query, or on change).
//
// Limits: at most `openWindowsMax` open slots (an error names the limit).
//
// Event times are whatever the records say (any BIGINT of milliseconds), so
// window bounds are computed with overflow checks: a record whose window would
// start or end beyond the TIMESTAMP range (-2^63 … 2^63-1 ms) is counted as
// late and dropped, never a trap; the watermark saturates at the range's ends.

import SpateSQL

final class WindowAggregator {
    static let openWindowsMaxDefault = 2_000_000

    let window: WindowPlan?
    let states: [AggregateState]
    let codec: GroupKeyCodec
    let openWindowsMax: Int
    let emitChanges: Bool
    let keyTable = KeyTable()

    // Per slot.
    @exclusivity(unchecked) var slotKey: [Int32] = []
    @exclusivity(unchecked) var slotStart: [Int64] = []
    @exclusivity(unchecked) var slotEnd: [Int64] = []
    @exclusivity(unchecked) var slotSequence: [UInt64] = []
    @exclusivity(unchecked) var slotLive: [Bool] = []
    @exclusivity(unchecked) var slotChanged: [Bool] = []
    @exclusivity(unchecked) var freeSlots: [Int32] = []
    @exclusivity(unchecked) var openCount = 0
    @exclusivity(unchecked) var nextSequence: UInt64 = 0

    /// (key id, window start) → slot, for windows other than a key's latest.
    @exclusivity(unchecked) var windowIndex: [WindowKey: Int32] = [:]
    /// Per key id: the start and slot of its most recent window (the hot path).
    @exclusivity(unchecked) var latestStart: [Int64] = []
    @exclusivity(unchecked) var latestSlot: [Int32] = []
    /// Session windows: per key id, its open session slots.
    @exclusivity(unchecked) var sessions: [Int32: [Int32]] = [:]
    /// Emission order: (end, sequence, slot), a min-heap; stale entries are skipped.
    @exclusivity(unchecked) var heap = EmissionHeap()
    @exclusivity(unchecked) var changedSlots: [Int32] = []
    /// A slot that is never a group: partials from other workers are loaded
    /// here and folded into their group (-1: not made yet; PartialAggregates.swift).
    @exclusivity(unchecked) var scratchSlot: Int32 = -1

    /// Which windows are final: per-shard event-time maxima, active shards, the frontier (Watermark.swift).
    let watermark: Watermark
    @exclusivity(unchecked) var lateRecords = 0
    let assignments = SlotAssignments()
    let keyBytes = KeyBuffer()

    struct WindowKey: Hashable {
        var key: Int32
        var start: Int64
    }

    /// `watermark` defaults to one over `shardCount` shards with the window's grace.
    init(window: WindowPlan?, aggregates: [AggregatePlan], keyTypes: [ValueType], emitChanges: Bool, shardCount: Int = 1,
         watermark: Watermark? = nil, openWindowsMax: Int = WindowAggregator.openWindowsMaxDefault) {
        self.watermark = watermark ?? Watermark(shardCount: shardCount, graceMs: window?.graceMs ?? 0)
        precondition(self.watermark.graceMs == window?.graceMs ?? 0, "the watermark's grace is the window's")
        self.window = window
        self.states = aggregates.map(AggregateState.make)
        self.codec = GroupKeyCodec(types: keyTypes)
        self.emitChanges = emitChanges
        self.openWindowsMax = openWindowsMax
    }

    /// The watermark (Watermark.swift): windows ending at or before it are final.
    var watermarkMs: Int64 { watermark.watermarkMs }

    // MARK: Consuming a batch

    /// Folds the selected rows of `chunk` into their groups.
    func consume(_ chunk: DataChunk, keys: [ColumnVector], arguments: [ColumnVector?], eventTime: ColumnVector?,
                 shards: UnsafePointer<Int32>? = nil) throws(RuntimeError) {
        assignments.removeAll()
        var failure: RuntimeError?
        let keyViews = keys.map(\.view)
        let time = eventTime?.view
        keyViews.withUnsafeBufferPointer { keyViews in
        chunk.forEachSelected { row in
            guard failure == nil else { return }
            var t: Int64 = 0
            if let time {
                if time.isNull[row] { return }  // counted as a bad record by the scan
                t = time.ints[row]
                watermark.observe(t, shard: shards == nil ? 0 : Int(shards.unsafelyUnwrapped[row]))
            }
            keyBytes.removeAll()
            codec.encode(keyViews, row, into: keyBytes)
            let key = keyBytes.bytes
            let keyId = keyTable.id(for: key, hash: hashBytes(key))
            if keyId >= latestStart.count {
                latestStart.append(.min)
                latestSlot.append(-1)
            }
            do throws(RuntimeError) {
                try assign(row: row, time: t, keyId: keyId, arguments: arguments)
            } catch {
                failure = error
            }
        }
        }
        if let failure { throw failure }
        apply(arguments)
    }

    private func apply(_ arguments: [ColumnVector?]) {
        guard assignments.count > 0 else { return }
        for (i, state) in states.enumerated() { state.update(assignments, arguments[i]) }
        if emitChanges {
            for k in 0..<assignments.count where !slotChanged[Int(assignments.slots[k])] {
                let slot = assignments.slots[k]
                slotChanged[Int(slot)] = true
                changedSlots.append(slot)
            }
        }
        assignments.removeAll()
    }

    private func assign(row: Int, time t: Int64, keyId: Int, arguments: [ColumnVector?]) throws(RuntimeError) {
        guard let window else {
            assignments.append(row: row, slot: Int(try slot(keyId: keyId, start: 0, end: .max)))
            return
        }
        let watermark = watermarkMs
        switch window.kind {
        case let .tumbling(size):
            guard let start = floorMultiple(t, size), let end = checkedSum(start, size), end > watermark else { lateRecords += 1; return }
            assignments.append(row: row, slot: Int(try slot(keyId: keyId, start: start, end: end)))
        case let .hopping(size, advance):
            var assigned = false
            if var start = floorMultiple(t, advance) {
                let earliestExclusive = checkedSum(t, -size) ?? .min
                while start > earliestExclusive {
                    if let end = checkedSum(start, size), end > watermark {
                        assignments.append(row: row, slot: Int(try slot(keyId: keyId, start: start, end: end)))
                        assigned = true
                    }
                    guard let previous = checkedSum(start, -advance) else { break }
                    start = previous
                }
            }
            if !assigned { lateRecords += 1 }
        case let .session(gap):
            try assignSession(row: row, time: t, keyId: keyId, gap: gap, watermark: watermark, arguments: arguments)
        }
    }

    private func assignSession(row: Int, time t: Int64, keyId: Int, gap: Int64, watermark: Int64,
                               arguments: [ColumnVector?]) throws(RuntimeError) {
        let key = Int32(keyId)
        var open = sessions[key] ?? []
        // Sessions the watermark has passed are final even before they are
        // emitted (after the batch): joining one would make results depend on
        // batch boundaries.
        guard let end = checkedSum(t, gap) else { lateRecords += 1; return }
        let touching = open.filter { t >= (checkedSum(slotStart[Int($0)], -gap) ?? .min) && t <= slotEnd[Int($0)] && slotEnd[Int($0)] > watermark }
        if touching.isEmpty {
            if end <= watermark { lateRecords += 1; return }
            let slot = try newSlot(keyId: keyId, start: t, end: end)
            open.append(slot)
            sessions[key] = open
            assignments.append(row: row, slot: Int(slot))
            return
        }
        let target = touching.min { slotStart[Int($0)] < slotStart[Int($1)] }!
        if touching.count > 1 {
            apply(arguments)  // pending updates must land before states merge
            for other in touching where other != target {
                for state in states { state.merge(into: Int(target), from: Int(other)) }
                slotStart[Int(target)] = min(slotStart[Int(target)], slotStart[Int(other)])
                slotEnd[Int(target)] = max(slotEnd[Int(target)], slotEnd[Int(other)])
                free(other)
                open.removeAll { $0 == other }
            }
        }
        slotStart[Int(target)] = min(slotStart[Int(target)], t)
        if end > slotEnd[Int(target)] {
            slotEnd[Int(target)] = end
        }
        heap.push(end: slotEnd[Int(target)], sequence: slotSequence[Int(target)], slot: target)
        sessions[key] = open
        assignments.append(row: row, slot: Int(target))
    }

    /// The slot of (key, window start), opened if needed.
    @inline(__always)
    func slot(keyId: Int, start: Int64, end: Int64) throws(RuntimeError) -> Int32 {
        if latestStart[keyId] == start {
            let cached = latestSlot[keyId]
            if cached >= 0 && slotLive[Int(cached)] && slotKey[Int(cached)] == Int32(keyId) && slotStart[Int(cached)] == start { return cached }
        }
        let windowKey = WindowKey(key: Int32(keyId), start: start)
        let slot: Int32
        if let existing = windowIndex[windowKey] {
            slot = existing
        } else {
            slot = try newSlot(keyId: keyId, start: start, end: end)
            windowIndex[windowKey] = slot
        }
        latestStart[keyId] = start
        latestSlot[keyId] = slot
        return slot
    }

    func newSlot(keyId: Int, start: Int64, end: Int64) throws(RuntimeError) -> Int32 {
        guard openCount < openWindowsMax else { throw .openWindowsExceeded(openWindowsMax) }
        let slot: Int32
        if let reused = freeSlots.popLast() {
            slot = reused
        } else {
            slot = Int32(slotKey.count)
            slotKey.append(0)
            slotStart.append(0)
            slotEnd.append(0)
            slotSequence.append(0)
            slotLive.append(false)
            slotChanged.append(false)
            for state in states { state.ensureCapacity(slotKey.count) }
        }
        let s = Int(slot)
        assert(end > start, "a window ends after it starts: [\(start), \(end))")
        slotKey[s] = Int32(keyId)
        slotStart[s] = start
        slotEnd[s] = end
        slotSequence[s] = nextSequence
        nextSequence += 1
        slotLive[s] = true
        slotChanged[s] = false
        for state in states { state.reset(s) }
        keyTable.retain(keyId)
        openCount += 1
        if end != .max { heap.push(end: end, sequence: slotSequence[s], slot: slot) }
        return slot
    }

    func free(_ slot: Int32) {
        let s = Int(slot)
        slotLive[s] = false
        openCount -= 1
        let keyId = Int(slotKey[s])
        keyTable.release(keyId)
        if case .session = window?.kind {
            sessions[slotKey[s]]?.removeAll { $0 == slot }
            if sessions[slotKey[s]]?.isEmpty == true { sessions[slotKey[s]] = nil }
        } else {
            windowIndex[WindowKey(key: slotKey[s], start: slotStart[s])] = nil
        }
        freeSlots.append(slot)
    }

    // MARK: Emitting

    /// Calls `emit` for each window the watermark has made final, in order of
    /// end then creation, and frees it.
    func drainClosed(_ emit: (Int32) -> Void) {
        let watermark = watermarkMs
        while let top = heap.peek(), top.end <= watermark {
            heap.pop()
            let s = Int(top.slot)
            guard slotLive[s], slotEnd[s] == top.end, slotSequence[s] == top.sequence else { continue }  // stale
            if !emitChanges { emit(top.slot) }
            free(top.slot)
        }
        compactKeysIfWorthwhile()
    }

    /// Calls `emit` for every open group (end of a bounded query), in order of
    /// window end then creation, and frees them.
    func drainAll(_ emit: (Int32) -> Void) {
        var live = (0..<slotLive.count).filter { slotLive[$0] }
        live.sort { (slotEnd[$0], slotSequence[$0]) < (slotEnd[$1], slotSequence[$1]) }
        for s in live where !emitChanges { emit(Int32(s)) }
        for s in live { free(Int32(s)) }
    }

    /// For EMIT CHANGES: calls `emit` for each group changed since the last call.
    func drainChanged(_ emit: (Int32) -> Void) {
        for slot in changedSlots {
            slotChanged[Int(slot)] = false
            if slotLive[Int(slot)] { emit(slot) }
        }
        changedSlots.removeAll(keepingCapacity: true)
    }

    /// Writes slot's group keys, aggregates and window bounds into row `row`.
    func write(_ slot: Int32, keys: [ColumnVector], aggregates: [ColumnVector], windowStart: ColumnVector, windowEnd: ColumnVector, row: Int) {
        let s = Int(slot)
        keyTable.withKey(Int(slotKey[s])) { codec.decode($0, into: keys, row) }
        for (i, state) in states.enumerated() { state.write(s, into: aggregates[i], row) }
        if window != nil {
            windowStart.set(row, int: slotStart[s])
            windowEnd.set(row, int: slotEnd[s])
        } else {
            windowStart.setNull(row)
            windowEnd.setNull(row)
        }
    }

    private func compactKeysIfWorthwhile() {
        guard keyTable.wantsCompaction else { return }
        let remap = keyTable.compact()
        for s in 0..<slotKey.count where slotLive[s] { slotKey[s] = Int32(remap[Int(slotKey[s])]) }
        latestStart = [Int64](repeating: .min, count: keyTable.count)
        latestSlot = [Int32](repeating: -1, count: keyTable.count)
        windowIndex = Dictionary(uniqueKeysWithValues: windowIndex.compactMap { key, slot in
            slotLive[Int(slot)] ? (WindowKey(key: slotKey[Int(slot)], start: key.start), slot) : nil
        })
        var remapped: [Int32: [Int32]] = [:]
        for (_, slots) in sessions { for slot in slots where slotLive[Int(slot)] { remapped[slotKey[Int(slot)], default: []].append(slot) } }
        sessions = remapped
    }
}

extension WindowAggregator {
    static let stateVersion: UInt8 = 2

    /// Serializes every open group window: key, bounds, order, aggregate states.
    func save(to writer: inout StateWriter) {
        writer.write(Self.stateVersion)
        watermark.save(to: &writer)
        writer.write(Int64(lateRecords))
        writer.write(nextSequence)
        writer.write(UInt32(states.count))
        let live = (0..<slotLive.count).filter { slotLive[$0] }
        writer.write(UInt32(live.count))
        for s in live {
            keyTable.withKey(Int(slotKey[s])) { writer.write($0) }
            writer.write(slotStart[s])
            writer.write(slotEnd[s])
            writer.write(slotSequence[s])
            writer.write(slotChanged[s])
            for state in states { state.save(s, to: &writer) }
        }
    }

    /// Restores what `save` wrote into an empty aggregator of the same query.
    func load(from reader: inout StateReader) throws(StateError) {
        try reader.expectVersion(Self.stateVersion, of: "window aggregate")
        guard openCount == 0 else { throw .mismatch("restoring into a running aggregate") }
        try watermark.load(from: &reader)
        lateRecords = Int(try reader.readInt64())
        let sequence = try reader.readUInt64()
        guard Int(try reader.readUInt32()) == states.count else { throw .mismatch("a different number of aggregates") }
        let count = Int(try reader.readUInt32())
        for _ in 0..<count {
            let key = try reader.readBytes()
            let start = try reader.readInt64(), end = try reader.readInt64()
            let slotSequenceValue = try reader.readUInt64()
            let changed = try reader.readBool()
            let keyId = key.withUnsafeBytes { keyTable.id(for: $0, hash: hashBytes($0)) }
            while latestStart.count <= keyId {
                latestStart.append(.min)
                latestSlot.append(-1)
            }
            let slot: Int32
            do throws(RuntimeError) { slot = try newSlot(keyId: keyId, start: start, end: end) } catch { throw .mismatch(error.description) }
            let s = Int(slot)
            slotSequence[s] = slotSequenceValue
            if end != .max { heap.push(end: end, sequence: slotSequenceValue, slot: slot) }
            if case .session = window?.kind {
                sessions[Int32(keyId), default: []].append(slot)
            } else {
                windowIndex[WindowKey(key: Int32(keyId), start: start)] = slot
            }
            for state in states { try state.load(s, from: &reader) }
            if changed && emitChanges {
                slotChanged[s] = true
                changedSlots.append(slot)
            }
        }
        nextSequence = sequence
    }
}

/// ⌊t / m⌋ · m, also for negative t.
/// The largest multiple of `m` (> 0) at or below `t`; nil when it is below Int64.min.
@inline(__always) func floorMultiple(_ t: Int64, _ m: Int64) -> Int64? {
    let r = t % m
    return r < 0 ? checkedSum(t - r, -m) : t - r
}

/// a + b, or nil when it overflows (b = -Int64.min never occurs: sizes are > 0).
@inline(__always) func checkedSum(_ a: Int64, _ b: Int64) -> Int64? {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? nil : sum
}

/// A binary min-heap of (end, sequence, slot).
struct EmissionHeap {
    struct Entry {
        var end: Int64
        var sequence: UInt64
        var slot: Int32
    }

    private var entries: [Entry] = []

    @inline(__always) private func less(_ a: Entry, _ b: Entry) -> Bool {
        a.end < b.end || (a.end == b.end && a.sequence < b.sequence)
    }

    mutating func push(end: Int64, sequence: UInt64, slot: Int32) {
        entries.append(Entry(end: end, sequence: sequence, slot: slot))
        var i = entries.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(entries[i], entries[parent]) else { break }
            entries.swapAt(i, parent)
            i = parent
        }
    }

    func peek() -> Entry? { entries.first }

    mutating func pop() {
        guard !entries.isEmpty else { return }
        entries.swapAt(0, entries.count - 1)
        entries.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < entries.count && less(entries[l], entries[smallest]) { smallest = l }
            if r < entries.count && less(entries[r], entries[smallest]) { smallest = r }
            if smallest == i { break }
            entries.swapAt(i, smallest)
            i = smallest
        }
    }
}
