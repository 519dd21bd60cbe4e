// The binary format of operator state in job checkpoints — windows, watermarks
// and detectors alike: little-endian fixed-width integers, IEEE-754 doubles by
// bit pattern (a restored value is bit-identical, NaN payloads and −0
// included), and length-prefixed byte strings (UInt32 length), written into
// one [UInt8]. No alignment and no varints: a reader that knows the layout
// walks it linearly. Each operator writes a format version first and refuses
// to read a version it does not know, so a checkpoint from another build fails
// clearly instead of being misread.
//
// Invariant: a reader never reads past its buffer; short or malformed state is
// a `StateError`, never a crash.

/// Appends values to a byte buffer.
public struct StateWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    @inline(__always) public mutating func write(_ value: UInt8) { bytes.append(value) }
    @inline(__always) public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }
    @inline(__always) public mutating func write(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    @inline(__always) public mutating func write(_ value: Int32) { write(UInt32(bitPattern: value)) }
    @inline(__always) public mutating func write(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    @inline(__always) public mutating func write(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    @inline(__always) public mutating func write(_ value: Double) { write(value.bitPattern) }

    /// Length-prefixed bytes.
    public mutating func write(_ value: UnsafeRawBufferPointer) {
        write(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func write(_ value: [UInt8]) { value.withUnsafeBytes { write($0) } }
    public mutating func write(_ value: String) { write(Array(value.utf8)) }

    /// The values one after another, without a length (the reader knows the count).
    public mutating func write(doubles values: UnsafeBufferPointer<Double>) {
        bytes.reserveCapacity(bytes.count + values.count * 8)
        for value in values { write(value) }
    }

    /// The values one after another, without a length (the reader knows the count).
    public mutating func write(int32s values: UnsafeBufferPointer<Int32>) {
        bytes.reserveCapacity(bytes.count + values.count * 4)
        for value in values { write(value) }
    }
}

/// Reads what a `StateWriter` wrote, in the same order; every read checks the bounds.
public struct StateReader {
    private let bytes: [UInt8]
    private var at = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isAtEnd: Bool { at == bytes.count }

    /// Bytes not read yet.
    public var remainingCount: Int { bytes.count - at }

    /// Advances over `count` bytes; returns where they start.
    private mutating func take(_ count: Int) throws(StateError) -> Int {
        guard count >= 0, bytes.count - at >= count else { throw .truncated }
        defer { at += count }
        return at
    }

    private mutating func fixed<T: FixedWidthInteger>(_: T.Type) throws(StateError) -> T {
        let start = try take(MemoryLayout<T>.size)
        return bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: start, as: T.self)) }
    }

    public mutating func readUInt8() throws(StateError) -> UInt8 { bytes[try take(1)] }
    public mutating func readBool() throws(StateError) -> Bool { try readUInt8() != 0 }
    public mutating func readUInt32() throws(StateError) -> UInt32 { try fixed(UInt32.self) }
    public mutating func readInt32() throws(StateError) -> Int32 { Int32(bitPattern: try fixed(UInt32.self)) }
    public mutating func readInt64() throws(StateError) -> Int64 { try fixed(Int64.self) }
    public mutating func readUInt64() throws(StateError) -> UInt64 { try fixed(UInt64.self) }
    public mutating func readDouble() throws(StateError) -> Double { Double(bitPattern: try fixed(UInt64.self)) }

    public mutating func readBytes() throws(StateError) -> [UInt8] {
        let count = Int(try readUInt32())
        let start = try take(count)
        return Array(bytes[start..<start + count])
    }

    public mutating func readString() throws(StateError) -> String { String(decoding: try readBytes(), as: UTF8.self) }

    /// A UInt32 count that must not exceed `max` (guards allocations against damaged state).
    public mutating func readCount(max: Int) throws(StateError) -> Int {
        let count = Int(try readUInt32())
        guard count <= max else { throw .corrupt("a count of \(count) exceeds its limit \(max)") }
        return count
    }

    /// Fills `values` from what `write(doubles:)` wrote.
    public mutating func readDoubles(into values: UnsafeMutableBufferPointer<Double>) throws(StateError) {
        for index in values.indices { values[index] = try readDouble() }
    }

    /// Fills `values` from what `write(int32s:)` wrote.
    public mutating func readInt32s(into values: UnsafeMutableBufferPointer<Int32>) throws(StateError) {
        for index in values.indices { values[index] = try readInt32() }
    }

    /// Reads a format version byte and checks it.
    public mutating func expectVersion(_ version: UInt8, of what: String) throws(StateError) {
        let found = try readUInt8()
        guard found == version else { throw .unknownVersion(what: what, found: found, known: version) }
    }
}
