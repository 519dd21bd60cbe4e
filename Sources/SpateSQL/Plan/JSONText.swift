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
        /// Every prefix, one after the other, and where each ends: one buffer,
        /// so that writing a member retains nothing (an array per prefix cost
        /// a retain and a release per value, a quarter of a job's hand-on).
        fileprivate let bytes: [UInt8]
        fileprivate let ends: [Int]

        public init(names: [String]) {
            var bytes: [UInt8] = [], ends: [Int] = []
            for (i, name) in names.enumerated() {
                bytes.append(contentsOf: Self.prefix(i, name))
                ends.append(bytes.count)
            }
            self.bytes = bytes
            self.ends = ends
        }

        fileprivate static func prefix(_ i: Int, _ name: String) -> [UInt8] {
            Array(((i == 0 ? "{" : ",") + JSONStringLiteral.quoted(name) + ":").utf8)
        }

        /// Appends member `index`: its prefix (`{"a":` for the first, `,"b":`
        /// after), then `value`. A writer of a row value by value closes the
        /// object itself (`}`; `{}` for a row of no columns).
        public func append(member index: Int, _ value: Value, to out: inout [UInt8]) {
            if index < ends.count {
                let start = index == 0 ? 0 : ends[index - 1]
                bytes.withUnsafeBufferPointer { out.append(contentsOf: UnsafeBufferPointer(rebasing: $0[start ..< ends[index]])) }
            } else {
                out.append(contentsOf: Self.prefix(index, "column_\(index + 1)"))
            }
            JSONText.append(value, to: &out)
        }

        /// Appends the members of `values` to `out`, each prefix then its value.
        fileprivate func appendMembers(_ values: ArraySlice<Value>, to out: inout [UInt8]) {
            for (i, value) in values.enumerated() { append(member: i, value, to: &out) }
        }
    }

    /// A JSON object of `members` → `values`, written as bytes into one
    /// buffer and made a String once: a job's thread writes one per result row,
    /// and a String per value (a quoted copy of each string, then the joined
    /// text) was a fifth of that thread's time.
    public static func object(members: Members, values: [Value]) -> String {
        object(members: members, values: values[...])
    }

    /// The JSON object of `members` → `values` (a row of a job's RowArena).
    public static func object(members: Members, values: ArraySlice<Value>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 24)
        appendObject(members: members, values: values, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the JSON object of `members` → `values` to `out` (a job's page
    /// of result rows is one buffer of them).
    public static func appendObject(members: Members, values: [Value], to out: inout [UInt8]) {
        appendObject(members: members, values: values[...], to: &out)
    }

    /// Appends the JSON object of `members` → `values` (a row of a job's RowArena).
    public static func appendObject(members: Members, values: ArraySlice<Value>, to out: inout [UInt8]) {
        guard !values.isEmpty else { return out.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")]) }
        members.appendMembers(values, to: &out)
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
            JSONStringLiteral.append(s, to: &out)
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

    /// Appends the UTF-8 of `plain(value)` to `out`.
    public static func appendPlain(_ value: Value, to out: inout [UInt8]) {
        if case var .string(s) = value { return s.withUTF8 { out.append(contentsOf: $0) } }
        var text = Self.value(value)
        text.withUTF8 { out.append(contentsOf: $0) }
    }
}
