// Whether one input line of a bulk ingest can be a record, and its partition
// key: the line must be one JSON object (strict RFC 8259, well-formed UTF-8),
// at most 1 MiB, and, when a key field is set, carry that field as a non-empty
// string or a number (the key is its text, unescaped). One checker per thread:
// it owns the scanner's field slots and the buffer of unescaped keys.
//
// The key is not copied when it needs no unescaping (nearly always): `key`
// then points into the line itself (a copy per line was 3 % of `spate put
// --key` of 100 B lines, perf).
//
// `quickKey` is a look for the key without the JSON check, for lines already
// checked (the append pass of `--strict`, see `CheckedChunks`): it is right
// only where the check pass saw it give the same bytes as `reject`.

import SpateJSON
import SpateLog

#if canImport(Glibc)
import Glibc
#endif

/// Checks lines and extracts their partition keys.
final class IngestLineChecker {
    private let scanner: JSONScanner?
    private let keyField: String?
    private let keyFieldIsDeclared: Bool
    // One thread owns a checker, so the runtime's exclusivity checks are redundant.
    @exclusivity(unchecked) private var values: JSONFieldValues
    /// A key with escapes, unescaped.
    private var unescaped: [UInt8] = []
    /// `unescaped` kept where `key` may point to it (an Array's storage may not be borrowed past a call).
    private let unescapedKey = UnsafeMutableRawBufferPointer.allocate(byteCount: RecordFrame.partitionKeyBytesMax, alignment: 8)
    /// The key of the last line accepted (empty: no key field): bytes of that
    /// line, or of this checker; valid until the next `reject` and while the line is.
    @exclusivity(unchecked) private(set) var key = UnsafeRawBufferPointer(start: nil, count: 0)
    /// `"name"` of the key field, for `quickKey` (empty without one).
    private let quotedField: UnsafeRawBufferPointer

    /// - Throws: `SpateError.invalidArgument` when `keyField` is not a valid field name.
    init(keyField: String?, keyFieldIsDeclared: Bool) throws(SpateError) {
        self.keyField = keyField
        self.keyFieldIsDeclared = keyFieldIsDeclared
        let quoted: [UInt8] = keyField.map { [0x22] + Array($0.utf8) + [0x22] } ?? []
        let field = UnsafeMutableRawBufferPointer.allocate(byteCount: quoted.count, alignment: 8)
        field.copyBytes(from: quoted)
        quotedField = UnsafeRawBufferPointer(field)
        if let keyField {
            do {
                let paths = try JSONPathSet([keyField])
                scanner = JSONScanner(paths: paths)
                values = JSONFieldValues(for: paths)
            } catch {
                throw .invalidArgument("invalid key field '\(keyField)': \(error)")
            }
        } else {
            scanner = nil
            values = JSONFieldValues(pathCount: 0)
        }
        unescaped.reserveCapacity(RecordFrame.partitionKeyBytesMax)
    }

    deinit {
        unescapedKey.deallocate()
        quotedField.deallocate()
    }

    /// Why `line` cannot be a record, or nil when it can (its key then in `key`).
    func reject(_ line: UnsafeRawBufferPointer) -> String? {
        key = UnsafeRawBufferPointer(start: nil, count: 0)
        if line.count > RecordFrame.recordBytesMax {
            return "record of \(line.count) bytes is over the limit of \(RecordFrame.recordBytesMax) bytes (1 MiB)"
        }
        guard let scanner, let field = keyField else {
            if let error = JSONScanner.validate(line) { return error.description }
            guard line.first(where: { $0 != 0x20 && $0 != 0x09 }) == UInt8(ascii: "{") else { return "not a JSON object" }
            return nil
        }
        if let error = scanner.scan(line, into: &values) { return error.description }
        let value = values[0]
        switch value.kind {
        case .missing:
            if keyFieldIsDeclared {
                return "no field '\(field)' (the stream's declared key); add it, or give another key field with --key"
            }
            return "no field '\(field)' (the partition key); add it, or choose another with --key"
        case .string:
            if value.hasEscapes {
                unescaped.removeAll(keepingCapacity: true)
                do { try JSONString.unescape(value.bytes(in: line), into: &unescaped) } catch { return error.description }
                if unescaped.isEmpty { return "field '\(field)' (the partition key) is an empty string" }
                if unescaped.count > RecordFrame.partitionKeyBytesMax { return keyTooLong(unescaped.count) }
                unescaped.withUnsafeBytes { unescapedKey.copyMemory(from: $0) }
                key = UnsafeRawBufferPointer(rebasing: unescapedKey[0..<unescaped.count])
                return nil
            }
            if value.count == 0 { return "field '\(field)' (the partition key) is an empty string" }
        case .number, .true, .false:
            break
        case .null, .object, .array:
            return "field '\(field)' (the partition key) is \(value.kind); it must be a string or a number"
        }
        if value.count > RecordFrame.partitionKeyBytesMax { return keyTooLong(value.count) }
        key = value.bytes(in: line)
        return nil
    }

    /// The value after the first `"name":` of the line, when it is a string
    /// without escapes (its contents) or a bare token (up to `,`, `}`, `]` or
    /// whitespace); nil otherwise, or without a key field. No JSON check, and
    /// no check that this is the top-level field: the caller must know that
    /// `reject` found these very bytes (`sameKey`). ~10 ns a 100 B line,
    /// against ~50 for the checking scan.
    func quickKey(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let needle = quotedField
        guard needle.count > 0 else { return nil }
        let n = line.count
        var i: Int
        // The key field first (the usual place), else anywhere. Byte loops,
        // not memchr/memcmp: the spans are a few bytes, shorter than a call.
        if n > needle.count && line[0] == UInt8(ascii: "{") && Self.matches(needle, line, at: 1) {
            i = 1 + needle.count
        } else {
            guard let found = find(needle, in: line) else { return nil }
            i = found + needle.count
        }
        i = Self.skipWhitespace(line, i)
        guard i < n && line[i] == UInt8(ascii: ":") else { return nil }
        i = Self.skipWhitespace(line, i + 1)
        guard i < n else { return nil }
        if line[i] == UInt8(ascii: "\"") {
            let start = i + 1
            var end = start
            while end < n && line[end] != UInt8(ascii: "\"") {
                if line[end] == UInt8(ascii: "\\") { return nil }
                end += 1
            }
            return end < n ? UnsafeRawBufferPointer(rebasing: line[start..<end]) : nil
        }
        var end = i
        while end < n {
            let c = line[end]
            if c == UInt8(ascii: ",") || c == UInt8(ascii: "}") || c == UInt8(ascii: "]") || c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A { break }
            end += 1
        }
        return end > i ? UnsafeRawBufferPointer(rebasing: line[i..<end]) : nil
    }

    /// Whether `quick` is the key `reject` found for the last line: the same bytes of that line.
    func sameKey(_ quick: UnsafeRawBufferPointer?) -> Bool {
        guard let quick else { return false }
        return quick.baseAddress == key.baseAddress && quick.count == key.count
    }

    /// The offset of the first `needle` (which starts with a quote) in `line`.
    private func find(_ needle: UnsafeRawBufferPointer, in line: UnsafeRawBufferPointer) -> Int? {
        guard let base = line.baseAddress else { return nil }
        var from = 0
        while let quote = memchr(base + from, 0x22, line.count - from) {
            let at = UnsafeRawPointer(quote) - base
            if at + needle.count > line.count { return nil }
            if Self.matches(needle, line, at: at) { return at }
            from = at + 1
        }
        return nil
    }

    /// Whether `line` holds `needle` at `offset` (which leaves room for it), 8 bytes a step.
    @inline(__always)
    private static func matches(_ needle: UnsafeRawBufferPointer, _ line: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        var k = 0
        while needle.count - k >= 8 {
            if needle.loadUnaligned(fromByteOffset: k, as: UInt64.self) != line.loadUnaligned(fromByteOffset: offset + k, as: UInt64.self) {
                return false
            }
            k += 8
        }
        while k < needle.count {
            if needle[k] != line[offset + k] { return false }
            k += 1
        }
        return true
    }

    private static func skipWhitespace(_ line: UnsafeRawBufferPointer, _ from: Int) -> Int {
        var i = from
        while i < line.count && (line[i] == 0x20 || line[i] == 0x09 || line[i] == 0x0D || line[i] == 0x0A) { i += 1 }
        return i
    }

    private func keyTooLong(_ bytes: Int) -> String {
        "partition key of \(bytes) bytes is over the limit of \(RecordFrame.partitionKeyBytesMax) bytes"
    }
}
