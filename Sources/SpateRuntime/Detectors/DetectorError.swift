// DetectorError: what can go wrong configuring detectors (restoring them is a
// StateError, like every operator's checkpoint).
// Each case is a mistake a user can cause, with a
// message that says what happened and what to do; bugs are preconditions.

/// An error configuring the detectors (a bad option value).
public enum DetectorError: Error, Equatable, CustomStringConvertible {
    /// An option value out of its range: detector, option, value, allowed range.
    case invalidOption(detector: String, option: String, value: Double, allowed: String)
    /// A detector name the runtime does not know (the analyzer and runtime disagree).
    case unknownDetector(String)

    public var description: String {
        switch self {
        case let .invalidOption(detector, option, value, allowed):
            return "\(detector) option \(option) => \(formatOption(value)) is out of range; use \(allowed)"
        case let .unknownDetector(name):
            return "unknown detector \(name)"
        }
    }
}

private func formatOption(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
}
