// The binary format of operator state in job checkpoints: little-endian
// integers and doubles, length-prefixed bytes and strings, written into one
// [UInt8]. Each operator writes a format version first and refuses to read a
// version it does not know, so a checkpoint from another build fails clearly
// instead of being misread.

/// Appends values to a byte buffer.
public struct StateWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func write(_ value: UInt8) { bytes.append(value) }
    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }
    public mutating func write(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func write(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func write(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    public mutating func write(_ value: Double) { write(value.bitPattern) }

    public mutating func write(_ value: UnsafeRawBufferPointer) {
        write(UInt32(value.count))
        bytes.append(contentsOf: value)
    }

    public mutating func write(_ value: [UInt8]) { value.withUnsafeBytes { write($0) } }
    public mutating func write(_ value: String) { write(Array(value.utf8)) }
}

/// Reads what a `StateWriter` wrote; every read checks the bounds.
public struct StateReader {
    private let bytes: [UInt8]
    private var at = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isAtEnd: Bool { at == bytes.count }

    private mutating func take(_ count: Int) throws(StateError) -> ArraySlice<UInt8> {
        guard count >= 0, at + count <= bytes.count else { throw .truncated }
        defer { at += count }
        return bytes[at..<at + count]
    }

    private mutating func fixed<T: FixedWidthInteger>(_: T.Type) throws(StateError) -> T {
        let slice = try take(MemoryLayout<T>.size)
        return slice.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(as: T.self)) }
    }

    public mutating func readUInt8() throws(StateError) -> UInt8 { try take(1).first! }
    public mutating func readBool() throws(StateError) -> Bool { try readUInt8() != 0 }
    public mutating func readUInt32() throws(StateError) -> UInt32 { try fixed(UInt32.self) }
    public mutating func readInt64() throws(StateError) -> Int64 { try fixed(Int64.self) }
    public mutating func readUInt64() throws(StateError) -> UInt64 { try fixed(UInt64.self) }
    public mutating func readDouble() throws(StateError) -> Double { Double(bitPattern: try fixed(UInt64.self)) }
    public mutating func readBytes() throws(StateError) -> [UInt8] { Array(try take(Int(try readUInt32()))) }
    public mutating func readString() throws(StateError) -> String { String(decoding: try readBytes(), as: UTF8.self) }

    /// Reads a format version byte and checks it.
    public mutating func expectVersion(_ version: UInt8, of what: String) throws(StateError) {
        let found = try readUInt8()
        guard found == version else { throw .unknownVersion(what: what, found: found, known: version) }
    }
}

/// Operator state that cannot be read.
public enum StateError: Error, Equatable, CustomStringConvertible {
    case truncated
    case unknownVersion(what: String, found: UInt8, known: UInt8)
    case mismatch(String)

    public var description: String {
        switch self {
        case .truncated: return "checkpointed operator state is truncated"
        case let .unknownVersion(what, found, known):
            return "checkpointed \(what) state has format \(found); this spate reads format \(known) (RESTART JOB to start over)"
        case let .mismatch(message): return "checkpointed state does not match the job's query: \(message) (RESTART JOB to start over)"
        }
    }
}
