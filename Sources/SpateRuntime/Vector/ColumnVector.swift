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
    public private(set) var capacity: Int
    public internal(set) var count = 0

    var isNull: [Bool]
    var doubles: [Double] = []
    var ints: [Int64] = []
    var bools: [Bool] = []
    var stringStarts: [Int32] = []
    var stringCounts: [Int32] = []
    var bytes: [UInt8] = []

    public init(type: ValueType, capacity: Int) {
        self.type = type
        self.capacity = capacity
        isNull = [Bool](repeating: true, count: capacity)
        switch type {
        case .double: doubles = [Double](repeating: 0, count: capacity)
        case .bigint, .timestamp: ints = [Int64](repeating: 0, count: capacity)
        case .boolean: bools = [Bool](repeating: false, count: capacity)
        case .string:
            stringStarts = [Int32](repeating: 0, count: capacity)
            stringCounts = [Int32](repeating: 0, count: capacity)
            bytes.reserveCapacity(capacity * 16)
        case .null: break
        }
    }

    /// Empties the vector for a new batch of `count` rows.
    func reset(count: Int) {
        precondition(count <= capacity, "batch larger than vector capacity")
        self.count = count
        if type == .string { bytes.removeAll(keepingCapacity: true) }
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
        stringStarts[row] = Int32(bytes.count)
        stringCounts[row] = Int32(value.count)
        bytes.append(contentsOf: value)
        isNull[row] = false
    }

    func set(_ row: Int, string value: String) {
        var value = value
        value.withUTF8 { set(row, string: UnsafeRawBufferPointer($0)) }
    }

    /// Starts a string for `row` that the caller appends to with `appendToString`.
    @inline(__always) func beginString(_ row: Int) {
        stringStarts[row] = Int32(bytes.count)
        stringCounts[row] = 0
        isNull[row] = false
    }

    @inline(__always) func appendToString(_ row: Int, _ value: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: value)
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
            if type == .double { set(row, double: d) } else { set(row, int: Int64(d)) }
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
        return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<start + length])) }
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
