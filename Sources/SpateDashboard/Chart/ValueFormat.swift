// How the dashboard writes a number with its unit, short enough for an axis
// label: "1.5k/s", "3.2 MiB/s", "850 ms", "2.5 min". Bytes use binary
// prefixes (as `spate stream list` does); everything else k/M/G.

/// A unit of a charted metric.
public enum ValueUnit: String, Sendable {
    case recordsPerSecond = "records/s"
    case bytesPerSecond = "B/s"
    case perMinute = "/min"
    case milliseconds = "ms"
    case count = ""
    case score = "score"

    /// `value` with this unit as an axis label, short enough for the chart's margin: "1.5k/s" (the caption says "records/s").
    public func axisLabel(_ value: Double) -> String {
        self == .recordsPerSecond ? ValueFormat.number(value) + "/s" : format(value)
    }

    /// `value` with this unit, e.g. "1.5k records/s".
    public func format(_ value: Double) -> String {
        switch self {
        case .bytesPerSecond: return ValueFormat.bytes(value) + "/s"
        case .milliseconds:
            if abs(value) >= 60_000 { return ValueFormat.number(value / 60_000) + " min" }
            if abs(value) >= 1_000 { return ValueFormat.number(value / 1_000) + " s" }
            return ValueFormat.number(value) + " ms"
        case .count, .score: return ValueFormat.number(value)
        case .recordsPerSecond, .perMinute: return ValueFormat.number(value) + (self == .perMinute ? "/min" : " records/s")
        }
    }
}

enum ValueFormat {
    /// At most three significant digits, with k, M, G past a thousand.
    static func number(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1e9 { return trimmed(value / 1e9) + "G" }
        if magnitude >= 1e6 { return trimmed(value / 1e6) + "M" }
        if magnitude >= 1e3 { return trimmed(value / 1e3) + "k" }
        return trimmed(value)
    }

    static func bytes(_ value: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var scaled = value, index = 0
        while abs(scaled) >= 1024 && index < units.count - 1 { scaled /= 1024; index += 1 }
        return trimmed(scaled) + " " + units[index]
    }

    /// Two decimals below 10, one below 100, none above; no trailing zeros.
    static func trimmed(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "-∞") }
        let decimals = abs(value) < 10 ? 2 : abs(value) < 100 ? 1 : 0
        var factor = 1.0
        for _ in 0..<decimals { factor *= 10 }
        let rounded = (value * factor).rounded() / factor
        if rounded == rounded.rounded() && abs(rounded) < 1e15 { return String(Int64(rounded)) }
        var text = String(rounded)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
