// Whether one input line of a bulk ingest can be a record, and its partition
// key: the line must be one JSON object (strict RFC 8259, well-formed UTF-8),
// at most 1 MiB, and, when a key field is set, carry that field as a non-empty
// string or a number (the key is its text, unescaped). One checker per thread:
// it owns the scanner's field slots and the key buffer it fills.

import SpateJSON
import SpateLog

/// Checks lines and extracts their partition keys.
struct IngestLineChecker {
    private let scanner: JSONScanner?
    private let keyField: String?
    private let keyFieldIsDeclared: Bool
    private var values: JSONFieldValues
    /// The key of the last line accepted (empty: no key field).
    private(set) var key: [UInt8] = []

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
        key.reserveCapacity(RecordFrame.partitionKeyBytesMax)
    }

    /// Why `line` cannot be a record, or nil when it can (its key then in `key`).
    mutating func reject(_ line: UnsafeRawBufferPointer) -> String? {
        key.removeAll(keepingCapacity: true)
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
                do { try JSONString.unescape(value.bytes(in: line), into: &key) } catch { return error.description }
            } else {
                key.append(contentsOf: value.bytes(in: line))
            }
            if key.isEmpty { return "field '\(field)' (the partition key) is an empty string" }
        case .number, .true, .false:
            key.append(contentsOf: value.bytes(in: line))
        case .null, .object, .array:
            return "field '\(field)' (the partition key) is \(value.kind); it must be a string or a number"
        }
        if key.count > RecordFrame.partitionKeyBytesMax {
            return "partition key of \(key.count) bytes is over the limit of \(RecordFrame.partitionKeyBytesMax) bytes"
        }
        return nil
    }
}
