// Durations as people write them on a command line: `24h`, `7d`, `90m`,
// `30s`, `500ms`, `24 hours`, `1 day`. Returned in milliseconds.

/// Parses human durations.
public enum DurationText {
    /// Milliseconds in `text`, or nil when it is not a positive duration.
    public static func parseMs(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: " \t")
        let digits = trimmed.prefix(while: { $0.isNumber })
        guard !digits.isEmpty, let amount = Int64(digits), amount > 0 else { return nil }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: " \t").lowercased()
        let scale: Int64
        switch unit {
        case "ms", "millisecond", "milliseconds": scale = 1
        case "s", "sec", "secs", "second", "seconds": scale = 1000
        case "m", "min", "mins", "minute", "minutes": scale = 60_000
        case "h", "hr", "hrs", "hour", "hours": scale = 3_600_000
        case "d", "day", "days": scale = 86_400_000
        case "w", "week", "weeks": scale = 7 * 86_400_000
        default: return nil
        }
        let (ms, overflow) = amount.multipliedReportingOverflow(by: scale)
        return overflow ? nil : ms
    }

    /// `86400000` → `24h`, `90000` → `90s`: the largest whole unit.
    public static func format(ms: Int64) -> String {
        // Days only from 2 days up: "24h" reads better than "1d".
        for (scale, unit) in [(Int64(86_400_000), "d"), (3_600_000, "h"), (60_000, "m"), (1000, "s")]
        where ms % scale == 0 && (unit != "d" || ms >= 2 * scale) {
            return "\(ms / scale)\(unit)"
        }
        return "\(ms)ms"
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        let chars = Set(set)
        return String(self.drop(while: { chars.contains($0) }).reversed().drop(while: { chars.contains($0) }).reversed())
    }
}
