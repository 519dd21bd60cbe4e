// TestSupport.swift — small helpers shared by the JSON tests.

import SpateJSON

/// Runs `body` on the UTF-8 bytes of `text`.
func withBytes<Result>(_ text: String, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
    try Array(text.utf8).withUnsafeBytes(body)
}

/// `JSONScanner.validate` on a string.
func validate(_ text: String, depthMax: Int = 64) -> JSONSyntaxError? {
    withBytes(text) { JSONScanner.validate($0, depthMax: depthMax) }
}

/// The error expected at `offset` for `reason`.
func syntaxError(_ offset: Int, _ reason: JSONSyntaxError.Reason) -> JSONSyntaxError {
    JSONSyntaxError(offset: offset, reason: reason)
}

/// A scanned field rendered for comparisons: its kind and text ("" when missing).
struct FoundField: Equatable, CustomStringConvertible {
    var kind: JSONValueKind
    var text: String
    var description: String { "\(kind)(\(text))" }
}

/// Scans `record` for `paths` and returns each field as kind + text, or the error.
func scanFields(_ record: String, _ paths: [String]) throws -> Result<[FoundField], JSONSyntaxError> {
    let scanner = JSONScanner(paths: try JSONPathSet(paths))
    var values = JSONFieldValues(for: scanner.paths)
    return withBytes(record) { bytes in
        if let error = scanner.scan(bytes, into: &values) { return .failure(error) }
        return .success((0 ..< values.count).map { index in
            let value = values[index]
            return FoundField(kind: value.kind, text: String(decoding: value.bytes(in: bytes), as: UTF8.self))
        })
    }
}

/// Shorthand for an expected field.
func field(_ kind: JSONValueKind, _ text: String = "") -> FoundField {
    FoundField(kind: kind, text: text)
}

/// SplitMix64: deterministic randomness so that a failing case can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
