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
        fileprivate let prefixes: [String]

        public init(names: [String]) {
            prefixes = names.enumerated().map { i, name in (i == 0 ? "{" : ",") + JSONStringLiteral.quoted(name) + ":" }
        }

        fileprivate func prefix(_ i: Int) -> String {
            i < prefixes.count ? prefixes[i] : (i == 0 ? "{" : ",") + "\"column_\(i + 1)\":"
        }
    }

    /// A JSON object of `members` → `values`.
    public static func object(members: Members, values: [Value]) -> String {
        guard !values.isEmpty else { return "{}" }
        var out = ""
        out.reserveCapacity(values.count * 24)
        for (i, value) in values.enumerated() {
            out += members.prefix(i)
            out += Self.value(value)
        }
        out += "}"
        return out
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

    /// The text of a value without JSON quoting (for partition keys).
    public static func plain(_ value: Value) -> String {
        if case let .string(s) = value { return s }
        return Self.value(value)
    }
}
