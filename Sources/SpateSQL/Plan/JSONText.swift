// JSON text for values: the records INSERT and jobs write, the rows of alerts
// and results. Strings are escaped per RFC 8259; non-finite doubles become null
// (JSON has no NaN); TIMESTAMPs are epoch milliseconds, as JSON producers write.

//
// Layer: SpateSQL (a plan's values as JSON; the escaping is SpateJSON's JSONStringLiteral).

import SpateJSON

/// JSON text for SQL values: records written by INSERT and jobs, alert rows.
public enum JSONText {
    /// A JSON object of `names` → `values` (output rows as alert and result JSON).
    public static func object(names: [String], values: [Value]) -> String {
        object(members: Members(names: names), values: values)
    }

    /// An object's member names, quoted once with their separators (`{"a":`,
    /// `,"b":`), for a writer of many rows of the same columns: a job writes
    /// one object per output row, and quoting and joining the names anew took
    /// half of its time per row.
    public struct Members: Sendable {
        fileprivate let prefixes: [[UInt8]]

        public init(names: [String]) {
            prefixes = names.enumerated().map { i, name in Self.prefix(i, name) }
        }

        fileprivate static func prefix(_ i: Int, _ name: String) -> [UInt8] {
            Array(((i == 0 ? "{" : ",") + JSONStringLiteral.quoted(name) + ":").utf8)
        }

        fileprivate func append(_ i: Int, to out: inout [UInt8]) {
            if i < prefixes.count { out.append(contentsOf: prefixes[i]) } else { out.append(contentsOf: Self.prefix(i, "column_\(i + 1)")) }
        }
    }

    /// A JSON object of `members` → `values`, written as bytes into one
    /// buffer and made a String once: a job's thread writes one per result row,
    /// and a String per value (a quoted copy of each string, then the joined
    /// text) was a fifth of that thread's time.
    public static func object(members: Members, values: [Value]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 24)
        appendObject(members: members, values: values, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the JSON object of `members` → `values` to `out` (a job's page
    /// of result rows is one buffer of them).
    public static func appendObject(members: Members, values: [Value], to out: inout [UInt8]) {
        guard !values.isEmpty else { return out.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")]) }
        for (i, value) in values.enumerated() {
            members.append(i, to: &out)
            append(value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    public static func value(_ value: Value) -> String {
        switch value {
        case .null: return "null"
        case let .boolean(b): return b ? "true" : "false"
        case let .bigint(i), let .timestamp(i): return String(i)
        case let .double(d): return d.isFinite ? String(d) : "null"
        case let .string(s): return JSONStringLiteral.quoted(s)
        }
    }

    /// Appends the JSON text of `value` (as `value(_:)` gives it) to `out`.
    static func append(_ value: Value, to out: inout [UInt8]) {
        switch value {
        case let .string(s):
            var s = s
            s.withUTF8 { JSONStringLiteral.append(UnsafeRawBufferPointer($0), to: &out) }
        case let .bigint(i), let .timestamp(i):
            JSONNumber.appendDecimal(i, to: &out)
        default:
            var text = Self.value(value)
            text.withUTF8 { out.append(contentsOf: $0) }
        }
    }

    /// The text of a value without JSON quoting (for partition keys).
    public static func plain(_ value: Value) -> String {
        if case let .string(s) = value { return s }
        return Self.value(value)
    }
}
