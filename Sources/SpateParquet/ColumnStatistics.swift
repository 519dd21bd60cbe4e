// ColumnStatistics.swift — null count and min/max of a page or a column chunk,
// and their Thrift `Statistics` struct.
//
// Layer: SpateParquet (internal). Written into every data page header and every
// column chunk's metadata, so readers can skip pages and row groups by range.
// The rules (parquet.thrift, `Statistics` and `ColumnOrder`):
//
// - min_value/max_value (fields 6/5) hold PLAIN-encoded values: 8 bytes little
//   endian for INT64 and DOUBLE, one byte 0/1 for BOOLEAN, the raw UTF-8 bytes
//   (no length prefix) for strings. The deprecated fields 1/2 are not written.
// - The order is the type's: signed for INT64 (BIGINT and TIMESTAMP), numeric
//   for DOUBLE, false < true, unsigned byte-wise lexicographic for strings
//   (the footer's column_orders says TypeDefinedOrder for every column).
// - Doubles: NaN takes no part in min/max; a zero minimum is written as -0.0 and a
//   zero maximum as +0.0, so a reader comparing against either zero is right.
// - No min/max when the page or chunk has no non-null, non-NaN value.
// - They are exact (not truncated), which fields 7/8 say.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The statistics of a run of one column's values.
struct ColumnStatistics {
    /// The smallest and largest non-null (and non-NaN) value, by the column type's order.
    enum Bounds {
        case int64(min: Int64, max: Int64)
        case double(min: Double, max: Double)
        case boolean(min: Bool, max: Bool)
        case bytes(min: [UInt8], max: [UInt8])
    }

    var nullCount: Int
    var bounds: Bounds?

    // MARK: Computing bounds

    static func bounds(int64 values: UnsafeBufferPointer<Int64>) -> Bounds? {
        guard var low = values.first else { return nil }
        var high = low
        for value in values {
            low = min(low, value)
            high = max(high, value)
        }
        return .int64(min: low, max: high)
    }

    static func bounds(double values: UnsafeBufferPointer<Double>) -> Bounds? {
        var low = Double.infinity
        var high = -Double.infinity
        var seen = false
        for value in values where !value.isNaN {
            seen = true
            if value < low { low = value }
            if value > high { high = value }
        }
        return seen ? .double(min: low, max: high) : nil
    }

    /// `values` are bytes 0 or 1.
    static func bounds(boolean values: UnsafeBufferPointer<UInt8>) -> Bounds? {
        guard !values.isEmpty else { return nil }
        var any: UInt8 = 0
        var all: UInt8 = 1
        for value in values {
            any |= value
            all &= value
        }
        return .boolean(min: all == 1, max: any == 1)
    }

    /// `plain` is a run of PLAIN-encoded BYTE_ARRAY values (4-byte length, bytes).
    static func bounds(plainStrings plain: UnsafeRawBufferPointer) -> Bounds? {
        guard !plain.isEmpty else { return nil }
        var low = plainString(plain, at: 0)
        var high = low
        var offset = 4 + low.count
        while offset < plain.count {
            let value = plainString(plain, at: offset)
            if compareBytes(value, low) < 0 { low = value }
            if compareBytes(value, high) > 0 { high = value }
            offset += 4 + value.count
        }
        return .bytes(min: Array(low), max: Array(high))
    }

    // MARK: Combining

    /// Adds the statistics of the values that follow these (a chunk's next page).
    mutating func merge(_ other: ColumnStatistics) {
        nullCount += other.nullCount
        guard let theirs = other.bounds else { return }
        guard let ours = bounds else { bounds = theirs; return }
        switch (ours, theirs) {
        case let (.int64(a, b), .int64(c, d)):
            bounds = .int64(min: min(a, c), max: max(b, d))
        case let (.double(a, b), .double(c, d)):
            bounds = .double(min: min(a, c), max: max(b, d))
        case let (.boolean(a, b), .boolean(c, d)):
            bounds = .boolean(min: a && c, max: b || d)
        case let (.bytes(a, b), .bytes(c, d)):
            let low = a.withUnsafeBytes { a in c.withUnsafeBytes { c in Self.compareBytes(c, a) < 0 } }
            let high = b.withUnsafeBytes { b in d.withUnsafeBytes { d in Self.compareBytes(d, b) > 0 } }
            bounds = .bytes(min: low ? c : a, max: high ? d : b)
        default:
            preconditionFailure("statistics of different types merged")
        }
    }

    // MARK: Thrift

    /// Writes the fields of a `Statistics` struct.
    func writeFields(to thrift: inout ThriftCompactWriter) {
        thrift.field(3, i64: Int64(nullCount))
        guard let bounds else { return }
        let (low, high) = Self.plainMinMax(bounds)
        thrift.field(5, binary: high)
        thrift.field(6, binary: low)
        thrift.field(7, bool: true)  // is_max_value_exact
        thrift.field(8, bool: true)  // is_min_value_exact
    }

    /// The PLAIN encodings of min and max.
    static func plainMinMax(_ bounds: Bounds) -> (min: [UInt8], max: [UInt8]) {
        switch bounds {
        case let .int64(low, high):
            return (littleEndianBytes(low), littleEndianBytes(high))
        case let .double(low, high):
            let low = low == 0 ? -0.0 : low
            let high = high == 0 ? 0.0 : high
            return (littleEndianBytes(low.bitPattern), littleEndianBytes(high.bitPattern))
        case let .boolean(low, high):
            return ([low ? 1 : 0], [high ? 1 : 0])
        case let .bytes(low, high):
            return (low, high)
        }
    }

    private static func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    /// The UTF-8 bytes of the PLAIN BYTE_ARRAY value at `offset`.
    @inline(__always)
    private static func plainString(_ plain: UnsafeRawBufferPointer, at offset: Int) -> UnsafeRawBufferPointer {
        let length = Int(UInt32(littleEndian: plain.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        return UnsafeRawBufferPointer(rebasing: plain[(offset + 4)..<(offset + 4 + length)])
    }

    /// Unsigned lexicographic comparison: negative, zero or positive as `a` <, =, > `b`.
    @inline(__always)
    private static func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let common = min(a.count, b.count)
        if common > 0, let pa = a.baseAddress, let pb = b.baseAddress {
            let order = memcmp(pa, pb, common)
            if order != 0 { return Int(order) }
        }
        return a.count - b.count
    }
}
