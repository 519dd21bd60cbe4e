// JSONWriter.swift — writes JSON response bodies straight into a byte array: no intermediate tree,
// no per-field allocation. The caller writes members in order; the writer adds
// the commas. Strings are escaped per RFC 8259 (quote, backslash, control
// characters) by the one escaper, JSONStringLiteral; everything else is
// copied as UTF-8.

/// Builds one JSON document.
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    /// Per open object or array: whether it has a member yet (for the comma).
    private var hasMember: [Bool] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    private mutating func separate() {
        if let last = hasMember.last {
            if last { bytes.append(UInt8(ascii: ",")) }
            hasMember[hasMember.count - 1] = true
        }
    }

    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); hasMember.append(false) }
    public mutating func endObject() { hasMember.removeLast(); bytes.append(UInt8(ascii: "}")) }
    public mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); hasMember.append(false) }
    public mutating func endArray() { hasMember.removeLast(); bytes.append(UInt8(ascii: "]")) }

    /// Writes `"key":`; the value written next belongs to it.
    public mutating func key(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        hasMember[hasMember.count - 1] = false  // the value must not add a comma
    }

    public mutating func string(_ value: String) {
        separate()
        JSONStringLiteral.append(value, to: &bytes)
    }

    /// Writes bytes (UTF-8) as a JSON string.
    public mutating func string(bytes value: UnsafeRawBufferPointer) {
        separate()
        JSONStringLiteral.append(value, to: &bytes)
    }

    /// Writes `value` base64-encoded as a JSON string (Kinesis `Data`).
    public mutating func base64String(_ value: UnsafeRawBufferPointer) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        Base64.encode(value, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func integer<I: BinaryInteger>(_ value: I) {
        separate()
        if let value = Int64(exactly: value) { return JSONNumber.appendDecimal(value, to: &bytes) }
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Writes Unix milliseconds as epoch seconds with three decimals, as the AWS
    /// JSON protocol writes timestamps (`1700000000.123`).
    /// No String on the way: GetRecords writes one per record.
    public mutating func epochSeconds(ms: Int64) {
        separate()
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let fraction = ms - seconds * 1000  // 0...999
        JSONNumber.appendDecimal(seconds, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: fraction / 100))
        bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: fraction / 10 % 10))
        bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: fraction % 10))
    }

    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }
}
