// Whether one input line of a bulk ingest can be a record, and its partition
// key: the line must be one JSON object (strict RFC 8259, well-formed UTF-8),
// at most 1 MiB, and, when a key field is set, carry that field as a non-empty
// string or a number (the key is its text, unescaped). One checker per thread:
// it owns the scanner's field slots and the buffer of unescaped keys.
//
// The key is not copied when it needs no unescaping (nearly always): `key`
// then points into the line itself (a copy per line was 3 % of `spate put
// --key` of 100 B lines, perf).

import SpateJSON
import SpateLog

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

    /// - Throws: `SpateError.invalidArgument` when `keyField` is not a valid field name.
    init(keyField: String?, keyFieldIsDeclared: Bool) throws(SpateError) {
        self.keyField = keyField
        self.keyFieldIsDeclared = keyFieldIsDeclared
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

    deinit { unescapedKey.deallocate() }

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

    private func keyTooLong(_ bytes: Int) -> String {
        "partition key of \(bytes) bytes is over the limit of \(RecordFrame.partitionKeyBytesMax) bytes"
    }
}
