// InputNormalizer: online per-key scaling of a multi-input detector's inputs,
// so that columns of any scale contribute fairly to a random cut forest (whose
// cuts pick a dimension in proportion to its range: unscaled, a column on a
// scale of 230 would take nearly every cut from one on a scale of 0.03).
//
// Each input i is seen as (xᵢ − mᵢ) / sᵢ, with mᵢ and sᵢ its running mean and
// standard deviation for the key: equal weights (Welford) for the first 256
// points, then exponential weights (α = 0.001, a memory of ~1,000 points).
// Robust to outliers: a value is learned clipped to mᵢ ± 5 sᵢ (once 30 points
// have set a scale), so one spike moves the scale by a bounded amount and
// cannot hide the next. The spread is floored at 10⁻⁹·max(|mᵢ|, 1), as in
// ZSCORE, so a constant input stays finite. The point is scaled with the
// statistics BEFORE it is learned. Scaling an input by any factor leaves the
// scaled values the same (up to rounding): a detector behind this is invariant
// to the units of its inputs.
//
// Memory per key: 3 doubles per input plus a count.
// Checkpoint: count (UInt64), then per input mean, spread (Welford m2 during
// the first 256 points, variance after).

/// Running per-input scaling of one key.
struct InputNormalizer: Sendable {
    private var count: UInt64 = 0
    private var means: [Double]
    private var spreads: [Double]

    static let equalWeightCount: UInt64 = 256
    static let alpha = 0.001
    static let clipSpreads = 5.0
    static let clipAfter: UInt64 = 30

    init(inputCount: Int) {
        means = [Double](repeating: 0, count: inputCount)
        spreads = means
    }

    static func stateBytes(inputCount: Int) -> Int { 2 * 8 * inputCount + 2 * 32 + 8 }

    /// The standard deviation of input i so far.
    private func deviation(_ i: Int) -> Double {
        let variance = count <= Self.equalWeightCount ? (count > 1 ? spreads[i] / Double(count - 1) : 0) : spreads[i]
        return max(variance.squareRoot(), DetectorScore.spreadFloor(center: means[i]))
    }

    /// Writes the scaled `point` into `scaled`, then learns `point`.
    mutating func scale(_ point: [Double], into scaled: inout [Double]) {
        for i in point.indices { scaled[i] = count == 0 ? 0 : (point[i] - means[i]) / deviation(i) }
        learn(point)
    }

    private mutating func learn(_ point: [Double]) {
        let clips = count >= Self.clipAfter
        let deviations = clips ? point.indices.map(deviation) : []
        count += 1
        for i in point.indices {
            var x = point[i]
            if clips { x = min(max(x, means[i] - Self.clipSpreads * deviations[i]), means[i] + Self.clipSpreads * deviations[i]) }
            let delta = x - means[i]
            if count <= Self.equalWeightCount {
                means[i] += delta / Double(count)
                spreads[i] += delta * (x - means[i])
                if count == Self.equalWeightCount { spreads[i] /= Double(count - 1) }
            } else {
                means[i] += Self.alpha * delta
                spreads[i] = (1 - Self.alpha) * (spreads[i] + Self.alpha * delta * delta)
            }
        }
    }

    /// Why `point` looks unusual, input by input: each input's share of the
    /// squared scaled deviation (a forest does not decompose its score; this
    /// says which inputs are far from their usual values, and which way).
    func explain(_ point: [Double], function: String, inputs: [String]) -> DetectorExplanation? {
        guard count > 1 else { return nil }
        let z = point.indices.map { (point[$0] - means[$0]) / deviation($0) }
        let total = max(z.reduce(0) { $0 + $1 * $1 }, 1e-300)
        let attributions = point.indices.map { i in
            InputAttribution(observed: point[i], expected: means[i], spread: deviation(i), share: z[i] * z[i] / total)
        }
        return DetectorExplanation(function: function, inputs: inputs, attributions: attributions)
    }

    func write(to writer: inout StateWriter) {
        writer.write(count)
        for i in means.indices {
            writer.write(means[i])
            writer.write(spreads[i])
        }
    }

    static func read(from reader: inout StateReader, inputCount: Int) throws(StateError) -> InputNormalizer {
        var state = InputNormalizer(inputCount: inputCount)
        state.count = try reader.readUInt64()
        for i in 0..<inputCount {
            state.means[i] = try reader.readDouble()
            state.spreads[i] = try reader.readDouble()
        }
        return state
    }
}
