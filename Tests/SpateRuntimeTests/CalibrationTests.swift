// Calibrated detection (issue 12): the tail model is monotone, its alert rate
// on long stationary noise is the configured risk (within a factor of 2),
// multivariate detectors do not care about the units of an input, explanations
// point at the input that was changed, and a restored checkpoint decides
// exactly as the uninterrupted run.

@testable import SpateRuntime
import Testing

/// Seeded uniform and Gaussian (Box–Muller) draws from the suite's SplitMix64.
struct SeededNoise {
    private var random: SplitMix64
    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    mutating func uniform() -> Double { Double(random.next() >> 11) / Double(1 << 53) }

    mutating func gaussian() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }
}

@Suite struct CalibrationTests {
    @Test func tailProbabilityIsMonotoneInTheRawScore() {
        var noise = SeededNoise(seed: 7)
        var calibrator = ScoreCalibrator()
        for _ in 0..<5_000 { calibrator.learn(abs(noise.gaussian()) + 0.1 * noise.uniform(), risk: 0.001) }
        #expect(calibrator.isReady)
        var previous = 1.0
        for step in 0...2_000 {
            let raw = Double(step) * 0.005
            let p = calibrator.tailProbability(raw)!
            #expect(p <= previous, "tail probability rose from \(previous) to \(p) at raw \(raw)")
            #expect(p >= 0 && p <= 1)
            previous = p
        }
        // The threshold for a risk has that tail probability.
        for risk in [0.01, 0.001, 0.0001] {
            let threshold = calibrator.threshold(risk: risk)
            #expect(abs(calibrator.tailProbability(threshold)! - risk) < risk * 1e-6)
        }
    }

    /// Alerts per day on a minute-by-minute series of Gaussian noise: the
    /// risk says how many (1,440 points a day × risk), within a factor of 2.
    @Test(arguments: [0.01, 0.001])
    func alertRateOnStationaryNoiseIsTheRisk(risk: Double) throws {
        for function in ["ZSCORE", "ROBUST_SCORE"] {
            var model = try DetectorConfiguration(function: function, inputCount: 1, options: ["risk": risk]).makeModel()
            var noise = SeededNoise(seed: 11)
            let days = 120, pointsPerDay = 1_440
            var alerts = 0, scored = 0
            for _ in 0..<(days * pointsPerDay) {
                let observation = model.observe([50 + 3 * noise.gaussian()])
                if observation.score != nil { scored += 1 }
                if observation.isAnomaly { alerts += 1 }
            }
            let perDay = Double(alerts) / (Double(scored) / Double(pointsPerDay))
            let expected = risk * Double(pointsPerDay)
            #expect(perDay >= expected / 2 && perDay <= expected * 2,
                    "\(function), risk \(risk): \(perDay) alerts a day, expected about \(expected)")
        }
    }

    /// alerts_per_day => n on a point a minute: about n alerts a day (within 2×).
    @Test(arguments: [2.0, 10.0])
    func alertsPerDayIsTheKnob(alertsPerDay: Double) throws {
        var model = try DetectorConfiguration(function: "ZSCORE", inputCount: 1, options: ["alerts_per_day": alertsPerDay]).makeModel()
        var noise = SeededNoise(seed: 23)
        let days = 120, pointsPerDay = 1_440
        var alerts = 0, scoredDays = 0.0
        for minute in 0..<(days * pointsPerDay) {
            let observation = model.observe([50 + 3 * noise.gaussian()], timeMs: 1_700_000_000_000 + Int64(minute) * 60_000)
            if observation.score != nil { scoredDays += 1 / Double(pointsPerDay) }
            if observation.isAnomaly { alerts += 1 }
        }
        let perDay = Double(alerts) / scoredDays
        #expect(perDay >= alertsPerDay / 2 && perDay <= alertsPerDay * 2, "\(perDay) alerts a day for alerts_per_day \(alertsPerDay)")
        #expect(throws: DetectorError.self) { try DetectorConfiguration(function: "ZSCORE", inputCount: 1, options: ["alerts_per_day": 5, "risk": 0.01]) }
    }

    @Test func normalQuantileInvertsTheNormalTail() {
        for p in [1e-9, 1e-6, 0.001, 0.02, 0.3, 0.5, 0.7, 0.999, 1 - 1e-7] {
            let x = MahalanobisDetector.normalQuantile(p)
            let back = 0.5 * erfc(-x / 2.0.squareRoot())
            #expect(abs(back - p) <= 1e-12 + 1e-9 * p, "Φ(\(x)) = \(back), wanted \(p)")
        }
        #expect(abs(MahalanobisDetector.normalQuantile(1 - 0.001 / 2) - 3.2905) < 1e-4)
    }

    /// Three correlated sensors; the second is multiplied by `scale`.
    private func sensors(count: Int, scale: Double, spikeAt: Int? = nil) -> [[Double]] {
        var noise = SeededNoise(seed: 5)
        return (0..<count).map { i in
            let common = noise.gaussian()
            var row = [20 + common + 0.3 * noise.gaussian(), (5 + 0.5 * common + 0.2 * noise.gaussian()) * scale, 100 + 2 * noise.gaussian()]
            if i == spikeAt { row[1] += 3 * scale }
            return row
        }
    }

    @Test(arguments: ["MAHALANOBIS", "RCF"])
    func scalingAnInputChangesNothing(function: String) throws {
        let configuration = try DetectorConfiguration(function: function, inputCount: 3, options: function == "RCF" ? ["trees": 10] : [:])
        var outcomes: [[Bool]] = []
        var scores: [[Double?]] = []
        for scale in [1.0, 1e-3, 1e3] {
            var model = configuration.makeModel()
            var flags: [Bool] = [], raw: [Double?] = []
            for row in sensors(count: 1_500, scale: scale, spikeAt: 1_200) {
                let observation = model.observe(row)
                flags.append(observation.isAnomaly)
                raw.append(observation.score)
            }
            outcomes.append(flags)
            scores.append(raw)
        }
        #expect(outcomes[0].contains(true), "\(function) misses the spike")
        #expect(outcomes[1] == outcomes[0] && outcomes[2] == outcomes[0], "\(function): flags change with the units of an input")
        for run in 1...2 {
            for (a, b) in zip(scores[0], scores[run]) {
                guard let a, let b else { #expect(a == nil && b == nil); continue }
                #expect(abs(a - b) <= 1e-6 * max(1, abs(a)), "\(function): score \(a) became \(b)")
            }
        }
    }

    @Test(arguments: ["MAHALANOBIS", "RCF"])
    func explanationPointsAtTheChangedInput(function: String) throws {
        let configuration = try DetectorConfiguration(function: function, inputCount: 3, options: function == "RCF" ? ["trees": 10] : [:])
        var model = DetectorModel(configuration, inputNames: ["temperature", "pressure", "flow"], explains: true)
        var explanation: String?
        // The second input jumps by six of its spreads while the first stays where it is.
        for (i, row) in sensors(count: 1_300, scale: 1, spikeAt: 1_200).enumerated() {
            var row = row
            if i == 1_200 { row[1] += 3 }
            let observation = model.observe(row)
            if i == 1_200 {
                #expect(observation.isAnomaly)
                #expect(observation.grade.map { $0 >= 1 - configuration.risk } == true)
                explanation = observation.explanation
            }
        }
        let text = try #require(explanation)
        #expect(text.hasPrefix("{\"detector\":\"\(function)\",\"grade\":"), "\(text)")
        #expect(text.contains("\"inputs\":[{\"input\":\"pressure\""), "\(text)")
        #expect(text.contains("\"direction\":\"high\""))
    }

    @Test(arguments: ["ZSCORE", "ROBUST_SCORE", "RCF", "MAHALANOBIS"])
    func restoredCheckpointDecidesBitForBit(function: String) throws {
        let inputs = function == "MAHALANOBIS" || function == "RCF" ? 2 : 1
        let configuration = try DetectorConfiguration(function: function, inputCount: inputs, options: function == "RCF" ? ["trees": 8, "shingle": 2] : [:])
        var noise = SeededNoise(seed: 3)
        let points = (0..<900).map { i in (0..<inputs).map { d in 10 + Double(d) + noise.gaussian() + (i % 97 == 0 ? 8 : 0) } }
        var original = DetectorModel(configuration, explains: true)
        // Cut at several moments: inside warm-up, inside calibration, and later.
        for cut in [20, 300, 700] {
            var straight = DetectorModel(configuration, explains: true)
            for point in points[..<cut] { _ = straight.observe(point) }
            var restored = try DetectorModel(configuration, restoring: straight.serialize(), explains: true)
            for point in points[cut...] {
                let a = straight.observe(point), b = restored.observe(point)
                #expect(a.score?.bitPattern == b.score?.bitPattern && a.isAnomaly == b.isAnomaly && a.grade?.bitPattern == b.grade?.bitPattern
                        && a.explanation == b.explanation, "\(function): restored at \(cut) differs")
            }
            #expect(straight.serialize() == restored.serialize())
        }
        for point in points { _ = original.observe(point) }
    }
}

#if canImport(Glibc)
import Glibc
#endif

@Suite struct AnomalyRuleTests {
    /// A user's raw threshold is reached at equality before and after calibration (as before calibration existed).
    @Test func aFixedThresholdIsReachedAtEquality() {
        let rule = AnomalyRule(fixedThreshold: 3, fallbackThreshold: 3, risk: 0.001, alertsPerDay: nil, learnsFlaggedCapped: true,
                               calibratedFloor: 3.29, kind: .zscore, inputCount: 1)
        var calibrator = ScoreCalibrator()
        #expect(rule.decide(3, &calibrator))
        for i in 0..<200 { _ = rule.decide(Double(i % 10) / 10, &calibrator) }
        #expect(calibrator.isReady)
        #expect(rule.decide(3, &calibrator))
        #expect(!rule.decide(2.999, &calibrator))
    }
}
