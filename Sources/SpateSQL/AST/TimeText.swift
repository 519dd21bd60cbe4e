// TimeText: a point in time written as a string: `SINCE '1 hour ago'`,
// `UNTIL '2024-05-01T12:00:00Z'`, `RESTART JOB j FROM '2024-05-01'`.
//
// Layer: SpateSQL AST. The parser parses the text when it reads it (so errors are
// positioned at the string) and keeps both the text, for printing back exactly, and
// the parsed point, for the planner. A relative point ("ago") is resolved against
// the clock only when the query starts; the AST never reads the clock.

/// A point in time, absolute or relative to when the statement runs.
public enum TimePoint: Hashable, Sendable {
    /// Milliseconds since 1970-01-01T00:00:00Z. Times written without a zone are UTC.
    case absolute(epochMilliseconds: Int64)
    /// That long before the statement runs.
    case ago(SQLDuration)
}

/// A time written as a string, with its parsed meaning.
public struct TimeText: Hashable, Sendable, CustomStringConvertible {
    /// The string contents as written (without quotes).
    public var text: String
    public var point: TimePoint
    @SourceMetadata public var range: SourceRange

    public init(text: String, point: TimePoint, range: SourceRange = SourceRange(start: .start, end: .start)) {
        self.text = text
        self.point = point
        self.range = range
    }

    public var description: String { SQLText.string(text) }
}

/// Where reading a stream starts (SINCE, RESTART ... FROM).
public enum StartPosition: Hashable, Sendable, CustomStringConvertible {
    case earliest
    case latest
    case time(TimeText)

    public var description: String {
        switch self {
        case .earliest: return "EARLIEST"
        case .latest: return "LATEST"
        case .time(let time): return time.description
        }
    }
}

/// Where reading a stream ends (UNTIL).
public enum EndPosition: Hashable, Sendable, CustomStringConvertible {
    /// The log head as of when the query starts.
    case now
    case time(TimeText)

    public var description: String {
        switch self {
        case .now: return "NOW"
        case .time(let time): return time.description
        }
    }
}
