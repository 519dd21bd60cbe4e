// ScoreCalibrator: turns one key's raw detector scores into a tail probability
// — how rare a score this high is among the key's own normal scores — so that
// one alert rule ("flag when rarer than `risk`") means the same on every series,
// for every detector, shingle size and input count.
//
// Model: SPOT (Siffer et al., "Anomaly Detection in Streams with Extreme Value
// Theory", KDD 2017). Scores above a high quantile u (level p0 = 0.98) follow a
// generalized Pareto distribution (Pickands–Balkema–de Haan), so for a score
// x > u:
//     P(score > x) = (1 − p0) · (1 + ξ (x − u) / σ)^(−1/ξ)     (e^(−(x−u)/σ) at ξ = 0)
// and the score at tail probability q is
//     x_q = u + σ/ξ · (((1 − p0) / q)^ξ − 1).
// ξ and σ come from the mean e and variance v of the excesses x − u by the
// method of moments: ξ = ½ (1 − e²/v), σ = ½ e (1 + e²/v); ξ is kept in
// [−0.5, 0.5] (beyond, the moments are too noisy to trust an extrapolation).
// Below u the probability is not modelled: `tailProbability` reports
// 1 − p0 · x/u there (monotone, continuous at u), a rank-like value that never
// flags.
//
// Streaming (O(1) a score, no allocation after the first 64):
// - the first `initialCount` (64) scores are kept; then the tail is fitted to
//   their top quarter and carried up to the p0 quantile (see fitInitial);
// - after that u follows the p0 quantile by stochastic approximation (a step of
//   0.05 · e up with weight p0 when x > u, down with weight 1 − p0 otherwise),
//   and e, v are exponentially weighted over the last ~1,000 excesses.
// - What a flagged score teaches is the caller's choice (AnomalyRule): nothing
//   (SPOT's gating), or the threshold it passed. Either way the model misses
//   the top of the real tail, so on stationary data the alert rate runs
//   somewhat above `risk` (measured in the tests and the harness).
//
// Before 64 scores have been learned the calibrator is not ready; callers then
// fall back to the detector's fixed raw threshold (DetectorConfiguration).
//
// Memory per key: 64 doubles until ready (then released) plus 6 words.
// Checkpoint: count (UInt64), learned initial scores (UInt32 count + doubles,
// only while not ready), u, e, v (Double bit patterns), excess count (UInt64),
// cached threshold (Double), first and latest event time (Int64), timed points (UInt64).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The tail model of one key's scores.
public struct ScoreCalibrator: Sendable, Equatable {
    /// The quantile above which the tail is modelled.
    public static let tailLevel = 0.98
    /// Scores learned before the model is used.
    public static let initialCount = 64
    /// Excesses the moments average over (exponential weights).
    static let excessMemory = 1_000.0
    static let shapeBound = 0.5
    /// The largest risk the model can express: below the tail it has no shape.
    public static let riskMax = (1 - tailLevel) / 2

    /// Scores learned.
    public private(set) var count: UInt64 = 0
    private var initial: [Double] = []
    private var u = 0.0
    private var excessMean = 0.0
    private var excessVariance = 0.0
    private var excessCount: UInt64 = 0
    /// `threshold(risk:)` as of the latest refresh (every 16th score learned):
    /// the per-row test is then one comparison. Checkpointed, so a restored key
    /// decides exactly as the uninterrupted one would.
    public private(set) var cachedThreshold = Double.infinity
    /// Event times seen (for `alerts_per_day`): the first, the latest, and how many.
    private var firstTimeMs = Int64.max
    private var lastTimeMs = Int64.min
    private var timedCount: UInt64 = 0

    public init() {}

    /// Notes the event time of a scored point (alerts_per_day turns the key's
    /// rate of points into a risk).
    @inline(__always) public mutating func observeTime(_ ms: Int64) {
        firstTimeMs = min(firstTimeMs, ms)
        lastTimeMs = max(lastTimeMs, ms)
        timedCount &+= 1
    }

    /// The key's points a day so far (nil until its points span a minute).
    public var pointsPerDay: Double? {
        guard timedCount >= 2, lastTimeMs > firstTimeMs, lastTimeMs - firstTimeMs >= 60_000 else { return nil }
        return Double(timedCount - 1) * 86_400_000 / Double(lastTimeMs - firstTimeMs)
    }

    /// Bytes of state at steady state (plus the 64-double buffer while warming up).
    static let stateBytes = 10 * 8 + 32

    /// True once the tail model has its first 64 scores.
    @inline(__always) public var isReady: Bool { count >= UInt64(Self.initialCount) }

    /// The shape ξ and scale σ of the excesses.
    private var shapeAndScale: (shape: Double, scale: Double) {
        let e = max(excessMean, 1e-300)
        let ratio = excessVariance > 0 ? e * e / excessVariance : 1
        let shape = min(max(0.5 * (1 - ratio), -Self.shapeBound), Self.shapeBound)
        let scale = max(0.5 * e * (1 + ratio), 1e-300)
        return (shape, scale)
    }

    /// The raw score whose tail probability is `risk` (0 < risk ≤ riskMax): a
    /// score above it is rarer than `risk`. Infinity until ready.
    public func threshold(risk: Double) -> Double {
        guard isReady else { return .infinity }
        let (shape, scale) = shapeAndScale
        let ratio = (1 - Self.tailLevel) / risk
        if abs(shape) < 1e-9 { return u + scale * log(ratio) }
        return u + scale / shape * (pow(ratio, shape) - 1)
    }

    /// P(a normal score ≥ x) under the model (nil until ready). Monotone: a
    /// higher raw score never gets a higher probability.
    public func tailProbability(_ x: Double) -> Double? {
        guard isReady else { return nil }
        let tail = 1 - Self.tailLevel
        guard x > u else { return u > 0 ? 1 - Self.tailLevel * max(0, x) / u : 1 }
        let (shape, scale) = shapeAndScale
        let y = x - u
        if abs(shape) < 1e-9 { return tail * exp(-y / scale) }
        let base = 1 + shape * y / scale
        guard base > 0 else { return 0 }
        return tail * pow(base, -1 / shape)
    }

    /// Learns a score that was not flagged (see the header: flagged scores are
    /// not learned), refreshing `cachedThreshold` for `risk` every 16th score.
    public mutating func learn(_ x: Double, risk: Double) {
        learnScore(x)
        if count & 15 == 0 { cachedThreshold = threshold(risk: risk) }
    }

    private mutating func learnScore(_ x: Double) {
        count += 1
        if count <= UInt64(Self.initialCount) {
            if initial.isEmpty { initial.reserveCapacity(Self.initialCount) }
            initial.append(x)
            if count == UInt64(Self.initialCount) { fitInitial() }
            return
        }
        let step = 0.05 * max(excessMean, 1e-12)
        if x > u { u += step * Self.tailLevel } else { u -= step * (1 - Self.tailLevel) }
        guard x > u else { return }
        excessCount += 1
        let weight = 1 / min(Double(excessCount), Self.excessMemory)
        let delta = (x - u) - excessMean
        excessMean += weight * delta
        excessVariance = (1 - weight) * (excessVariance + weight * delta * delta)
    }

    /// Fits the tail to the first 64 scores. Their top quarter (16 scores) is
    /// fitted as a GPD over the 75 % quantile u₀ (method of moments), and the
    /// model moved up to u = the fitted 98 % quantile by the GPD's threshold
    /// stability (excesses over a higher threshold are GPD with the same ξ and
    /// σ + ξ(u − u₀)): 16 excesses give a steadier shape than the one or two
    /// above a 98 % quantile of 64 scores. The fit counts as 16 excesses in
    /// the exponential averages that follow.
    private mutating func fitInitial() {
        let sorted = initial.sorted()
        initial = []
        let lowLevel = 0.75
        let position = lowLevel * Double(sorted.count - 1)
        let low = Int(position), fraction = position - Double(low)
        let u0 = sorted[low] + (low + 1 < sorted.count ? fraction * (sorted[low + 1] - sorted[low]) : 0)
        let excesses = sorted.filter { $0 > u0 }.map { $0 - u0 }
        guard excesses.count >= 2 else {
            // (Nearly) constant history: any higher score is far in the tail.
            u = sorted[sorted.count - 1]
            excessMean = max(abs(u) * 1e-9, 1e-12)
            excessVariance = excessMean * excessMean
            excessCount = 16
            return
        }
        let mean0 = excesses.reduce(0, +) / Double(excesses.count)
        let variance0 = excesses.reduce(0) { $0 + ($1 - mean0) * ($1 - mean0) } / Double(excesses.count)
        let ratio = variance0 > 0 ? mean0 * mean0 / variance0 : 1
        let shape = min(max(0.5 * (1 - ratio), -Self.shapeBound), Self.shapeBound)
        let scale0 = max(0.5 * mean0 * (1 + ratio), 1e-300)
        // The 98 % quantile is the (0.98 − 0.75) / 0.25 quantile of the excesses over u₀.
        let tailRatio = (1 - lowLevel) / (1 - Self.tailLevel)
        let rise = abs(shape) < 1e-9 ? scale0 * log(tailRatio) : scale0 / shape * (pow(tailRatio, shape) - 1)
        u = u0 + rise
        let scale = scale0 + shape * rise
        // GPD moments for (ξ, σ): mean σ/(1 − ξ), variance σ² / ((1 − ξ)²(1 − 2ξ)).
        excessMean = scale / (1 - shape)
        excessVariance = excessMean * excessMean / (1 - 2 * shape)
        excessCount = 16
    }

    func write(to writer: inout StateWriter) {
        writer.write(count)
        writer.write(UInt32(initial.count))
        initial.withUnsafeBufferPointer { writer.write(doubles: $0) }
        writer.write(u)
        writer.write(excessMean)
        writer.write(excessVariance)
        writer.write(excessCount)
        writer.write(cachedThreshold)
        writer.write(firstTimeMs)
        writer.write(lastTimeMs)
        writer.write(timedCount)
    }

    static func read(from reader: inout StateReader) throws(StateError) -> ScoreCalibrator {
        var state = ScoreCalibrator()
        state.count = try reader.readUInt64()
        let buffered = try reader.readCount(max: initialCount)
        for _ in 0..<buffered { state.initial.append(try reader.readDouble()) }
        guard state.isReady ? buffered == 0 : UInt64(buffered) == state.count else {
            throw .corrupt("a score calibrator holds \(buffered) initial scores after \(state.count)")
        }
        state.u = try reader.readDouble()
        state.excessMean = try reader.readDouble()
        state.excessVariance = try reader.readDouble()
        state.excessCount = try reader.readUInt64()
        state.cachedThreshold = try reader.readDouble()
        state.firstTimeMs = try reader.readInt64()
        state.lastTimeMs = try reader.readInt64()
        state.timedCount = try reader.readUInt64()
        return state
    }
}

