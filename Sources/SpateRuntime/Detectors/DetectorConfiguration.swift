// DetectorConfiguration: a detector call's options, checked and with defaults.
//
// The analyzer (SpateSQL DetectorCatalog) accepts the option NAMES; this file
// owns their VALUES: defaults, ranges and what ANOMALY_SCORE means. Option names
// are those of DetectorCatalog: threshold, warmup, alpha (ZSCORE, ROBUST_SCORE),
// trees, sample_size, shingle, time_decay, seed (RCF); ANOMALY_SCORE takes all.
//
// How a score becomes `anomaly` (AnomalyRule): by default, calibrated — a row
// flags when its score is rarer than `risk` (default 0.001, one point in a
// thousand) among the key's own normal scores (ScoreCalibrator), so one default
// works on any series and for any detector; until a key has 64 scores the
// fixed default threshold below decides. `threshold => x` fixes a raw
// threshold instead (calibration is then only reported, in anomaly_grade).
//
// ANOMALY_SCORE with several inputs and no forest option is MAHALANOBIS
// (a streaming Hotelling T², MahalanobisDetector.swift): on the SKAB sensor
// benchmark it is the best of the built-ins. With one input and no forest option
// (trees, sample_size, shingle, time_decay, seed) it is ROBUST_SCORE; with any
// forest option it is RCF. Why ROBUST_SCORE for one input: with
// one input, median/MAD costs at most 16 KiB per key against ~1 MiB for a
// forest (so GROUP BY userId over many users stays in memory), needs no seed,
// and with calibration it is the best of the built-ins in the quality harness
// on both one-input corpora (transactions F1 0.66 against 0.63 for ZSCORE and
// 0.50 for RCF; series F1 0.80, 6/7 windows, 0.08 false alarms per 1,000
// points, against 0.75 for ZSCORE and 0.43–0.67 for RCF with shingle 1–8).
// On SKAB's eight sensors MAHALANOBIS reaches F1 0.67 at FAR 17.6 %, where RCF
// stays below the forest floor. A forest is chosen only by naming one of its
// options, since its cost per key should be a choice.
// The resolved kind is reported by `kind` (EXPLAIN can show it).
//
// Invariant: every stored value is in range; a value out of range is a
// `DetectorError.invalidOption` naming the option and the allowed range.

/// Which model scores the points.
public enum DetectorKind: UInt8, Sendable, Equatable {
    case zscore = 1
    case robustScore = 2
    case randomCutForest = 3
    case mahalanobis = 4
}

/// Checked options of one detector call.
public struct DetectorConfiguration: Sendable, Equatable {
    /// The SQL function as written (ZSCORE, ROBUST_SCORE, RCF, ANOMALY_SCORE).
    public var function: String
    public var kind: DetectorKind
    /// Inputs per point (the forest's dimension is inputCount × shingle).
    public var inputCount: Int
    /// The raw threshold: fixed when the user gave `threshold`, otherwise the
    /// fallback used until a key's calibrator is ready.
    public var threshold: Double
    /// True when `threshold` was given: the raw score then decides alone.
    public var thresholdIsFixed: Bool
    /// The tail probability below which a calibrated score flags.
    public var risk: Double
    /// `alerts_per_day => n`: the alert rate a user accepts per key (needs event times).
    public var alertsPerDay: Double?
    /// Derived from kind and risk when the configuration is made (computing it
    /// takes a bisection: not once per batch).
    public private(set) var calibratedFloor = 0.0
    /// Points learned before the first score (scores are NULL until then).
    public var warmupCount: Int
    /// ZSCORE: exponential weight of the newest point; nil = equal weights (Welford).
    public var alpha: Double?
    /// ROBUST_SCORE: values in the median/MAD window.
    public var windowCount: Int
    /// ZSCORE, ROBUST_SCORE: points per seasonal period (`season => N`); 0 = none.
    public var seasonLength: Int
    /// RCF.
    public var treeCount: Int
    public var sampleSize: Int
    public var shingleCount: Int
    /// RCF reservoir decay per point (λ): a point k points old is kept with weight e^(−λk).
    public var timeDecay: Double
    public var seed: UInt64

    public static let zscoreThresholdDefault = 3.0
    /// Iglewicz and Hoaglin's cut-off for the modified z-score.
    public static let robustThresholdDefault = 3.5
    /// AWS-normalized RCF scores sit near 1 for ordinary points; see RandomCutForest.swift.
    public static let forestThresholdDefault = 3.0
    /// RCF's lowest calibrated threshold (ordinary points score about 1).
    public static let forestFloor = 2.0
    public static let warmupDefault = 30
    /// One point in a thousand: on the harness's series, ≤ 1 false alarm per 1,000 points.
    public static let riskDefault = 0.001
    /// MAHALANOBIS: points that fit the first mean and covariance.
    public static let mahalanobisWarmupDefault = 256
    /// MAHALANOBIS: exponential weight of a normal point once warmed up (memory ~1,000 points).
    public static let mahalanobisAlphaDefault = 0.001
    public static let robustWindowDefault = 1024
    public static let treeCountDefault = 50
    public static let sampleSizeDefault = 256
    /// Longest season in points (a week of minutes), bounding state per key.
    public static let seasonLengthMax = 10_080
    /// Forest dimension bound (inputs × shingle): bounds state per key.
    public static let dimensionsMax = 256

    /// Checks `options` (lower-case names, as in DetectorPlan) for `function`.
    public init(function name: String, inputCount: Int, options: [String: Double]) throws(DetectorError) {
        let upper = name.uppercased()
        function = upper
        self.inputCount = inputCount
        let forestOptions = ["trees", "sample_size", "shingle", "time_decay", "seed"]
        switch upper {
        case "ZSCORE": kind = .zscore
        case "ROBUST_SCORE": kind = .robustScore
        case "RCF": kind = .randomCutForest
        case "MAHALANOBIS": kind = .mahalanobis
        case "ANOMALY_SCORE":
            if forestOptions.contains(where: { options[$0] != nil }) {
                kind = .randomCutForest
            } else {
                kind = inputCount > 1 ? .mahalanobis : .robustScore
            }
        default: throw .unknownDetector(name)
        }
        let multiInput = kind == .randomCutForest || kind == .mahalanobis
        guard inputCount >= 1, multiInput || inputCount == 1 else {
            throw .invalidOption(detector: upper, option: "inputs", value: Double(inputCount), allowed: multiInput ? "1 or more inputs" : "exactly one input")
        }
        let reader = OptionReader(detector: upper, options: options)
        thresholdIsFixed = options["threshold"] != nil
        switch kind {
        case .zscore: threshold = try reader.positive("threshold", default: Self.zscoreThresholdDefault)
        case .robustScore: threshold = try reader.positive("threshold", default: Self.robustThresholdDefault)
        case .randomCutForest: threshold = try reader.positive("threshold", default: Self.forestThresholdDefault)
        case .mahalanobis:
            threshold = try reader.positive("threshold", default: MahalanobisDetector.distanceQuantile(dimensions: inputCount, risk: Self.riskDefault))
        }
        risk = try reader.real("risk", default: Self.riskDefault, in: 1e-9...ScoreCalibrator.riskMax)
        alertsPerDay = options["alerts_per_day"] == nil ? nil : try reader.positive("alerts_per_day", default: 1)
        if alertsPerDay != nil && (options["risk"] != nil || options["threshold"] != nil) {
            throw .invalidOption(detector: upper, option: "alerts_per_day", value: alertsPerDay!,
                                 allowed: "alerts_per_day alone: it sets the risk of each key (drop risk or threshold)")
        }
        alpha = try reader.unitInterval("alpha")
        if kind == .mahalanobis && alpha == nil { alpha = Self.mahalanobisAlphaDefault }
        windowCount = Self.robustWindowDefault
        if kind == .robustScore, let alpha {
            // An EWMA with weight α has the mean age of a window of 2/α − 1 points.
            windowCount = min(1024, max(8, Int((2 / alpha - 1).rounded())))
        }
        seasonLength = try reader.integer("season", default: 0, in: 0...Self.seasonLengthMax)
        if seasonLength == 1 { throw .invalidOption(detector: upper, option: "season", value: 1, allowed: "0 (none) or 2 to \(Self.seasonLengthMax) points a period") }
        if seasonLength > 0 && kind != .zscore && kind != .robustScore {
            throw .invalidOption(detector: upper, option: "season", value: Double(seasonLength),
                                 allowed: "a season on one input (ZSCORE, ROBUST_SCORE, ANOMALY_SCORE of one input); a forest sees shapes through shingle")
        }
        treeCount = try reader.integer("trees", default: Self.treeCountDefault, in: 1...1000)
        sampleSize = try reader.integer("sample_size", default: Self.sampleSizeDefault, in: 4...4096)
        shingleCount = try reader.integer("shingle", default: 1, in: 1...64)
        let dimensions = inputCount * shingleCount
        guard kind != .randomCutForest || dimensions <= Self.dimensionsMax else {
            throw .invalidOption(detector: upper, option: "shingle", value: Double(shingleCount),
                                 allowed: "inputs × shingle ≤ \(Self.dimensionsMax)")
        }
        timeDecay = try reader.real("time_decay", default: 1 / (10 * Double(sampleSize)), in: 0...1)
        seed = UInt64(try reader.integer("seed", default: 42, in: 0...(1 << 53)))
        // The forest needs a quarter of a sample before its depths mean anything (AWS's outputAfter).
        let warmupDefault = switch kind {
        case .randomCutForest: max(Self.warmupDefault, sampleSize / 4)
        case .mahalanobis: max(Self.mahalanobisWarmupDefault, 4 * inputCount)
        case .zscore, .robustScore: Self.warmupDefault
        }
        warmupCount = try reader.integer("warmup", default: warmupDefault, in: 2...1_000_000)
        calibratedFloor = Self.calibratedFloor(kind: kind, inputCount: inputCount, risk: risk)
    }

    /// The forest's point dimension.
    public var dimensions: Int { inputCount * shingleCount }

    /// Bytes of model state per key when full (what a key costs at steady state).
    public var stateBytesPerKey: Int {
        let model: Int
        switch kind {
        case .zscore: model = ZScoreDetector.stateBytes
        case .robustScore: model = RobustScoreDetector.stateBytes(windowCount: windowCount)
        case .randomCutForest:
            model = RandomCutForest.stateBytes(treeCount: treeCount, sampleSize: sampleSize, dimensions: dimensions, shingleCount: shingleCount)
                + InputNormalizer.stateBytes(inputCount: inputCount)
        case .mahalanobis: model = MahalanobisDetector.stateBytes(dimensions: inputCount)
        }
        return model + ScoreCalibrator.stateBytes + (seasonLength > 0 ? SeasonalBaseline.stateBytes(length: seasonLength) : 0)
    }

    /// How a raw score becomes `anomaly`.
    public var rule: AnomalyRule {
        AnomalyRule(fixedThreshold: thresholdIsFixed ? threshold : nil, fallbackThreshold: threshold, risk: risk,
                    alertsPerDay: alertsPerDay, learnsFlaggedCapped: kind != .mahalanobis, calibratedFloor: calibratedFloor,
                    kind: kind, inputCount: inputCount)
    }

    /// The lowest threshold calibration may set (AnomalyRule.calibratedFloor):
    /// for the z-like scores the two-sided Gaussian quantile for `risk` (3.29 at
    /// 0.001), for MAHALANOBIS the χ quantile of its inputs, for RCF
    /// `forestFloor` (a point twice as easy to isolate as an ordinary one).
    static func calibratedFloor(kind: DetectorKind, inputCount: Int, risk: Double) -> Double {
        switch kind {
        case .zscore, .robustScore: MahalanobisDetector.normalQuantile(1 - risk / 2)
        case .mahalanobis: MahalanobisDetector.distanceQuantile(dimensions: inputCount, risk: risk)
        case .randomCutForest: Self.forestFloor
        }
    }

    /// A new, empty model for one key.
    public func makeModel() -> DetectorModel { DetectorModel(self) }
}

/// Reads and range-checks named options.
private struct OptionReader {
    let detector: String
    let options: [String: Double]

    func positive(_ name: String, default value: Double) throws(DetectorError) -> Double {
        guard let given = options[name] else { return value }
        guard given > 0, given.isFinite else { throw .invalidOption(detector: detector, option: name, value: given, allowed: "a number above 0") }
        return given
    }

    func unitInterval(_ name: String) throws(DetectorError) -> Double? {
        guard let given = options[name] else { return nil }
        guard given > 0, given <= 1 else { throw .invalidOption(detector: detector, option: name, value: given, allowed: "0 < \(name) ≤ 1") }
        return given
    }

    func real(_ name: String, default value: Double, in range: ClosedRange<Double>) throws(DetectorError) -> Double {
        guard let given = options[name] else { return value }
        guard range.contains(given) else {
            throw .invalidOption(detector: detector, option: name, value: given, allowed: "\(range.lowerBound) ≤ \(name) ≤ \(range.upperBound)")
        }
        return given
    }

    func integer(_ name: String, default value: Int, in range: ClosedRange<Int>) throws(DetectorError) -> Int {
        guard let given = options[name] else { return value }
        guard given == given.rounded(), given >= Double(range.lowerBound), given <= Double(range.upperBound) else {
            throw .invalidOption(detector: detector, option: name, value: given, allowed: "a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return Int(given)
    }
}
