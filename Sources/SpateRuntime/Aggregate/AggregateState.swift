// The running state of one aggregate function for every open group window
// ("slot"), stored column-wise: one array per field of the state, indexed by
// slot. A batch updates a state with one loop over (row, slot) pairs, per
// aggregate — not one virtual call per row per aggregate. Session windows that
// merge fold one slot's state into another (`merge`).

import SpateSQL

/// The (row, slot) pairs of a batch: row `rows[k]` goes to slot `slots[k]`.
final class SlotAssignments {
    /// Pairs recorded, and room for.
    private(set) var count = 0
    private var capacity: Int
    private(set) var rows: UnsafeMutablePointer<Int32>
    private(set) var slots: UnsafeMutablePointer<Int32>

    init(capacity: Int = batchRowCapacity) {
        self.capacity = max(1, capacity)
        rows = .allocate(capacity: self.capacity)
        slots = .allocate(capacity: self.capacity)
    }

    deinit {
        rows.deallocate()
        slots.deallocate()
    }

    @inline(__always) func removeAll() { count = 0 }

    @inline(__always) func append(row: Int, slot: Int) {
        if count == capacity { grow() }
        rows[count] = Int32(row)
        slots[count] = Int32(slot)
        count += 1
    }

    /// A hopping window puts a row in several slots: more pairs than rows.
    private func grow() {
        capacity *= 2
        let newRows = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
        let newSlots = UnsafeMutablePointer<Int32>.allocate(capacity: capacity)
        newRows.update(from: rows, count: count)
        newSlots.update(from: slots, count: count)
        rows.deallocate()
        slots.deallocate()
        rows = newRows
        slots = newSlots
    }
}

/// State of one aggregate across slots.
class AggregateState {
    let plan: AggregatePlan
    init(plan: AggregatePlan) { self.plan = plan }

    /// Makes room for slots 0..<slotCount.
    func ensureCapacity(_ slotCount: Int) {}
    /// Empties a slot for a new group window.
    func reset(_ slot: Int) {}
    /// Folds the argument values of the assigned rows into their slots.
    func update(_ assignments: SlotAssignments, _ argument: ColumnVector?) {}
    /// Folds slot `source` into slot `target` (session windows merging).
    func merge(into target: Int, from source: Int) {}
    /// Writes slot's final value into `vector` at `row`.
    func write(_ slot: Int, into vector: ColumnVector, _ row: Int) {}
    /// Serializes one slot's state (job checkpoints).
    func save(_ slot: Int, to writer: inout StateWriter) {}
    /// Restores one slot's state written by `save` (the slot is reset first).
    func load(_ slot: Int, from reader: inout StateReader) throws(StateError) {}

    static func make(_ plan: AggregatePlan) -> AggregateState {
        switch plan.function {
        case .countStar, .count: return CountState(plan: plan)
        case .sum: return plan.type == .bigint ? IntegerSumState(plan: plan) : SumState(plan: plan)
        case .avg: return SumState(plan: plan)
        case .min, .max: return ExtremeState(plan: plan)
        case .stddev, .stddevPop: return VarianceState(plan: plan)
        case .first, .last: return FirstLastState(plan: plan)
        case .countDistinct: return DistinctCountState(plan: plan)
        case .approxPercentile: return PercentileState(plan: plan)
        }
    }
}

/// COUNT(*) and COUNT(x).
final class CountState: AggregateState {
    @exclusivity(unchecked) var counts: [Int64] = []

    override func ensureCapacity(_ n: Int) { if counts.count < n { counts.append(contentsOf: repeatElement(0, count: n - counts.count)) } }
    override func reset(_ slot: Int) { counts[slot] = 0 }

    override func update(_ a: SlotAssignments, _ argument: ColumnVector?) {
        counts.withUnsafeMutableBufferPointer { counts in
            if let argument {
                let isNull = argument.isNull
                for k in 0..<a.count where !isNull[Int(a.rows[k])] { counts[Int(a.slots[k])] += 1 }
            } else {
                for k in 0..<a.count { counts[Int(a.slots[k])] += 1 }
            }
        }
    }

    override func merge(into target: Int, from source: Int) { counts[target] += counts[source] }
    override func write(_ slot: Int, into vector: ColumnVector, _ row: Int) { vector.set(row, int: counts[slot]) }
    override func save(_ slot: Int, to writer: inout StateWriter) { writer.write(counts[slot]) }
    override func load(_ slot: Int, from reader: inout StateReader) throws(StateError) { counts[slot] = try reader.readInt64() }
}

/// SUM over doubles, and AVG (sum and count).
final class SumState: AggregateState {
    @exclusivity(unchecked) var sums: [Double] = []
    @exclusivity(unchecked) var counts: [Int64] = []

    override func ensureCapacity(_ n: Int) {
        if sums.count < n {
            sums.append(contentsOf: repeatElement(0, count: n - sums.count))
            counts.append(contentsOf: repeatElement(0, count: n - counts.count))
        }
    }

    override func reset(_ slot: Int) { sums[slot] = 0; counts[slot] = 0 }

    override func update(_ a: SlotAssignments, _ argument: ColumnVector?) {
        guard let argument else { return }
        let v = argument.view
        sums.withUnsafeMutableBufferPointer { sums in
            counts.withUnsafeMutableBufferPointer { counts in
                for k in 0..<a.count {
                    let row = Int(a.rows[k])
                    if v.isNull[row] { continue }
                    let slot = Int(a.slots[k])
                    sums[slot] += v.number(row)
                    counts[slot] += 1
                }
            }
        }
    }

    override func merge(into target: Int, from source: Int) {
        sums[target] += sums[source]
        counts[target] += counts[source]
    }

    override func write(_ slot: Int, into vector: ColumnVector, _ row: Int) {
        if counts[slot] == 0 { vector.setNull(row); return }
        vector.set(row, double: plan.function == .avg ? sums[slot] / Double(counts[slot]) : sums[slot])
    }

    override func save(_ slot: Int, to writer: inout StateWriter) {
        writer.write(sums[slot])
        writer.write(counts[slot])
    }

    override func load(_ slot: Int, from reader: inout StateReader) throws(StateError) {
        sums[slot] = try reader.readDouble()
        counts[slot] = try reader.readInt64()
    }
}

/// SUM over BIGINT: exact; NULL on overflow.
final class IntegerSumState: AggregateState {
    @exclusivity(unchecked) var sums: [Int64] = []
    @exclusivity(unchecked) var counts: [Int64] = []
    @exclusivity(unchecked) var overflowed: [Bool] = []

    override func ensureCapacity(_ n: Int) {
        if sums.count < n {
            sums.append(contentsOf: repeatElement(0, count: n - sums.count))
            counts.append(contentsOf: repeatElement(0, count: n - counts.count))
            overflowed.append(contentsOf: repeatElement(false, count: n - overflowed.count))
        }
    }

    override func reset(_ slot: Int) { sums[slot] = 0; counts[slot] = 0; overflowed[slot] = false }

    private func add(_ slot: Int, _ value: Int64, _ count: Int64) {
        let (sum, overflow) = sums[slot].addingReportingOverflow(value)
        sums[slot] = sum
        if overflow { overflowed[slot] = true }
        counts[slot] += count
    }

    override func update(_ a: SlotAssignments, _ argument: ColumnVector?) {
        guard let argument else { return }
        for k in 0..<a.count where !argument.isNull[Int(a.rows[k])] {
            add(Int(a.slots[k]), argument.ints[Int(a.rows[k])], 1)
        }
    }

    override func merge(into target: Int, from source: Int) {
        add(target, sums[source], counts[source])
        if overflowed[source] { overflowed[target] = true }
    }

    override func write(_ slot: Int, into vector: ColumnVector, _ row: Int) {
        if counts[slot] == 0 || overflowed[slot] { vector.setNull(row) } else { vector.set(row, int: sums[slot]) }
    }

    override func save(_ slot: Int, to writer: inout StateWriter) {
        writer.write(sums[slot])
        writer.write(counts[slot])
        writer.write(overflowed[slot])
    }

    override func load(_ slot: Int, from reader: inout StateReader) throws(StateError) {
        sums[slot] = try reader.readInt64()
        counts[slot] = try reader.readInt64()
        overflowed[slot] = try reader.readBool()
    }
}

/// MIN and MAX of any type.
final class ExtremeState: AggregateState {
    @exclusivity(unchecked) var numbers: [Double] = []
    @exclusivity(unchecked) var ints: [Int64] = []
    @exclusivity(unchecked) var strings: [[UInt8]] = []
    @exclusivity(unchecked) var present: [Bool] = []
    var isMax: Bool { plan.function == .max }

    override func ensureCapacity(_ n: Int) {
        guard present.count < n else { return }
        let extra = n - present.count
        present.append(contentsOf: repeatElement(false, count: extra))
        switch plan.type {
        case .double: numbers.append(contentsOf: repeatElement(0, count: extra))
        case .string: strings.append(contentsOf: repeatElement([], count: extra))
        default: ints.append(contentsOf: repeatElement(0, count: extra))
        }
    }

    override func reset(_ slot: Int) {
        present[slot] = false
        if plan.type == .string { strings[slot].removeAll(keepingCapacity: true) }
    }

    override func update(_ a: SlotAssignments, _ argument: ColumnVector?) {
        guard let argument else { return }
        if plan.type == .double {
            let v = argument.view
            let isMax = self.isMax
            numbers.withUnsafeMutableBufferPointer { numbers in
                present.withUnsafeMutableBufferPointer { present in
                    for k in 0..<a.count {
                        let row = Int(a.rows[k])
                        if v.isNull[row] { continue }
                        let slot = Int(a.slots[k]), x = v.number(row)
                        if !present[slot] || (isMax ? x > numbers[slot] : x < numbers[slot]) { numbers[slot] = x }
                        present[slot] = true
                    }
                }
            }
            return
        }
        for k in 0..<a.count {
            let row = Int(a.rows[k])
            if argument.isNull[row] { continue }
            fold(Int(a.slots[k]), argument, row)
        }
    }

    private func fold(_ slot: Int, _ v: ColumnVector, _ row: Int) {
        switch plan.type {
        case .double:
            let x = v.number(row)
            if !present[slot] || (isMax ? x > numbers[slot] : x < numbers[slot]) { numbers[slot] = x }
        case .string:
            v.withString(row) { bytes in
                let better = !present[slot] || strings[slot].withUnsafeBytes { compareBytes(bytes, $0) } * (isMax ? 1 : -1) > 0
                if better {
                    strings[slot].removeAll(keepingCapacity: true)
                    strings[slot].append(contentsOf: bytes)
                }
            }
        case .boolean:
            let x: Int64 = v.bools[row] ? 1 : 0
            if !present[slot] || (isMax ? x > ints[slot] : x < ints[slot]) { ints[slot] = x }
        default:
            let x = v.ints[row]
            if !present[slot] || (isMax ? x > ints[slot] : x < ints[slot]) { ints[slot] = x }
        }
        present[slot] = true
    }

    override func merge(into target: Int, from source: Int) {
        guard present[source] else { return }
        let temp = ColumnVector(type: plan.type == .null ? .string : plan.type, capacity: 1)
        temp.reset(count: 1)
        write(source, into: temp, 0)
        fold(target, temp, 0)
    }

    override func write(_ slot: Int, into vector: ColumnVector, _ row: Int) {
        guard present[slot] else { vector.setNull(row); return }
        switch plan.type {
        case .double: vector.set(row, double: numbers[slot])
        case .string: strings[slot].withUnsafeBytes { vector.set(row, string: $0) }
        case .boolean: vector.set(row, bool: ints[slot] != 0)
        default: vector.set(row, int: ints[slot])
        }
    }

    override func save(_ slot: Int, to writer: inout StateWriter) {
        writer.write(present[slot])
        switch plan.type {
        case .double: writer.write(numbers[slot])
        case .string: writer.write(strings[slot])
        default: writer.write(ints[slot])
        }
    }

    override func load(_ slot: Int, from reader: inout StateReader) throws(StateError) {
        present[slot] = try reader.readBool()
        switch plan.type {
        case .double: numbers[slot] = try reader.readDouble()
        case .string: strings[slot] = try reader.readBytes()
        default: ints[slot] = try reader.readInt64()
        }
    }
}

/// STDDEV (sample) and STDDEV_POP, by Welford's online algorithm; merging by
/// Chan et al.'s pairwise formula.
final class VarianceState: AggregateState {
    @exclusivity(unchecked) var counts: [Double] = []
    @exclusivity(unchecked) var means: [Double] = []
    @exclusivity(unchecked) var m2s: [Double] = []

    override func ensureCapacity(_ n: Int) {
        if counts.count < n {
            let extra = n - counts.count
            counts.append(contentsOf: repeatElement(0, count: extra))
            means.append(contentsOf: repeatElement(0, count: extra))
            m2s.append(contentsOf: repeatElement(0, count: extra))
        }
    }

    override func reset(_ slot: Int) { counts[slot] = 0; means[slot] = 0; m2s[slot] = 0 }

    override func update(_ a: SlotAssignments, _ argument: ColumnVector?) {
        guard let argument else { return }
        let v = argument.view
        counts.withUnsafeMutableBufferPointer { counts in
            means.withUnsafeMutableBufferPointer { means in
                m2s.withUnsafeMutableBufferPointer { m2s in
                    for k in 0..<a.count {
                        let row = Int(a.rows[k])
                        if v.isNull[row] { continue }
                        let slot = Int(a.slots[k])
                        let x = v.number(row)
                        let n = counts[slot] + 1
                        let delta = x - means[slot]
                        let mean = means[slot] + delta / n
                        m2s[slot] += delta * (x - mean)
                        means[slot] = mean
                        counts[slot] = n
                    }
                }
            }
        }
    }

    override func merge(into target: Int, from source: Int) {
        let na = counts[target], nb = counts[source]
        assert(na >= 0 && nb >= 0 && m2s[target] >= -1e-9 * max(1, abs(means[target])) * na, "counts and squared deviations are not negative")
        guard nb > 0 else { return }
        let n = na + nb
        let delta = means[source] - means[target]
        means[target] += delta * nb / n
        m2s[target] += m2s[source] + delta * delta * na * nb / n
        counts[target] = n
    }

    override func write(_ slot: Int, into vector: ColumnVector, _ row: Int) {
        let n = counts[slot]
        let divisor = plan.function == .stddev ? n - 1 : n
        if divisor <= 0 { vector.setNull(row); return }
        vector.set(row, double: (max(0, m2s[slot]) / divisor).squareRoot())
    }

    override func save(_ slot: Int, to writer: inout StateWriter) {
        writer.write(counts[slot])
        writer.write(means[slot])
        writer.write(m2s[slot])
    }

    override func load(_ slot: Int, from reader: inout StateReader) throws(StateError) {
        counts[slot] = try reader.readDouble()
        means[slot] = try reader.readDouble()
        m2s[slot] = try reader.readDouble()
    }
}

/// FIRST and LAST, in processing (arrival) order.
final class FirstLastState: AggregateState {
    @exclusivity(unchecked) var values: [Value] = []

    override func ensureCapacity(_ n: Int) { if values.count < n { values.append(contentsOf: repeatElement(.null, count: n - values.count)) } }
    override func reset(_ slot: Int) { values[slot] = .null }

    override func update(_ a: SlotAssignments, _ argument: ColumnVector?) {
        guard let argument else { return }
        let isFirst = plan.function == .first
        for k in 0..<a.count {
            let row = Int(a.rows[k])
            if argument.isNull[row] { continue }
            let slot = Int(a.slots[k])
            if isFirst && !values[slot].isNull { continue }
            values[slot] = argument.value(row)
        }
    }

    override func merge(into target: Int, from source: Int) {
        // Sessions merge the later into the earlier: FIRST keeps the target's, LAST takes the source's.
        if plan.function == .first { if values[target].isNull { values[target] = values[source] } } else if !values[source].isNull { values[target] = values[source] }
    }

    override func write(_ slot: Int, into vector: ColumnVector, _ row: Int) { vector.set(row, value: values[slot]) }
    override func save(_ slot: Int, to writer: inout StateWriter) { writeValue(values[slot], to: &writer) }
    override func load(_ slot: Int, from reader: inout StateReader) throws(StateError) { values[slot] = try readValue(from: &reader) }
}

/// A `Value` in operator state: a type tag, then its payload.
func writeValue(_ value: Value, to writer: inout StateWriter) {
    switch value {
    case .null: writer.write(UInt8(0))
    case let .boolean(b): writer.write(UInt8(1)); writer.write(b)
    case let .bigint(i): writer.write(UInt8(2)); writer.write(i)
    case let .double(d): writer.write(UInt8(3)); writer.write(d)
    case let .string(s): writer.write(UInt8(4)); writer.write(s)
    case let .timestamp(t): writer.write(UInt8(5)); writer.write(t)
    }
}

func readValue(from reader: inout StateReader) throws(StateError) -> Value {
    switch try reader.readUInt8() {
    case 0: return .null
    case 1: return .boolean(try reader.readBool())
    case 2: return .bigint(try reader.readInt64())
    case 3: return .double(try reader.readDouble())
    case 4: return .string(try reader.readString())
    case 5: return .timestamp(try reader.readInt64())
    default: throw .mismatch("unknown value tag")
    }
}

/// COUNT(DISTINCT x): exact, over 64-bit hashes of the values (collisions are
/// negligible below billions of values); at most `valuesMax` per group.
final class DistinctCountState: AggregateState {
    static let valuesMax = 1_000_000
    @exclusivity(unchecked) var sets: [Set<UInt64>] = []

    override func ensureCapacity(_ n: Int) { if sets.count < n { sets.append(contentsOf: repeatElement([], count: n - sets.count)) } }
    override func reset(_ slot: Int) { sets[slot].removeAll(keepingCapacity: false) }

    override func update(_ a: SlotAssignments, _ argument: ColumnVector?) {
        guard let argument else { return }
        for k in 0..<a.count {
            let row = Int(a.rows[k])
            if argument.isNull[row] { continue }
            let slot = Int(a.slots[k])
            if sets[slot].count < Self.valuesMax { sets[slot].insert(hashValue(argument, row)) }
        }
    }

    override func merge(into target: Int, from source: Int) { sets[target].formUnion(sets[source]) }
    override func write(_ slot: Int, into vector: ColumnVector, _ row: Int) { vector.set(row, int: Int64(sets[slot].count)) }

    override func save(_ slot: Int, to writer: inout StateWriter) {
        writer.write(UInt32(sets[slot].count))
        for hash in sets[slot].sorted() { writer.write(hash) }
    }

    override func load(_ slot: Int, from reader: inout StateReader) throws(StateError) {
        let count = Int(try reader.readUInt32())
        var set = Set<UInt64>(minimumCapacity: count)
        for _ in 0..<count { set.insert(try reader.readUInt64()) }
        sets[slot] = set
    }
}

/// A 64-bit hash of a vector's value (FNV-1a over its bytes), stable across runs.
func hashValue(_ vector: ColumnVector, _ row: Int) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    func mix(_ bytes: UnsafeRawBufferPointer) {
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    }
    switch vector.type {
    case .string: vector.withString(row) { mix($0) }
    case .double: withUnsafeBytes(of: vector.doubles[row] == 0 ? 0.0 : vector.doubles[row]) { mix($0) }
    case .boolean: withUnsafeBytes(of: vector.bools[row]) { mix($0) }
    default: withUnsafeBytes(of: vector.ints[row]) { mix($0) }
    }
    return h
}

/// APPROX_PERCENTILE(x, p): a deterministic compacting sketch. Values are kept
/// exactly up to `capacity`; beyond that the buffer is sorted and every other
/// value kept with twice the weight (the rank error stays below about
/// levels / capacity). Memory per group: at most `capacity` doubles.
final class PercentileState: AggregateState {
    static let capacity = 2048
    @exclusivity(unchecked) var buffers: [[Double]] = []
    @exclusivity(unchecked) var weights: [Double] = []
    @exclusivity(unchecked) var compactions: [Int] = []

    override func ensureCapacity(_ n: Int) {
        if buffers.count < n {
            let extra = n - buffers.count
            buffers.append(contentsOf: repeatElement([], count: extra))
            weights.append(contentsOf: repeatElement(1, count: extra))
            compactions.append(contentsOf: repeatElement(0, count: extra))
        }
    }

    override func reset(_ slot: Int) { buffers[slot].removeAll(keepingCapacity: false); weights[slot] = 1; compactions[slot] = 0 }

    private func add(_ slot: Int, _ x: Double) {
        buffers[slot].append(x)
        if buffers[slot].count >= Self.capacity {
            buffers[slot].sort()
            let offset = compactions[slot] & 1  // alternate which half is kept, to stay unbiased
            buffers[slot] = stride(from: offset, to: buffers[slot].count, by: 2).map { buffers[slot][$0] }
            weights[slot] *= 2
            compactions[slot] += 1
        }
    }

    override func update(_ a: SlotAssignments, _ argument: ColumnVector?) {
        guard let argument else { return }
        for k in 0..<a.count where !argument.isNull[Int(a.rows[k])] {
            add(Int(a.slots[k]), argument.number(Int(a.rows[k])))
        }
    }

    override func merge(into target: Int, from source: Int) {
        // Weights may differ; replicate the lighter side's values to match (bounded by capacity).
        for x in buffers[source] {
            let copies = max(1, Int(weights[source] / weights[target]))
            for _ in 0..<copies { add(target, x) }
        }
    }

    override func write(_ slot: Int, into vector: ColumnVector, _ row: Int) {
        let values = buffers[slot].sorted()
        guard !values.isEmpty else { vector.setNull(row); return }
        let p = plan.parameter ?? 0.5
        // Nearest rank: the smallest value with at least p of the values at or below it.
        let rank = max(1, Int((p * Double(values.count)).rounded(.up)))
        vector.set(row, double: values[min(values.count, rank) - 1])
    }

    override func save(_ slot: Int, to writer: inout StateWriter) {
        writer.write(weights[slot])
        writer.write(Int64(compactions[slot]))
        writer.write(UInt32(buffers[slot].count))
        for x in buffers[slot] { writer.write(x) }
    }

    override func load(_ slot: Int, from reader: inout StateReader) throws(StateError) {
        weights[slot] = try reader.readDouble()
        compactions[slot] = Int(try reader.readInt64())
        let count = Int(try reader.readUInt32())
        var values: [Double] = []
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try reader.readDouble()) }
        buffers[slot] = values
    }
}
