// SQLDuration: a length of time written in SQL (window sizes, grace, intervals,
// retention, alarm periods, "1 hour ago").
//
// Layer: SpateSQL AST. Stored as whole milliseconds in Int64.
//
// Invariant: `milliseconds >= 0`. The parser rejects negative and overflowing
// durations, and zero wherever a zero length makes no sense (every duration
// except GRACE).

/// A non-negative length of time in milliseconds.
public struct SQLDuration: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var milliseconds: Int64

    public init(milliseconds: Int64) {
        precondition(milliseconds >= 0, "a duration is never negative")
        self.milliseconds = milliseconds
    }

    /// A time unit and its length.
    public enum Unit: String, Hashable, Sendable, CaseIterable {
        case millisecond = "MILLISECOND", second = "SECOND", minute = "MINUTE"
        case hour = "HOUR", day = "DAY", week = "WEEK"

        public var milliseconds: Int64 {
            switch self {
            case .millisecond: return 1
            case .second: return 1_000
            case .minute: return 60_000
            case .hour: return 3_600_000
            case .day: return 86_400_000
            case .week: return 604_800_000
            }
        }

        /// The unit for a spelling such as `MINUTE`, `minutes`, `min`, `m`, `ms` (case-insensitive).
        public static func named(_ word: String) -> Unit? {
            switch Keywords.uppercased(word) {
            case "MS", "MILLISECOND", "MILLISECONDS", "MILLIS": return .millisecond
            case "S", "SEC", "SECS", "SECOND", "SECONDS": return .second
            case "M", "MIN", "MINS", "MINUTE", "MINUTES": return .minute
            case "H", "HR", "HRS", "HOUR", "HOURS": return .hour
            case "D", "DAY", "DAYS": return .day
            case "W", "WEEK", "WEEKS": return .week
            default: return nil
            }
        }

        /// Spellings offered in "did you mean" suggestions.
        static let suggestionNames = ["MILLISECONDS", "SECONDS", "MINUTES", "HOURS", "DAYS", "WEEKS",
                                      "MILLISECOND", "SECOND", "MINUTE", "HOUR", "DAY", "WEEK"]
    }

    /// `count * unit`, or nil if it does not fit in Int64 milliseconds.
    public static func of(_ count: Int64, _ unit: Unit) -> SQLDuration? {
        guard count >= 0 else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: unit.milliseconds)
        return overflow ? nil : SQLDuration(milliseconds: product)
    }

    public static func < (lhs: SQLDuration, rhs: SQLDuration) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// Canonical SQL: a count and the largest unit that divides the duration exactly,
    /// e.g. `1 MINUTE`, `90 SECONDS`, `1500 MILLISECONDS`.
    public var description: String {
        let units: [Unit] = [.week, .day, .hour, .minute, .second]
        let unit = units.first { milliseconds != 0 && milliseconds % $0.milliseconds == 0 } ?? .millisecond
        let count = milliseconds / unit.milliseconds
        return "\(count) \(unit.rawValue)\(count == 1 ? "" : "S")"
    }
}

extension SQLDuration {
    /// A duration written as text: '1 second', '24 hours', '500 ms', '1h30m'; nil
    /// when the text is not a positive duration. (Options and flags use it.)
    public static func parse(_ text: String) -> SQLDuration? {
        if case let .success(duration) = DurationText.parseDuration(text) { return duration }
        return nil
    }
}
