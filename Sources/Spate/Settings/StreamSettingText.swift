// StreamSettingText: the one reading of a stream setting's text, for every
// route that takes one — SQL's WITH (retention = '7 days', durability = …),
// the `spate stream create|alter` and `spate put` flags (and so any later route)
// — so they accept the same values the same way: case-insensitive keywords,
// 'unlimited' or 'none' for no age limit, durations as DurationText reads them
// ('24 hours', '7d', '90m'). Each returns the value or a message (without the
// setting's name: each route names it its own way, `--retention` or `retention`).

import SpateLog

public enum StreamSettingText {
    /// A retention age in ms, or nil for no age limit ('unlimited', 'none').
    public static func retentionAgeMs(_ text: String) -> Result<Int64?, SettingTextError> {
        let trimmed = text.trimmingCharacters(in: " \t")
        if ["unlimited", "none"].contains(trimmed.lowercased()) { return .success(nil) }
        guard let ms = HumanDuration.parseMs(trimmed), ms > 0 else {
            return .failure(SettingTextError("'\(text)' is not a duration; use e.g. '24 hours', '7d', '90m', or 'unlimited'"))
        }
        return .success(ms)
    }

    /// always | batch | none, in any case.
    public static func durability(_ text: String) -> Result<Durability, SettingTextError> {
        guard let value = Durability(rawValue: text.trimmingCharacters(in: " \t").lowercased()) else {
            return .failure(SettingTextError("'\(text)' is not one of always, batch, none"))
        }
        return .success(value)
    }

    /// A segment age in ms.
    public static func segmentAgeMs(_ text: String) -> Result<Int64, SettingTextError> {
        guard let ms = HumanDuration.parseMs(text.trimmingCharacters(in: " \t")), ms > 0 else {
            return .failure(SettingTextError("'\(text)' is not a duration; use e.g. '1 hour' or '10m'"))
        }
        return .success(ms)
    }
}

/// Why a setting's text was refused (the message names the value, not the setting).
public struct SettingTextError: Error, Sendable, Equatable {
    public let message: String
    init(_ message: String) { self.message = message }
}
