// The time axis of a dashboard chart: which instants get a tick. Ticks fall
// on whole multiples of a step chosen from a fixed ladder (1 min … 1 day), the
// smallest that keeps the labels at most `tickCountMax` across the range, so
// that a label reads "14:30", never "14:27:13". Multiples are taken in UTC:
// the server does not know the browser's time zone; the page's script formats
// each tick's instant (data-t) in local time. In a zone whose offset is not a
// whole hour, hour ticks then read :30 or :45 — still round, still evenly spaced.

/// Tick instants (Unix ms) for a time range.
public struct TimeTicks: Sendable, Equatable {
    public let stepMs: Int64
    public let instantsMs: [Int64]

    static let minuteMs: Int64 = 60_000
    /// The steps a time axis may use, smallest first.
    static let ladderMs: [Int64] = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1_440, 2_880].map { $0 * minuteMs }

    /// The ticks of `fromMs…toMs` (inclusive of both ends when they are multiples).
    public init(fromMs: Int64, toMs: Int64, tickCountMax: Int = 6) {
        precondition(toMs > fromMs, "time ticks: empty range \(fromMs)…\(toMs)")
        let span = toMs - fromMs
        let step = Self.ladderMs.first { span / $0 <= Int64(max(1, tickCountMax)) } ?? Self.ladderMs.last!
        stepMs = step
        let first = (fromMs + step - 1) / step * step
        instantsMs = Array(stride(from: first, through: toMs, by: Int(step)))
    }

    /// Whether labels need the date (steps of a day or more) or only the time of day.
    public var labelsShowDate: Bool { stepMs >= 1_440 * Self.minuteMs }

    /// The UTC label of `instantMs` ("14:30", or "Dec 4" for day steps), shown until the script relabels it.
    public func utcLabel(_ instantMs: Int64) -> String {
        let seconds = instantMs / 1_000
        if labelsShowDate {
            let (_, month, day) = Self.civilDate(daysSinceEpoch: seconds / 86_400)
            return "\(Self.monthNames[month - 1]) \(day)"
        }
        let minuteOfDay = (seconds % 86_400) / 60
        return Self.twoDigits(minuteOfDay / 60) + ":" + Self.twoDigits(minuteOfDay % 60)
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func twoDigits(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Year, month (1…12), day of a day count since 1970-01-01 (Howard Hinnant's algorithm).
    static func civilDate(daysSinceEpoch: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPart = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthPart + 2) / 5 + 1)
        let month = Int(monthPart < 10 ? monthPart + 3 : monthPart - 9)
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
