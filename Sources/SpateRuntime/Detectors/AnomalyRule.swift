// AnomalyRule: how one detector's raw score becomes the `anomaly` flag, and
// what the key's calibrator learns from it. The one place both the operator's
// banks and the point-by-point DetectorModel decide, so a backtest, a job and
// the quality harness flag exactly the same rows.
//
// - `threshold => x` given: flag when raw ≥ x.
// - otherwise, once the key's ScoreCalibrator is ready: flag when the score is
//   rarer than `risk` (raw > the calibrator's cached threshold for it) and at
//   least the detector's floor for that risk;
// - before that: flag when raw ≥ the detector's default threshold.
// A score that does not flag is learned by the calibrator. A flagged one is
// learned capped at the threshold it passed when the model itself learns every
// point (ZSCORE, ROBUST_SCORE, RCF): such a model absorbs a new regime (a level
// shift) and its scores come down only part of the way, so a calibrator that
// ignored them would alert for as long as the model remembers the old regime;
// the cap keeps one wild score from stretching the tail. A model that learns
// only normal points (MAHALANOBIS) keeps scoring a long anomaly high, and its
// calibrator must not learn those scores at all (SPOT's rule: an anomaly must
// not teach the tail that it is normal).

/// The alert rule of one detector.
public struct AnomalyRule: Sendable, Equatable {
    /// The raw threshold the user fixed, if any.
    public var fixedThreshold: Double?
    /// The raw threshold used until a key's calibrator is ready.
    public var fallbackThreshold: Double
    /// Tail probability below which a calibrated score flags.
    public var risk: Double
    /// `alerts_per_day => n`: the risk of a key is n / (its points a day), once
    /// its points span a minute (before that, `risk`).
    public var alertsPerDay: Double?
    /// Whether a flagged score is learned, capped at its threshold (see the header).
    public var learnsFlaggedCapped: Bool
    /// The lowest calibrated threshold: the score a well-behaved key needs for
    /// this risk (DetectorConfiguration.calibratedFloor). A key whose history is
    /// short or unusually calm then cannot alert on ordinary wobbles.
    public var calibratedFloor: Double
    /// What the floor is for a key whose risk alerts_per_day moved.
    public var kind: DetectorKind
    public var inputCount: Int

    /// Whether `raw` flags; learns it into `calibrator` when it does not.
    @inline(__always)
    public func decide(_ raw: Double, _ calibrator: inout ScoreCalibrator) -> Bool {
        var threshold = 0.0
        return decide(raw, &calibrator, threshold: &threshold)
    }

    /// `decide`, also giving the threshold `raw` was held to (what a job's
    /// score series draws as the alert line).
    @inline(__always)
    public func decide(_ raw: Double, _ calibrator: inout ScoreCalibrator, threshold decided: inout Double) -> Bool {
        let risk = alertsPerDay == nil ? self.risk : self.risk(of: calibrator)
        let floor = alertsPerDay == nil || risk == self.risk
            ? calibratedFloor : DetectorConfiguration.calibratedFloor(kind: kind, inputCount: inputCount, risk: risk)
        let threshold = fixedThreshold ?? (calibrator.isReady ? max(calibrator.cachedThreshold, floor) : fallbackThreshold)
        // A raw threshold (the user's, or the default before calibration) is
        // reached at equality, as it always was; a calibrated one must be passed.
        let flagged = fixedThreshold != nil || !calibrator.isReady ? raw >= threshold : raw > threshold
        decided = threshold
        if !flagged {
            calibrator.learn(raw, risk: risk)
        } else if learnsFlaggedCapped {
            calibrator.learn(threshold, risk: risk)
        }
        return flagged
    }

    /// The risk a key's calibrator is held to: `risk`, or alerts_per_day over
    /// the key's points a day (within 10⁻⁹ … ScoreCalibrator.riskMax).
    public func risk(of calibrator: ScoreCalibrator) -> Double {
        guard let alertsPerDay, let pointsPerDay = calibrator.pointsPerDay else { return risk }
        return min(max(alertsPerDay / pointsPerDay, 1e-9), ScoreCalibrator.riskMax)
    }

    /// The calibrated grade of `raw` in [0, 1]: 1 − its tail probability (nil
    /// before the calibrator is ready). A grade ≥ 1 − risk is an anomaly.
    @inline(__always)
    public static func grade(_ raw: Double, _ calibrator: ScoreCalibrator) -> Double? {
        calibrator.tailProbability(raw).map { 1 - $0 }
    }
}
