// Durations as people write them on a command line and read them in a table:
// `24h`, `7d`, `90m`, `30s`, `500ms`, `24 hours`, `1 day` in, milliseconds out,
// and back to the shortest whole unit. Parsing is the SQL dialect's own
// (SpateSQL's SQLDuration), so `spate stream create --retention 7d` and
// `WITH (retention = '7d')` accept the same words; only the formatting is here.

import SpateSQL

/// Parses and formats human durations.
public enum HumanDuration {
    /// Milliseconds in `text` (`24h`, `7d`, `90m`, `24 hours`), or nil when it is
    /// not a positive duration.
    public static func parseMs(_ text: String) -> Int64? {
        guard let ms = SQLDuration.parse(text.trimmingCharacters(in: " \t"))?.milliseconds, ms > 0 else { return nil }
        return ms
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
