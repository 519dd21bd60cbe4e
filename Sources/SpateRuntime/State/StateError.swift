// StateError: a checkpoint's operator state that cannot be read back — the
// codec's error (StateCoding.swift), raised while a job restores its windows,
// watermark and detectors. JobWorker turns it into the job's error with the
// way out (RESTART JOB); queries never see it. Configuration mistakes are
// DetectorError, running failures RuntimeError.

/// Operator state that cannot be read.
public enum StateError: Error, Equatable, CustomStringConvertible {
    case truncated
    /// Bytes that do not make sense (a reference out of range, a count over its limit).
    case corrupt(String)
    case unknownVersion(what: String, found: UInt8, known: UInt8)
    /// State written for another query (its detectors, keys or windows changed).
    case mismatch(String)

    public var description: String {
        switch self {
        case .truncated: return "checkpointed operator state is truncated (RESTART JOB to start over)"
        case let .corrupt(message): return "checkpointed operator state is damaged: \(message) (RESTART JOB to start over)"
        case let .unknownVersion(what, found, known):
            return "checkpointed \(what) state has format \(found); this spate reads format \(known) (RESTART JOB to start over)"
        case let .mismatch(message): return "checkpointed state does not match the job's query: \(message) (RESTART JOB to start over)"
        }
    }
}
