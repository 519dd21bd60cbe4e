// DetectorError: what can go wrong configuring, running or restoring detectors.
// Each case is a mistake a user or a damaged checkpoint can cause, with a
// message that says what happened and what to do; bugs are preconditions.

/// An error from the detectors (bad option value, unreadable checkpoint).
public enum DetectorError: Error, Equatable, CustomStringConvertible {
    /// An option value out of its range: detector, option, value, allowed range.
    case invalidOption(detector: String, option: String, value: Double, allowed: String)
    /// A detector name the runtime does not know (the analyzer and runtime disagree).
    case unknownDetector(String)
    /// A checkpoint that cannot be read back.
    case corruptState(String)
    /// A checkpoint written for other detectors (the query changed since).
    case stateMismatch(String)

    public var description: String {
        switch self {
        case let .invalidOption(detector, option, value, allowed):
            return "\(detector) option \(option) => \(formatOption(value)) is out of range; use \(allowed)"
        case let .unknownDetector(name):
            return "unknown detector \(name)"
        case let .corruptState(message):
            return "detector checkpoint is damaged: \(message); drop the job's checkpoint to start the detectors afresh"
        case let .stateMismatch(message):
            return "detector checkpoint does not match the query: \(message); the detectors must start afresh (drop the checkpoint)"
        }
    }
}

private func formatOption(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
}
