// JSONValue.swift — a JSON document as a small tree, for requests (the Kinesis
// JSON 1.1 bodies), not for records (those are scanned in place, JSONScanner).
//
// Layer: SpateJSON. One grammar: `parse` first runs `JSONScanner.validate`, so
// a request is rejected with exactly the errors and offsets a record would get
// (JSONSyntaxError), then builds the tree from bytes known to be well-formed.
// Limits: nesting depth `depthMax` (32; no Kinesis request nests past 4), so a
// hostile body cannot exhaust the stack.
//
// Numbers keep their text's value as a Double; every Kinesis number read is an
// integer well within 2^53 or a timestamp in seconds, so no precision is lost.
// A number too large for a Double becomes ±infinity, which every reader of a
// count or a timestamp rejects as out of range.

/// A parsed JSON value.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The deepest nesting a request may have.
    public static let depthMax = 32

    public subscript(key: String) -> JSONValue? {
        if case let .object(members) = self { return members[key] }
        return nil
    }

    /// Parses one JSON document (RFC 8259, strict).
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> JSONValue {
        if let error = JSONScanner.validate(bytes, depthMax: depthMax) { throw error }
        var reader = WellFormedReader(bytes: bytes)
        return reader.value()
    }

    public static func parse(_ bytes: [UInt8]) throws(JSONSyntaxError) -> JSONValue {
        let result = bytes.withUnsafeBytes { raw in Result { () throws(JSONSyntaxError) -> JSONValue in try parse(raw) } }
        return try result.get()
    }
}

/// Builds a tree from bytes `JSONScanner.validate` accepted: it checks nothing
/// (asserting what validation guarantees) and so cannot fail.
private struct WellFormedReader {
    let bytes: UnsafeRawBufferPointer
    var at = 0
    var unescaped: [UInt8] = []

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func skipWhitespace() {
        while at < bytes.count, JSONByte.isWhitespace(bytes[at]) { at += 1 }
    }

    mutating func value() -> JSONValue {
        skipWhitespace()
        assert(at < bytes.count, "validated JSON ended early")
        switch bytes[at] {
        case UInt8(ascii: "{"):
            at += 1
            var members: [String: JSONValue] = [:]
            while true {
                skipWhitespace()
                if bytes[at] == UInt8(ascii: "}") { at += 1; return .object(members) }
                if bytes[at] == UInt8(ascii: ",") { at += 1; skipWhitespace() }
                let key = string()
                skipWhitespace()
                assert(bytes[at] == UInt8(ascii: ":"))
                at += 1
                members[key] = value()  // a repeated key: the last one wins, as for records
            }
        case UInt8(ascii: "["):
            at += 1
            var elements: [JSONValue] = []
            while true {
                skipWhitespace()
                if bytes[at] == UInt8(ascii: "]") { at += 1; return .array(elements) }
                if bytes[at] == UInt8(ascii: ",") { at += 1 }
                elements.append(value())
            }
        case UInt8(ascii: "\""): return .string(string())
        case UInt8(ascii: "t"): at += 4; return .bool(true)
        case UInt8(ascii: "f"): at += 5; return .bool(false)
        case UInt8(ascii: "n"): at += 4; return .null
        default: return .number(number())
        }
    }

    /// The string whose opening quote is at `at`.
    mutating func string() -> String {
        assert(bytes[at] == UInt8(ascii: "\""))
        at += 1
        let start = at
        var escaped = false
        while bytes[at] != UInt8(ascii: "\"") {
            if bytes[at] == JSONByte.backslash { escaped = true; at += 1 }
            at += 1
        }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start ..< at])
        at += 1
        guard escaped else { return String(decoding: raw, as: UTF8.self) }
        do { try JSONString.unescape(raw, into: &unescaped) } catch { assertionFailure("validated string failed to unescape: \(error)") }
        return String(decoding: unescaped, as: UTF8.self)
    }

    mutating func number() -> Double {
        let start = at
        while at < bytes.count, JSONByte.isNumberByte(bytes[at]) { at += 1 }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start ..< at]), as: UTF8.self)
        guard let value = Double(text) else { preconditionFailure("validated number \(text) did not convert") }
        return value
    }
}
