// ZScoreDetector: the classic z-score, streaming, for one key.
//
// Math: score(x) = |x − mean| / stddev, with mean and stddev of the points seen
// BEFORE x, so a spike is judged against the past and does not hide itself.
// Then x is learned:
// - equal weights (no alpha): Welford's update — n += 1; d = x − mean;
//   mean += d / n; m2 += d · (x − mean); stddev = sqrt(m2 / (n − 1)), the
//   sample standard deviation. Numerically stable for long streams.
// - alpha (0 < α ≤ 1): exponentially weighted mean and variance (West 1979;
//   Finch 2009): d = x − mean; mean += α·d; var = (1 − α)·(var + α·d²).
//   The effective memory is about 2/α − 1 points, so the score follows a
//   drifting level.
// Zero spread (a constant history): the spread is floored at
// 1e-9 · max(|mean|, 1) (`DetectorScore.spreadFloor`), so x == mean scores 0 and
// any visible change scores enormously (≥ 1e3 for a change of a millionth of the
// level) and flags — a constant series that changes IS anomalous — while the
// score stays a finite DOUBLE that JSON and SQL can carry.
//
// Warm-up: the first `warmupCount` points (default 30) are learned and scored
// NULL; they never flag. Whether a score flags is the key's calibrator's call
// (AnomalyRule); the fixed 3 serves before calibration: for normal data 0.27 % of points
// pass |z| ≥ 3 (the three-sigma rule); heavier tails flag more — use ROBUST_SCORE.
//
// Memory per key: 24 bytes (count, mean, m2 or variance) — `stateBytes`.
// Checkpoint: count (UInt64), mean, spread (Double bit patterns).

/// Streaming z-score state of one key.
public struct ZScoreDetector: Equatable, Sendable {
    public private(set) var count: UInt64 = 0
    public private(set) var mean = 0.0
    /// Welford's m2 without alpha; the weighted variance with alpha.
    private(set) var spread = 0.0

    public static let stateBytes = MemoryLayout<ZScoreDetector>.stride

    public init() {}

    /// Scores `x` against the past (nil during warm-up), then learns it.
    @inline(__always)
    public mutating func score(_ x: Double, warmupCount: Int, alpha: Double?) -> Double? {
        var result: Double?
        if count >= UInt64(warmupCount) {
            let variance = alpha == nil ? spread / Double(count - 1) : spread
            result = DetectorScore.scaled(deviation: abs(x - mean), spread: variance.squareRoot(), center: mean)
        }
        learn(x, alpha: alpha)
        return result
    }

    /// The mean and standard deviation of the past (what the next point is judged against).
    func expected(alpha: Double?) -> (center: Double, spread: Double) {
        let variance = alpha == nil ? (count > 1 ? spread / Double(count - 1) : 0) : spread
        return (mean, variance.squareRoot())
    }

    @inline(__always)
    mutating func learn(_ x: Double, alpha: Double?) {
        if let alpha {
            if count == 0 {
                mean = x
            } else {
                let delta = x - mean
                mean += alpha * delta
                spread = (1 - alpha) * (spread + alpha * delta * delta)
            }
            count += 1
        } else {
            count += 1
            let delta = x - mean
            mean += delta / Double(count)
            spread += delta * (x - mean)
        }
    }

    func write(to writer: inout StateWriter) {
        writer.write(count)
        writer.write(mean)
        writer.write(spread)
    }

    static func read(from reader: inout StateReader) throws(StateError) -> ZScoreDetector {
        var state = ZScoreDetector()
        state.count = try reader.readUInt64()
        state.mean = try reader.readDouble()
        state.spread = try reader.readDouble()
        return state
    }
}

/// Score helpers shared by the statistical detectors.
enum DetectorScore {
    /// The smallest spread a score divides by: relative to the level, so that a
    /// constant history scores 0 for the same value and very high for any change.
    @inline(__always) static func spreadFloor(center: Double) -> Double {
        1e-9 * max(abs(center), 1)
    }

    @inline(__always) static func scaled(deviation: Double, spread: Double, center: Double) -> Double {
        deviation / max(spread, spreadFloor(center: center))
    }
}
