// Sample univariate series for the detectors, like the project's make_data.py:
// one point every 5 minutes, a daily sine (50 ± 10, period 288 points) plus
// Gaussian noise (σ = 2), and one kind of injected anomaly per series:
//
//   spikes                +45 on single points (three, at 30 %, 62 % and 89 % of
//                         the series; or each point with probability --anomalies)
//   level_shift           +25 from 64 % of the series to its end
//   variance_burst        extra noise (σ = 15) for 100 points from 74 %
//   daily_season_break    one flat day (288 points, no sine) from 57 %
//   slow_drift_then_drop  a drift up of +20 from 25 % to 74 %, then −40 for 60 points
//   clean_noise           nothing: every detection is a false positive
//
// Where each anomaly falls scales with the number of points (the figures above
// are make_data.py's positions in its 4,032 points, two weeks); how long it
// lasts is fixed in points, because it is a duration (a day is 288 points).
//
// Labels: a point inside an anomaly's window — the span in which a detector
// should fire, a little wider than the change itself (±20 points around a spike,
// the whole flat day of a season break) — carries the series' kind as
// `"label"`; every other point has `"label":null`.
//
// The noise and the anomalies draw from two generators seeded from the one seed,
// so the points are produced one at a time, in constant memory.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The kinds of sample series, by the anomaly each carries.
public enum SeriesShape: String, Sendable, CaseIterable {
    case spikes
    case levelShift = "level_shift"
    case varianceBurst = "variance_burst"
    case dailySeasonBreak = "daily_season_break"
    case slowDriftThenDrop = "slow_drift_then_drop"
    case cleanNoise = "clean_noise"
}

/// One point of a sample series.
public struct SamplePoint: Sendable, Equatable {
    /// Unix epoch milliseconds.
    public var timestampMs: Int64
    public var shape: SeriesShape
    /// Rounded to three decimals.
    public var value: Double
    /// The shape's name inside its anomaly window, nil elsewhere.
    public var label: String?

    /// `{"timestamp":…,"series":"spikes","value":51.234,"label":null}`.
    public var jsonLine: String {
        let labelText = label.map { "\"\($0)\"" } ?? "null"
        return #"{"timestamp":\#(timestampMs),"series":"\#(shape.rawValue)","value":\#(SampleNumber.text(value)),"label":\#(labelText)}"#
    }
}

/// A deterministic sample series of `count` points.
public struct SampleSeries: IteratorProtocol, Sequence, Sendable {
    public struct Options: Sendable, Equatable {
        public var shape = SeriesShape.spikes
        public var count = 4032
        public var seed: UInt64 = 1
        /// For `spikes` only: each point is a spike with this probability; nil: three spikes.
        public var spikeRate: Double?
        /// The first point's timestamp (Unix ms); 2026-01-01T00:00:00Z by default, as make_data.py.
        public var startMs: Int64 = 1_767_225_600_000
        public static let stepMs: Int64 = 5 * 60_000
        public static let pointsPerDay = 288

        public init() {}
    }

    /// How far from a spike its label window reaches, in points.
    static let spikeWindowPoints = 20

    public let options: Options
    private var noise: SampleRandom
    private var anomalies: SampleRandom
    private var index = 0
    /// Spikes around `index`: the last one at or before it, and the next one after it.
    private var previousSpike = Int.min / 2
    private var nextSpike = Int.max / 2
    private var fixedSpikes: [Int] = []

    public init(_ options: Options) {
        precondition(options.count >= 0, "a count of points")
        precondition(options.spikeRate.map { (0...1).contains($0) } ?? true, "a spike rate is a fraction")
        self.options = options
        noise = SampleRandom(seed: options.seed)
        anomalies = SampleRandom(seed: options.seed ^ 0x5EED_A11A_0000_0001)
        if options.shape == .spikes && options.spikeRate == nil {
            fixedSpikes = [1200, 2500, 3600].map { position($0) }.reversed()
        }
        nextSpike = drawSpike(after: -1)
    }

    /// make_data.py's index `original` (of 4,032) scaled to this series' length.
    func position(_ original: Int) -> Int {
        Int((Int64(original) * Int64(options.count)) / 4032)
    }

    public mutating func next() -> SamplePoint? {
        guard index < options.count else { return nil }
        defer { index += 1 }
        let i = index
        let season = 50 + 10 * sin(2 * Double.pi * Double(i) / Double(Options.pointsPerDay))
        var value = season + noise.gaussian(mean: 0, standardDeviation: 2)
        var inWindow = false
        switch options.shape {
        case .spikes:
            if i == nextSpike {
                previousSpike = nextSpike
                nextSpike = drawSpike(after: i)
            }
            if i == previousSpike { value += 45 }
            inWindow = i - previousSpike <= Self.spikeWindowPoints || nextSpike - i <= Self.spikeWindowPoints
        case .levelShift:
            let shift = position(2600)
            if i >= shift { value += 25 }
            inWindow = (shift - 20...shift + 40).contains(i)
        case .varianceBurst:
            let burst = position(3000)
            if (burst..<burst + 100).contains(i) { value += anomalies.gaussian(mean: 0, standardDeviation: 15) }
            inWindow = (burst - 20...burst + 120).contains(i)
        case .dailySeasonBreak:
            let flat = position(2304)
            if (flat..<flat + Options.pointsPerDay).contains(i) { value = 50 + anomalies.gaussian(mean: 0, standardDeviation: 2) }
            inWindow = (flat - 14..<flat + Options.pointsPerDay).contains(i)
        case .slowDriftThenDrop:
            let driftStart = position(1000), drop = position(3000)
            if (driftStart..<drop).contains(i) { value += 20 * Double(i - driftStart) / Double(Swift.max(1, drop - driftStart)) }
            if (drop..<drop + 60).contains(i) { value -= 40 }
            inWindow = (drop - 10...drop + 70).contains(i)
        case .cleanNoise:
            break
        }
        return SamplePoint(timestampMs: options.startMs + Int64(i) * Options.stepMs, shape: options.shape,
                           value: SampleNumber.rounded(value, decimals: 3),
                           label: inWindow ? options.shape.rawValue : nil)
    }

    /// The index of the first spike after `index`; far past the end when there is none.
    private mutating func drawSpike(after index: Int) -> Int {
        guard options.shape == .spikes else { return Int.max / 2 }
        guard let rate = options.spikeRate else {
            while let spike = fixedSpikes.last {
                fixedSpikes.removeLast()
                if spike > index { return spike }
            }
            return Int.max / 2
        }
        if rate <= 0 { return Int.max / 2 }
        if rate >= 1 { return index + 1 }
        // Geometric gap: the number of points until the next success of a Bernoulli(rate).
        let u = (Double(anomalies.next() >> 11) + 0.5) * 0x1.0p-53
        let gap = (log(u) / log(1 - rate)).rounded(.down)
        return gap >= Double(Int.max / 4) ? Int.max / 2 : index + 1 + Int(gap)
    }
}
