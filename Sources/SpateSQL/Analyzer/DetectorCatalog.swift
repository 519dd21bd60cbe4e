// DetectorCatalog: the anomaly detector functions the analyzer recognizes, with
// their arities and the named options each accepts.
//
// Layer: SpateSQL analyzer. The detectors themselves live in SpateRuntime (the
// detectors issue); the analyzer only checks calls and records them as
// DetectorPlan. Adding a detector or an option: one entry here.
//
// Options are checked by name so that a typo (`treshold => 4`) is an error with
// a suggestion rather than a silently ignored setting. Every option value is a
// constant number (a DetectorPlan keeps options as Double).

/// A detector function: ZSCORE, ROBUST_SCORE, RCF, MAHALANOBIS or ANOMALY_SCORE.
enum DetectorFunction: String, CaseIterable {
    case zscore = "ZSCORE"
    case robustScore = "ROBUST_SCORE"
    case rcf = "RCF"
    case mahalanobis = "MAHALANOBIS"
    case anomalyScore = "ANOMALY_SCORE"

    static func named(_ name: String) -> DetectorFunction? {
        DetectorFunction(rawValue: name.uppercased())
    }

    var name: String { rawValue }

    /// How many positional (input) arguments the detector takes.
    var inputCount: ClosedRange<Int> {
        switch self {
        case .zscore, .robustScore: return 1...1
        case .rcf, .mahalanobis, .anomalyScore: return 1...Self.inputsMax
        }
    }

    /// Inputs of a multi-dimensional detector (RCF); a bound on per-key state.
    static let inputsMax = 16

    /// Named options accepted, lower-case.
    var optionNames: [String] {
        let common = ["threshold", "warmup", "risk", "alerts_per_day"]
        switch self {
        case .zscore, .robustScore: return common + ["alpha", "season"]
        case .mahalanobis: return common + ["alpha"]
        case .rcf: return common + ["trees", "sample_size", "shingle", "time_decay", "seed"]
        case .anomalyScore: return common + ["alpha", "season", "trees", "sample_size", "shingle", "time_decay", "seed"]
        }
    }
}
