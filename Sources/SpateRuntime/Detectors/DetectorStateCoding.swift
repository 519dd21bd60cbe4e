// DetectorStateCoding: the byte writer and reader behind detector checkpoints.
//
// Format: little-endian fixed-width integers, IEEE-754 doubles by bit pattern
// (so a restored value is bit-identical, NaN payloads and -0 included), and
// length-prefixed byte strings (UInt32 length). There are no implicit
// alignments or varints: a reader that knows the layout walks it linearly.
// Versioning lives one level up (DetectorOperator writes a magic and a format
// version before anything else).
//
// Invariant: a reader never reads past its buffer; a short or malformed buffer
// is a `DetectorError.corruptState`, never a crash.

/// Appends detector state to a byte buffer.
public struct DetectorStateWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    @inline(__always) mutating func write(_ value: UInt8) { bytes.append(value) }

    @inline(__always) mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always) mutating func write(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inline(__always) mutating func write(_ value: Int32) { write(UInt32(bitPattern: value)) }

    @inline(__always) mutating func write(_ value: Double) { write(value.bitPattern) }

    mutating func write(bytes value: UnsafeRawBufferPointer) {
        write(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func write(doubles values: UnsafeBufferPointer<Double>) {
        bytes.reserveCapacity(bytes.count + values.count * 8)
        for value in values { write(value) }
    }

    mutating func write(int32s values: UnsafeBufferPointer<Int32>) {
        bytes.reserveCapacity(bytes.count + values.count * 4)
        for value in values { write(value) }
    }
}

/// Reads what a `DetectorStateWriter` wrote, in the same order.
public struct DetectorStateReader {
    let bytes: [UInt8]
    private(set) var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    private mutating func take(_ count: Int) throws(DetectorError) -> Int {
        guard count >= 0, bytes.count - offset >= count else {
            throw .corruptState("detector state ends early at byte \(offset) (wanted \(count) more bytes of \(bytes.count))")
        }
        defer { offset += count }
        return offset
    }

    mutating func readUInt8() throws(DetectorError) -> UInt8 { bytes[try take(1)] }

    mutating func readUInt32() throws(DetectorError) -> UInt32 {
        let at = try take(4)
        return bytes.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
    }

    mutating func readUInt64() throws(DetectorError) -> UInt64 {
        let at = try take(8)
        return bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
    }

    mutating func readInt32() throws(DetectorError) -> Int32 { Int32(bitPattern: try readUInt32()) }

    mutating func readDouble() throws(DetectorError) -> Double { Double(bitPattern: try readUInt64()) }

    /// A count that must not exceed `max` (guards allocations against corrupt input).
    mutating func readCount(max: Int) throws(DetectorError) -> Int {
        let count = Int(try readUInt32())
        guard count <= max else { throw .corruptState("a count of \(count) in detector state exceeds its limit \(max)") }
        return count
    }

    mutating func readBytes() throws(DetectorError) -> ArraySlice<UInt8> {
        let count = Int(try readUInt32())
        let at = try take(count)
        return bytes[at..<at + count]
    }

    mutating func readDoubles(into values: UnsafeMutableBufferPointer<Double>) throws(DetectorError) {
        for index in values.indices { values[index] = try readDouble() }
    }

    mutating func readInt32s(into values: UnsafeMutableBufferPointer<Int32>) throws(DetectorError) {
        for index in values.indices { values[index] = try readInt32() }
    }
}
