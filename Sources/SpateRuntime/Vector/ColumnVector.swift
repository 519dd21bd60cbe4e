// A column of values for one batch of rows, in a typed array (DuckDB's
// "vector"): doubles, 64-bit integers (BIGINT and TIMESTAMP ms), booleans, or
// strings as ranges into a byte arena the vector owns. A parallel array marks
// NULLs. Operators fill and read vectors a whole batch at a time; a vector is
// reused from batch to batch, so steady-state processing allocates nothing.
//
// Invariant: for every row i < count, `isNull[i]` is set, and the typed slot
// for row i holds a value when it is false (and is unspecified when true).

import SpateSQL

/// One typed column of a batch.
public final class ColumnVector {
    public let type: ValueType
    public let capacity: Int
    @exclusivity(unchecked) public internal(set) var count = 0

    // Fixed-size storage, allocated once: element access through a pointer has
    // no uniqueness or exclusivity check (measured: those checks cost more than
    // the work in the per-record loops when these were arrays). Only the
    // array for the vector's type has `capacity` elements.
    let isNull: UnsafeMutablePointer<Bool>
    let doubles: UnsafeMutablePointer<Double>
    let ints: UnsafeMutablePointer<Int64>
    let bools: UnsafeMutablePointer<Bool>
    let stringStarts: UnsafeMutablePointer<Int32>
    let stringCounts: UnsafeMutablePointer<Int32>
    /// The strings' bytes, a growable buffer emptied by `reset`.
    @exclusivity(unchecked) private(set) var arena: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var arenaCapacity: Int
    @exclusivity(unchecked) private var arenaCount = 0

    public init(type: ValueType, capacity: Int) {
        self.type = type
        self.capacity = capacity
        func storage<T>(_ needed: Bool, _ zero: T) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: needed ? capacity : 1)
            p.initialize(repeating: zero, count: needed ? capacity : 1)
            return p
        }
        isNull = storage(true, true)
        doubles = storage(type == .double, 0)
        ints = storage(type == .bigint || type == .timestamp, 0)
        bools = storage(type == .boolean, false)
        stringStarts = storage(type == .string, 0)
        stringCounts = storage(type == .string, 0)
        arenaCapacity = type == .string ? capacity * 16 : 1
        arena = .allocate(capacity: arenaCapacity)
    }

    deinit {
        isNull.deallocate()
        doubles.deallocate()
        ints.deallocate()
        bools.deallocate()
        stringStarts.deallocate()
        stringCounts.deallocate()
        arena.deallocate()
    }

    /// A non-owning view of the storage, for loops that must not retain the vector per row.
    var view: VectorView { VectorView(self) }

    @inline(__always) private func appendToArena(_ value: UnsafeRawBufferPointer) {
        if arenaCount + value.count > arenaCapacity {
            var newCapacity = arenaCapacity * 2
            while newCapacity < arenaCount + value.count { newCapacity *= 2 }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            grown.update(from: arena, count: arenaCount)
            arena.deallocate()
            arena = grown
            arenaCapacity = newCapacity
        }
        if value.count > 0 { (arena + arenaCount).update(from: value.baseAddress!.assumingMemoryBound(to: UInt8.self), count: value.count) }
        arenaCount += value.count
    }

    /// Empties the vector for a new batch of `count` rows.
    func reset(count: Int) {
        precondition(count <= capacity, "batch larger than vector capacity")
        self.count = count
        arenaCount = 0
    }

    // MARK: Writing

    @inline(__always) func setNull(_ row: Int) { isNull[row] = true }

    @inline(__always) func set(_ row: Int, double value: Double) {
        doubles[row] = value
        isNull[row] = false
    }

    @inline(__always) func set(_ row: Int, int value: Int64) {
        ints[row] = value
        isNull[row] = false
    }

    @inline(__always) func set(_ row: Int, bool value: Bool) {
        bools[row] = value
        isNull[row] = false
    }

    /// Copies `value` into the arena as row `row`'s string.
    @inline(__always) func set(_ row: Int, string value: UnsafeRawBufferPointer) {
        stringStarts[row] = Int32(arenaCount)
        stringCounts[row] = Int32(value.count)
        appendToArena(value)
        isNull[row] = false
    }

    func set(_ row: Int, string value: String) {
        var value = value
        value.withUTF8 { set(row, string: UnsafeRawBufferPointer($0)) }
    }

    /// Starts a string for `row` that the caller appends to with `appendToString`.
    @inline(__always) func beginString(_ row: Int) {
        stringStarts[row] = Int32(arenaCount)
        stringCounts[row] = 0
        isNull[row] = false
    }

    @inline(__always) func appendToString(_ row: Int, _ value: UnsafeRawBufferPointer) {
        appendToArena(value)
        stringCounts[row] += Int32(value.count)
    }

    /// Sets row `row` from a `Value` (used for constants and keys, not per input row).
    func set(_ row: Int, value: Value) {
        switch value {
        case .null: setNull(row)
        case let .boolean(b): set(row, bool: b)
        case let .bigint(i): set(row, int: i)
        case let .timestamp(i): set(row, int: i)
        case let .double(d):
            if type == .double { set(row, double: d) } else if let i = checkedInt64(d) { set(row, int: i) } else { setNull(row) }
        case let .string(s): set(row, string: s)
        }
    }

    /// Copies row `source` of `other` (same type) into row `row`.
    func copy(_ row: Int, from other: ColumnVector, _ source: Int) {
        if other.isNull[source] { setNull(row); return }
        switch type {
        case .double: set(row, double: other.doubles[source])
        case .bigint, .timestamp: set(row, int: other.ints[source])
        case .boolean: set(row, bool: other.bools[source])
        case .string: other.withString(source) { set(row, string: $0) }
        case .null: setNull(row)
        }
    }

    // MARK: Reading

    /// Calls `body` with the bytes of row `row`'s string.
    @inline(__always) func withString<T>(_ row: Int, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let start = Int(stringStarts[row]), length = Int(stringCounts[row])
        return try body(UnsafeRawBufferPointer(start: arena + start, count: length))
    }

    func string(_ row: Int) -> String { withString(row) { String(decoding: $0, as: UTF8.self) } }

    /// Row `row` as a `Value` (for output rows, not the per-record path).
    public func value(_ row: Int) -> Value {
        if isNull[row] { return .null }
        switch type {
        case .double: return .double(doubles[row])
        case .bigint: return .bigint(ints[row])
        case .timestamp: return .timestamp(ints[row])
        case .boolean: return .boolean(bools[row])
        case .string: return .string(string(row))
        case .null: return .null
        }
    }

    /// Numeric value of row `row` as a Double (BIGINT/TIMESTAMP widened).
    @inline(__always) func number(_ row: Int) -> Double {
        type == .double ? doubles[row] : Double(ints[row])
    }
}

/// A non-owning view of a column vector's storage: plain pointers, so a loop
/// over rows does no reference counting. Valid while the vector lives (the
/// pipeline owns its vectors for the whole query).
struct VectorView {
    let type: ValueType
    let isNull: UnsafeMutablePointer<Bool>
    let doubles: UnsafeMutablePointer<Double>
    let ints: UnsafeMutablePointer<Int64>
    let bools: UnsafeMutablePointer<Bool>
    let stringStarts: UnsafeMutablePointer<Int32>
    let stringCounts: UnsafeMutablePointer<Int32>
    /// The vector itself, for its string arena (which moves when it grows);
    /// called through `_withUnsafeGuaranteedRef`, so no retain per row.
    private let vector: Unmanaged<ColumnVector>

    init(_ vector: ColumnVector) {
        type = vector.type
        isNull = vector.isNull
        doubles = vector.doubles
        ints = vector.ints
        bools = vector.bools
        stringStarts = vector.stringStarts
        stringCounts = vector.stringCounts
        self.vector = .passUnretained(vector)
    }

    /// Row `row`'s string bytes (valid until the vector is reset or appended to).
    @inline(__always) func string(_ row: Int) -> UnsafeRawBufferPointer {
        vector._withUnsafeGuaranteedRef { UnsafeRawBufferPointer(start: $0.arena + Int(stringStarts[row]), count: Int(stringCounts[row])) }
    }

    @inline(__always) func number(_ row: Int) -> Double {
        type == .double ? doubles[row] : Double(ints[row])
    }

    /// Copies `value` into the vector's arena as row `row`'s string.
    @inline(__always) func set(_ row: Int, string value: UnsafeRawBufferPointer) {
        vector._withUnsafeGuaranteedRef { $0.set(row, string: value) }
    }
}
