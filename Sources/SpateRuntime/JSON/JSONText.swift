// JSON text for values: the records INSERT and jobs write, the rows of alerts
// and results. Strings are escaped per RFC 8259; non-finite doubles become null
// (JSON has no NaN); TIMESTAMPs are epoch milliseconds, as JSON producers write.

import SpateSQL

/// JSON text for SQL values: records written by INSERT and jobs, alert rows.
public enum JSONText {
    public static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A JSON object of `names` → `values` (output rows as alert and result JSON).
    public static func object(names: [String], values: [Value]) -> String {
        var out = "{"
        for (i, value) in values.enumerated() {
            if i > 0 { out += "," }
            out += string(i < names.count ? names[i] : "column_\(i + 1)") + ":" + Self.value(value)
        }
        return out + "}"
    }

    public static func value(_ value: Value) -> String {
        switch value {
        case .null: return "null"
        case let .boolean(b): return b ? "true" : "false"
        case let .bigint(i), let .timestamp(i): return String(i)
        case let .double(d): return d.isFinite ? String(d) : "null"
        case let .string(s): return string(s)
        }
    }

    /// The text of a value without JSON quoting (for partition keys).
    public static func plain(_ value: Value) -> String {
        if case let .string(s) = value { return s }
        return Self.value(value)
    }
}
