// Durations as people write them on a command line: `24h`, `7d`, `90m`,
// `30s`, `500ms`, `24 hours`, `1 day`. Returned in milliseconds. The SQL
// dialect's parser does the work; days and weeks are added here.

import SpateSQL

/// Parses human durations.
public enum DurationText {
    /// Milliseconds in `text` (`24h`, `7d`, `90m`, `24 hours`), or nil when it is
    /// not a positive duration. The SQL dialect's duration syntax, plus days and weeks.
    public static func parseMs(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: " \t").lowercased()
        for (suffix, scale) in [("w", Int64(7 * 86_400_000)), ("week", 7 * 86_400_000), ("weeks", 7 * 86_400_000),
                                ("d", 86_400_000), ("day", 86_400_000), ("days", 86_400_000)] {
            let amount = trimmed.dropLast(suffix.count).trimmingCharacters(in: " ")
            if trimmed.hasSuffix(suffix), let n = Int64(amount), n > 0 {
                let (ms, overflow) = n.multipliedReportingOverflow(by: scale)
                return overflow ? nil : ms
            }
        }
        return SQLDuration.parse(trimmed)?.milliseconds
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
