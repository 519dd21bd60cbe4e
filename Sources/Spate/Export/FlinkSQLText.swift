// FlinkSQLText: the small pieces of Flink SQL spelling the export writes —
// quoted names, literals, types and intervals.
//
// Flink quotes names with backticks (a backtick inside is doubled) and reads
// `12.5` as DECIMAL and `12.5E0` as DOUBLE. An INTERVAL's leading field holds
// at most two digits unless a precision is given, and Flink takes only some
// precisions (MINUTE(4) is refused), so a length that is not a small count of
// one unit is written `INTERVAL 'd hh:mm:ss.fff' DAY TO SECOND(3)`.

import SpateSQL

enum FlinkSQLText {
    /// A name in backticks.
    static func identifier(_ name: String) -> String {
        "`" + name.replacing("`", with: "``") + "`"
    }

    /// A string constant in single quotes.
    static func string(_ text: String) -> String {
        "'" + text.replacing("'", with: "''") + "'"
    }

    /// The Flink type of a Spate type inside a query (TIMESTAMP: TIMESTAMP_LTZ(3)).
    static func typeName(_ type: ValueType) -> String {
        switch type {
        case .string, .null: return "STRING"
        case .double: return "DOUBLE"
        case .bigint: return "BIGINT"
        case .boolean: return "BOOLEAN"
        case .timestamp: return "TIMESTAMP_LTZ(3)"
        }
    }

    /// A constant of Spate's type.
    static func literal(_ value: Value) -> String {
        switch value {
        case .null: return "NULL"
        case let .boolean(flag): return flag ? "TRUE" : "FALSE"
        case let .bigint(number): return String(number)
        case let .double(number): return double(number)
        case let .string(text): return string(text)
        case let .timestamp(ms): return "TO_TIMESTAMP_LTZ(\(ms), 3)"
        }
    }

    /// A DOUBLE constant: with an exponent, so that Flink does not read it as DECIMAL.
    static func double(_ number: Double) -> String {
        guard number.isFinite else { return number.isNaN ? "CAST('NaN' AS DOUBLE)" : "CAST('\(number < 0 ? "-" : "")Infinity' AS DOUBLE)" }
        let text = String(number)  // shortest round-trip: 12.5, 1e-05, 1e+20
        if text.contains("e") { return text.replacing("e+", with: "E").replacing("e", with: "E") }
        return text + "E0"
    }

    /// An INTERVAL literal of exactly `milliseconds` (>= 0).
    static func interval(milliseconds: Int64) -> String {
        precondition(milliseconds >= 0, "an interval is never negative")
        let units: [(String, Int64)] = [("DAY", 86_400_000), ("HOUR", 3_600_000), ("MINUTE", 60_000), ("SECOND", 1_000)]
        if milliseconds == 0 { return "INTERVAL '0' SECOND" }
        for (unit, length) in units where milliseconds % length == 0 && milliseconds / length <= 99 {
            return "INTERVAL '\(milliseconds / length)' \(unit)"
        }
        if milliseconds < 100_000 {  // under 100 s: fractional seconds
            return "INTERVAL '\(milliseconds / 1000).\(threeDigits(milliseconds % 1000))' SECOND"
        }
        let days = milliseconds / 86_400_000, rest = milliseconds % 86_400_000
        let hours = rest / 3_600_000, minutes = rest % 3_600_000 / 60_000, seconds = rest % 60_000 / 1000
        return "INTERVAL '\(days) \(twoDigits(hours)):\(twoDigits(minutes)):\(twoDigits(seconds)).\(threeDigits(rest % 1000))' DAY TO SECOND(3)"
    }

    /// A duration in Flink's configuration syntax (`'1000 ms'`).
    static func duration(milliseconds: Int64) -> String { "\(milliseconds) ms" }

    private static func twoDigits(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
    private static func threeDigits(_ n: Int64) -> String { n < 10 ? "00\(n)" : n < 100 ? "0\(n)" : "\(n)" }
}
