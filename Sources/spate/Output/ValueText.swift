// How one value reads in each output format. Pure functions of a value, so the
// three sinks agree on what a timestamp or a NULL looks like and tests can check
// them without a terminal.
//
// - Timestamps are ISO 8601 in UTC (`2026-11-26T14:05:09.250Z`) everywhere.
// - The table rounds doubles to 6 decimals and trims trailing zeros (people read
//   it); CSV and JSON print the shortest text that reads back as the same double
//   (programs read them).
// - Table cells never contain control characters: a newline in a string shows
//   as `\n`, and an escape sequence in data cannot drive the terminal.

import SpateSQL
import SpateLog

#if canImport(Glibc)
import Glibc
#endif

enum ValueText {
    /// A cell of the table.
    static func table(_ value: Value) -> String {
        switch value {
        case .null: return "NULL"
        case let .boolean(b): return b ? "true" : "false"
        case let .bigint(n): return String(n)
        case let .double(d): return tableDouble(d)
        case let .string(s): return visible(s)
        case let .timestamp(ms): return UTCTimestamp.format(ms)
        }
    }

    /// A field of CSV, before quoting; nil for NULL (an empty, unquoted field).
    static func csv(_ value: Value) -> String? {
        switch value {
        case .null: return nil
        case let .boolean(b): return b ? "true" : "false"
        case let .bigint(n): return String(n)
        case let .double(d): return exactDouble(d)
        case let .string(s): return s
        case let .timestamp(ms): return UTCTimestamp.format(ms)
        }
    }

    /// A JSON value.
    static func json(_ value: Value) -> String {
        switch value {
        case .null: return "null"
        case let .boolean(b): return b ? "true" : "false"
        case let .bigint(n): return String(n)
        case let .double(d): return d.isFinite ? exactDouble(d) : "null"  // JSON has no NaN or Infinity
        case let .string(s): return jsonString(s)
        case let .timestamp(ms): return "\"" + UTCTimestamp.format(ms) + "\""
        }
    }

    /// `12.5`, `0.333333`, `3`, `1.5e-07`, `1e+20`.
    static func tableDouble(_ d: Double) -> String {
        if !d.isFinite { return d.isNaN ? "NaN" : (d < 0 ? "-Infinity" : "Infinity") }
        let magnitude = abs(d)
        // Fixed notation would show tiny values as 0 and huge ones as 20 digits of noise.
        if magnitude != 0 && (magnitude < 1e-4 || magnitude >= 1e15) { return printf("%.6g", d) }
        var text = printf("%.6f", d)
        while text.last == "0" { text.removeLast() }
        if text.last == "." { text.removeLast() }
        return text == "-0" ? "0" : text
    }

    /// The shortest text that parses back to `d`.
    static func exactDouble(_ d: Double) -> String {
        if !d.isFinite { return d.isNaN ? "NaN" : (d < 0 ? "-Infinity" : "Infinity") }
        return d.description
    }

    /// `s` as a JSON string literal, quotes included.
    static func jsonString(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\u{2028}" || scalar == "\u{2029}" {
                    out += "\\u" + hex4(scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// `s` with control characters spelled out, for one line of a table.
    static func visible(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isControl) else { return s }
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if isControl(scalar) { out += "\\u{" + String(scalar.value, radix: 16) + "}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0)
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private static func printf(_ format: String, _ d: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let count = withVaList([d]) { vsnprintf(&buffer, buffer.count, format, $0) }
        precondition(count > 0 && count < buffer.count, "a formatted double fits in 64 bytes")
        return String(decoding: buffer[0..<Int(count)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
