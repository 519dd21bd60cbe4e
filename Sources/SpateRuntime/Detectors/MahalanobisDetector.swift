// MahalanobisDetector: a streaming Hotelling T² chart over several inputs, for
// one key — how far a point lies from the key's normal operating point, in the
// units of its own covariance. The detector behind ANOMALY_SCORE(x, y, …).
//
// Math: with μ and Σ the mean and covariance of the key's normal points BEFORE
// x, the score is the Mahalanobis distance d(x) = sqrt((x − μ)ᵀ Σ⁻¹ (x − μ)).
// With one input it is |z|; for Gaussian data d² follows χ² with one degree
// of freedom per input, which sets the fallback threshold (the 1 − risk
// quantile, Wilson–Hilferty) used until the key's calibrator is ready.
// Σ is regularized before it is factored (Cholesky): Σᵢᵢ·(1 + 10⁻³) on the
// diagonal plus a floor of 10⁻¹⁸·max(μᵢ², 1), so a constant input does not make
// it singular (and any change of it then scores very high, as in ZSCORE).
// The distance is invariant to scaling or shifting any input — inputs on scales
// from 0.03 to 230 (SKAB's sensors) contribute by how unusual they are.
//
// Learning:
// - warm-up: the first `warmupCount` points (default 256) are learned with
//   equal weights (Welford) and scored NULL;
// - then exponentially weighted (α, default 0.001: a memory of ~1,000 points),
//   so the operating point may drift — but only points that did NOT flag are
//   learned: a long anomaly (a closed valve for ten minutes) stays anomalous
//   instead of becoming the new normal. This is what makes the detector work on
//   SKAB, where the labelled anomalies last hundreds of points.
// - regime change: if more than 90 % of recent points flagged (an exponential
//   average with a memory of ~250 points), the old regime is gone for good (a
//   permanent level shift); the detector warms up again on the new one and
//   `restartCount` counts it. Without this a permanent change would alert forever.
//
// Explanation (`explain`): Σ⁻¹-weighted contributions cᵢ = (xᵢ − μᵢ)·(Σ⁻¹(x − μ))ᵢ,
// which sum to d² — the usual T² decomposition; an input with a large share
// pushed the score, its sign of xᵢ − μᵢ says in which direction, and
// μᵢ ± 3·sqrt(Σᵢᵢ) is its normal range.
//
// Memory per key: (2d + 2d²) doubles for d inputs — 1.1 KiB for 8 — plus counters.
// Checkpoint: count, restarts (UInt64), flag rate, mean, co-moments (Welford
// sums during warm-up, covariance after), d + d² doubles; the Cholesky factor
// is recomputed on restore.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Streaming Hotelling T² state of one key.
public struct MahalanobisDetector: Sendable {
    public let dimensions: Int
    /// Points learned in the current regime.
    public private(set) var count: UInt64 = 0
    /// Regime changes seen (warm-ups restarted).
    public private(set) var restartCount: UInt64 = 0
    /// Exponential average of the flag (memory ~250 points).
    private var flagRate = 0.0
    private var mean: [Double]
    /// Welford co-moments during warm-up, the covariance after.
    private var covariance: [Double]
    /// Lower Cholesky factor of the regularized covariance (row-major), valid after warm-up.
    private var factor: [Double]
    private var factorIsValid = false
    /// Scratch for the deviation and solves (not state).
    private var scratch: [Double]

    static let flagRateWeight = 1.0 / 250
    static let regimeChangeFlagRate = 0.9

    public init(dimensions: Int) {
        precondition(dimensions >= 1)
        self.dimensions = dimensions
        mean = [Double](repeating: 0, count: dimensions)
        covariance = [Double](repeating: 0, count: dimensions * dimensions)
        factor = covariance
        scratch = [Double](repeating: 0, count: 2 * dimensions)
    }

    static func stateBytes(dimensions d: Int) -> Int { (3 * d * d + 4 * d) * 8 + 4 * 32 + 48 }

    /// The distance of `x` from the key's normal points (nil during warm-up).
    public mutating func distance(_ x: UnsafeBufferPointer<Double>, warmupCount: Int) -> Double? {
        guard count >= UInt64(warmupCount) else { return nil }
        if !factorIsValid { refactor() }
        let d = dimensions
        return factor.withUnsafeBufferPointer { l in
            scratch.withUnsafeMutableBufferPointer { y in
                var sum = 0.0
                // Forward substitution: L y = x − μ.
                for i in 0..<d {
                    var value = x[i] - mean[i]
                    for k in 0..<i { value -= l[i * d + k] * y[k] }
                    value /= l[i * d + i]
                    y[i] = value
                    sum += value * value
                }
                return sum.squareRoot()
            }
        }
    }

    /// Learns `x` unless it flagged (see the header). Returns true when this
    /// point completed a regime change: the caller then resets the key's calibrator.
    public mutating func learn(_ x: UnsafeBufferPointer<Double>, flagged: Bool, warmupCount: Int, alpha: Double) -> Bool {
        let d = dimensions
        if count < UInt64(warmupCount) {
            count += 1
            let n = Double(count)
            scratch.withUnsafeMutableBufferPointer { delta in
                for i in 0..<d { delta[i] = x[i] - mean[i]; mean[i] += delta[i] / n }
                for i in 0..<d { for j in 0..<d { covariance[i * d + j] += delta[i] * (x[j] - mean[j]) } }
            }
            if count == UInt64(warmupCount) {
                let scale = 1 / max(n - 1, 1)
                for index in covariance.indices { covariance[index] *= scale }
                factorIsValid = false
            }
            return false
        }
        flagRate += Self.flagRateWeight * ((flagged ? 1 : 0) - flagRate)
        if flagRate > Self.regimeChangeFlagRate {
            let restarts = restartCount + 1
            self = MahalanobisDetector(dimensions: d)
            restartCount = restarts
            return true
        }
        guard !flagged else { return false }
        count += 1
        scratch.withUnsafeMutableBufferPointer { delta in
            for i in 0..<d { delta[i] = x[i] - mean[i]; mean[i] += alpha * delta[i] }
            for i in 0..<d {
                for j in 0..<d {
                    covariance[i * d + j] = (1 - alpha) * (covariance[i * d + j] + alpha * delta[i] * delta[j])
                }
            }
        }
        factorIsValid = false
        return false
    }

    /// Per input: (expected value, normal range half-width, share of d², deviation) for `x`.
    public mutating func explain(_ x: UnsafeBufferPointer<Double>, warmupCount: Int) -> [InputAttribution]? {
        guard let distance = distance(x, warmupCount: warmupCount) else { return nil }
        let d = dimensions
        // z = Σ⁻¹(x − μ) = L⁻ᵀ y, with y from `distance` in scratch[0..<d].
        var z = [Double](repeating: 0, count: d)
        for i in stride(from: d - 1, through: 0, by: -1) {
            var value = scratch[i]
            for k in (i + 1)..<d { value -= factor[k * d + i] * z[k] }
            z[i] = value / factor[i * d + i]
        }
        let total = max(distance * distance, 1e-300)
        return (0..<d).map { i in
            let deviation = x[i] - mean[i]
            return InputAttribution(observed: x[i], expected: mean[i], spread: covariance[i * d + i].squareRoot(),
                                    share: deviation * z[i] / total)
        }
    }

    /// Cholesky of the regularized covariance (see the header).
    private mutating func refactor() {
        let d = dimensions
        for i in 0..<d {
            for j in 0...i {
                var sum = covariance[i * d + j]
                if i == j { sum += 1e-3 * covariance[i * d + i] + 1e-18 * max(mean[i] * mean[i], 1) }
                for k in 0..<j { sum -= factor[i * d + k] * factor[j * d + k] }
                if i == j {
                    factor[i * d + i] = max(sum, 1e-300).squareRoot()
                } else {
                    factor[i * d + j] = sum / factor[j * d + j]
                }
            }
        }
        factorIsValid = true
    }

    /// The Mahalanobis distance that Gaussian data passes with probability
    /// `risk`: sqrt of the χ² quantile with `dimensions` degrees of freedom
    /// (Wilson–Hilferty), the fallback threshold before calibration.
    public static func distanceQuantile(dimensions: Int, risk: Double) -> Double {
        let z = normalQuantile(1 - risk)
        let k = Double(dimensions)
        let c = 2 / (9 * k)
        let chiSquare = k * pow(max(1 - c + z * c.squareRoot(), 0), 3)
        return chiSquare.squareRoot()
    }

    /// The standard normal quantile: Acklam's rational approximation (relative
    /// error 1.2e-9) and one Halley step on erfc — cheap enough to compute
    /// per key when alerts_per_day moves a key's risk.
    static func normalQuantile(_ p: Double) -> Double {
        guard p > 0 else { return -.infinity }
        guard p < 1 else { return .infinity }
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        func tail(_ q: Double) -> Double {
            (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        var x: Double
        if p < low {
            x = tail((-2 * log(p)).squareRoot())
        } else if p <= 1 - low {
            let q = p - 0.5, r = q * q
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
        } else {
            x = -tail((-2 * log(1 - p)).squareRoot())
        }
        let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
        let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
        x -= u / (1 + x * u / 2)
        return x
    }

    func write(to writer: inout StateWriter) {
        writer.write(count)
        writer.write(restartCount)
        writer.write(flagRate)
        mean.withUnsafeBufferPointer { writer.write(doubles: $0) }
        covariance.withUnsafeBufferPointer { writer.write(doubles: $0) }
    }

    static func read(from reader: inout StateReader, dimensions: Int) throws(StateError) -> MahalanobisDetector {
        var state = MahalanobisDetector(dimensions: dimensions)
        state.count = try reader.readUInt64()
        state.restartCount = try reader.readUInt64()
        state.flagRate = try reader.readDouble()
        try state.mean.withUnsafeMutableBufferPointer { buffer throws(StateError) in try reader.readDoubles(into: buffer) }
        try state.covariance.withUnsafeMutableBufferPointer { buffer throws(StateError) in try reader.readDoubles(into: buffer) }
        return state
    }
}

/// Why one input of a multivariate score looks the way it does.
public struct InputAttribution: Sendable, Equatable {
    /// The input's value in the scored row.
    public var observed: Double
    /// What the key's normal points lead to expect.
    public var expected: Double
    /// One standard deviation of the input among normal points (range: expected ± 3 spreads).
    public var spread: Double
    /// The input's part of the score (the shares of a score sum to 1; a negative
    /// share means the input made the point look more normal given the others).
    public var share: Double

    /// "high" or "low": the side of the expected value the input lies on.
    public var direction: String { observed >= expected ? "high" : "low" }
}
