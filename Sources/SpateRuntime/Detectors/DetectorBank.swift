// DetectorBank: the states of one detector for every key of its partition,
// indexed by the key map's slot, and the batch loop that scores a run of rows.
//
// One bank class per model, so the per-row loop is monomorphic (no switch or
// dynamic dispatch per row; one call per run of rows). The loops read and write
// the vectors' arrays through buffer pointers, once per run: per-row access to
// a class's stored arrays pays a dynamic exclusivity check each time (perf:
// swift_beginAccess/endAccess were ~15 % of the ZSCORE benchmark before).
//
// Per row: any NULL or non-finite input → NULL score, nothing learned, no
// flag; otherwise the raw score against the key's past (NULL in warm-up), the
// decision of the detector's AnomalyRule with the key's ScoreCalibrator (which
// learns the score when it does not flag), then the model learns the point.
// `flags[row]` is OR-ed with the decision. When the query reads them, the
// calibrated grade lands in `grades` and, for flagged rows, an explanation
// (DetectorExplanation JSON) in `explanations` unless an earlier detector of
// the query already explained the row.

import SpateSQL

/// Where a detector writes, per row of a batch.
struct DetectorOutputs {
    /// DOUBLE: the raw score (NULL in warm-up or for a NULL input).
    let scores: ColumnVector
    /// BOOLEAN: OR-ed with this detector's decision.
    let flags: ColumnVector
    /// DOUBLE: the calibrated grade in [0, 1], when the query reads anomaly_grade.
    let grades: ColumnVector?
    /// STRING: JSON, for flagged rows not yet explained, when the query reads anomaly_explanation.
    let explanations: ColumnVector?
    /// TIMESTAMP: each row's event time (or window start), for alerts_per_day; nil when not needed.
    var times: ColumnVector? = nil
    /// DOUBLE: the threshold each scored row was held to, when a job records its score series.
    var thresholds: ColumnVector? = nil
}

/// The rule's decision for row `row`, writing its threshold when the job records scores.
@inline(__always)
private func decide(_ row: Int, _ raw: Double, _ rule: AnomalyRule, _ calibrator: inout ScoreCalibrator,
                    _ outputs: DetectorOutputs) -> Bool {
    guard let thresholds = outputs.thresholds else { return rule.decide(raw, &calibrator) }
    var threshold = 0.0
    let flagged = rule.decide(raw, &calibrator, threshold: &threshold)
    thresholds.set(row, double: threshold)
    return flagged
}

/// Notes row `row`'s event time in the calibrator when the rule needs the key's rate.
@inline(__always)
private func observeTime(_ row: Int, _ outputs: DetectorOutputs, _ calibrator: inout ScoreCalibrator) {
    if let times = outputs.times, !times.isNull[row] { calibrator.observeTime(times.ints[row]) }
}

protocol DetectorBank: AnyObject {
    var configuration: DetectorConfiguration { get }
    /// Scores `rows[i]` with the state in `slots[i]`, in order.
    func process(rows: UnsafeBufferPointer<Int32>, slots: UnsafeBufferPointer<Int32>, inputs: [ColumnVector], outputs: DetectorOutputs)
    /// Forgets the state in `slot` (its key was evicted), growing the bank to hold it.
    func reset(_ slot: Int)
    func write(_ slot: Int, to writer: inout StateWriter)
    func read(_ slot: Int, from reader: inout StateReader) throws(StateError)
    /// Reads a model's state as checkpoint format 1 wrote it (no calibrator:
    /// the key's calibrator starts again).
    func readWithoutCalibration(_ slot: Int, from reader: inout StateReader) throws(StateError)
}

func makeDetectorBank(_ configuration: DetectorConfiguration, inputNames: [String]) -> DetectorBank {
    switch configuration.kind {
    case .zscore: return SingleInputBank<ZScoreDetector>(configuration, inputNames: inputNames)
    case .robustScore: return SingleInputBank<RobustScoreDetector>(configuration, inputNames: inputNames)
    case .randomCutForest: return ForestBank(configuration, inputNames: inputNames)
    case .mahalanobis: return MahalanobisBank(configuration, inputNames: inputNames)
    }
}

/// Calls `body` with row i's single input as (isNull, value) buffers, widening non-DOUBLE vectors.
@inline(__always)
private func withSingleInput<T>(_ input: ColumnVector, _ body: (UnsafeBufferPointer<Bool>, UnsafeBufferPointer<Double>) -> T) -> T {
    if input.type == .double {
        return body(UnsafeBufferPointer(start: input.isNull, count: input.capacity), UnsafeBufferPointer(start: input.doubles, count: input.capacity))
    }
    let count = input.count
    let values = (0..<count).map { input.type == .null || input.isNull[$0] ? 0 : input.number($0) }
    let isNull = (0..<count).map { input.type == .null || input.isNull[$0] }
    return isNull.withUnsafeBufferPointer { isNull in values.withUnsafeBufferPointer { body(isNull, $0) } }
}

/// Writes the grade and, for a flagged row not yet explained, the explanation.
@inline(__always)
private func writeCalibrated(_ row: Int, raw: Double, flagged: Bool, calibrator: ScoreCalibrator, outputs: DetectorOutputs,
                             explain: () -> DetectorExplanation?) {
    if let grades = outputs.grades {
        if let grade = AnomalyRule.grade(raw, calibrator) { grades.set(row, double: grade) } else { grades.setNull(row) }
    }
    if flagged, let explanations = outputs.explanations, explanations.isNull[row], var explanation = explain() {
        explanation.grade = AnomalyRule.grade(raw, calibrator)
        explanations.set(row, string: explanation.json)
    }
}

/// The per-row loop of a one-input detector: a NULL or non-finite input scores
/// NULL and teaches nothing; otherwise `score(slot, x)` (nil during warm-up)
/// lands in `scores` and the rule decides with the slot's calibrator. With
/// `baselines` (season => N) the model sees x minus its phase's baseline, and
/// the baseline then learns x unless it flagged.
@inline(__always)
private func scoreSingleInput(rows: UnsafeBufferPointer<Int32>, slots: UnsafeBufferPointer<Int32>, input: ColumnVector,
                              outputs: DetectorOutputs, rule: AnomalyRule,
                              calibrators: UnsafeMutableBufferPointer<ScoreCalibrator>,
                              baselines: UnsafeMutableBufferPointer<SeasonalBaseline>?,
                              explain: (Int, Double, Double) -> DetectorExplanation?,
                              _ score: (Int, Double) -> Double?) {
    let wantsCalibrated = outputs.grades != nil || outputs.explanations != nil
    withSingleInput(input) { isNull, values in
        let scoreNull = outputs.scores.isNull, scoreValues = outputs.scores.doubles, flagValues = outputs.flags.bools
        for index in 0..<rows.count {
            let row = Int(rows[index])
            let x = values[row]
            guard !isNull[row], x.isFinite else { scoreNull[row] = true; continue }
            let slot = Int(slots[index])
            var modelled = x, offset = 0.0
            if let baselines {
                guard let expected = baselines[slot].expected else {
                    baselines[slot].advance(x, flagged: false)
                    scoreNull[row] = true
                    outputs.grades?.setNull(row)
                    continue
                }
                offset = expected
                modelled = x - expected
            }
            // The explanation needs the model as it was before it learns x.
            let explanation = outputs.explanations != nil ? explain(slot, x, offset) : nil
            var flagged = false
            if let value = score(slot, modelled) {
                scoreNull[row] = false
                scoreValues[row] = value
                observeTime(row, outputs, &calibrators[slot])
                flagged = decide(row, value, rule, &calibrators[slot], outputs)
                if flagged { flagValues[row] = true }
                if wantsCalibrated {
                    writeCalibrated(row, raw: value, flagged: flagged, calibrator: calibrators[slot], outputs: outputs) { explanation }
                }
            } else {
                scoreNull[row] = true
                outputs.grades?.setNull(row)
            }
            baselines?[slot].advance(x, flagged: flagged)
        }
    }
}

/// Calls `body` with the baselines' storage when the detector has a season.
@inline(__always)
private func withBaselines<T>(_ baselines: inout [SeasonalBaseline], _ seasonal: Bool,
                              _ body: (UnsafeMutableBufferPointer<SeasonalBaseline>?) -> T) -> T {
    guard seasonal else { return body(nil) }
    return baselines.withUnsafeMutableBufferPointer { body($0) }
}

/// Grows `array` with `make()` until `slot` is an index, then puts a fresh value there.
@inline(__always)
private func resetSlot<T>(_ array: inout [T], _ slot: Int, _ make: () -> T) {
    while array.count <= slot { array.append(make()) }
    array[slot] = make()
}

/// A one-input model the single-input bank keeps per key (ZSCORE, ROBUST_SCORE).
protocol SingleInputModel: Sendable {
    init()
    /// Scores `x` against the past (nil during warm-up), then learns it.
    mutating func score(_ x: Double, _ configuration: DetectorConfiguration) -> Double?
    /// What the next point is judged against: a center and a spread (nil when unknown).
    func expected(_ configuration: DetectorConfiguration) -> (center: Double, spread: Double)?
    func write(to writer: inout StateWriter)
    static func read(from reader: inout StateReader, _ configuration: DetectorConfiguration) throws(StateError) -> Self
}

extension ZScoreDetector: SingleInputModel {
    @inline(__always) mutating func score(_ x: Double, _ configuration: DetectorConfiguration) -> Double? {
        score(x, warmupCount: configuration.warmupCount, alpha: configuration.alpha)
    }
    func expected(_ configuration: DetectorConfiguration) -> (center: Double, spread: Double)? { expected(alpha: configuration.alpha) }
    static func read(from reader: inout StateReader, _ configuration: DetectorConfiguration) throws(StateError) -> ZScoreDetector {
        try read(from: &reader)
    }
}

extension RobustScoreDetector: SingleInputModel {
    @inline(__always) mutating func score(_ x: Double, _ configuration: DetectorConfiguration) -> Double? {
        score(x, warmupCount: configuration.warmupCount, windowCount: configuration.windowCount)
    }
    func expected(_ configuration: DetectorConfiguration) -> (center: Double, spread: Double)? { expected() }
    static func read(from reader: inout StateReader, _ configuration: DetectorConfiguration) throws(StateError) -> RobustScoreDetector {
        try read(from: &reader, windowCount: configuration.windowCount)
    }
}

/// The bank of a one-input detector: per key its model, tail model and (with
/// `season`) seasonal baseline. Specialized per model, so the row loop stays
/// monomorphic.
final class SingleInputBank<Model: SingleInputModel>: DetectorBank {
    let configuration: DetectorConfiguration
    private let inputNames: [String]
    private var states: [Model] = []
    private var calibrators: [ScoreCalibrator] = []
    private var baselines: [SeasonalBaseline] = []

    init(_ configuration: DetectorConfiguration, inputNames: [String]) {
        self.configuration = configuration
        self.inputNames = inputNames
    }

    func process(rows: UnsafeBufferPointer<Int32>, slots: UnsafeBufferPointer<Int32>, inputs: [ColumnVector], outputs: DetectorOutputs) {
        let configuration = self.configuration, function = configuration.function, names = inputNames
        states.withUnsafeMutableBufferPointer { states in
            calibrators.withUnsafeMutableBufferPointer { calibrators in
                withBaselines(&baselines, configuration.seasonLength > 0) { baselines in
                    scoreSingleInput(rows: rows, slots: slots, input: inputs[0], outputs: outputs, rule: configuration.rule,
                                     calibrators: calibrators, baselines: baselines,
                                     explain: { slot, x, offset in
                                         guard let (center, spread) = states[slot].expected(configuration) else { return nil }
                                         return DetectorExplanation.single(function: function, input: names.first, observed: x,
                                                                           expected: offset + center, spread: spread)
                                     }) { slot, x in
                        states[slot].score(x, configuration)
                    }
                }
            }
        }
    }

    func reset(_ slot: Int) {
        resetSlot(&states, slot, Model.init)
        resetSlot(&calibrators, slot, ScoreCalibrator.init)
        let season = configuration.seasonLength
        if season > 0 { resetSlot(&baselines, slot) { SeasonalBaseline(length: season) } }
    }

    func write(_ slot: Int, to writer: inout StateWriter) {
        states[slot].write(to: &writer)
        calibrators[slot].write(to: &writer)
        if configuration.seasonLength > 0 { baselines[slot].write(to: &writer) }
    }

    func read(_ slot: Int, from reader: inout StateReader) throws(StateError) {
        try readWithoutCalibration(slot, from: &reader)
        calibrators[slot] = try ScoreCalibrator.read(from: &reader)
        if configuration.seasonLength > 0 { baselines[slot] = try SeasonalBaseline.read(from: &reader, length: configuration.seasonLength) }
    }

    func readWithoutCalibration(_ slot: Int, from reader: inout StateReader) throws(StateError) {
        reset(slot)
        states[slot] = try Model.read(from: &reader, configuration)
    }
}

/// Gathers row `row`'s inputs into `point`; false when any is NULL or non-finite.
@inline(__always)
private func gatherPoint(_ inputs: [ColumnVector], _ row: Int, into point: inout [Double]) -> Bool {
    for (i, input) in inputs.enumerated() {
        guard input.type != .null, !input.isNull[row] else { return false }
        point[i] = input.number(row)
        if !point[i].isFinite { return false }
    }
    return true
}

final class ForestBank: DetectorBank {
    let configuration: DetectorConfiguration
    private let inputNames: [String]
    /// A key's forest is made on its first finite point (a forest is ~MiBs).
    private var forests: [RandomCutForest?] = []
    /// Per key, with several inputs: the online scaling the forest sees them through.
    private var normalizers: [InputNormalizer] = []
    private var calibrators: [ScoreCalibrator] = []
    private var point: [Double]
    private var scaled: [Double]

    init(_ configuration: DetectorConfiguration, inputNames: [String]) {
        self.configuration = configuration
        self.inputNames = inputNames
        point = [Double](repeating: 0, count: configuration.inputCount)
        scaled = point
    }

    /// One input needs no scaling: a forest's cuts are scale-free in one dimension.
    private var normalizes: Bool { configuration.inputCount > 1 }

    func process(rows: UnsafeBufferPointer<Int32>, slots: UnsafeBufferPointer<Int32>, inputs: [ColumnVector], outputs: DetectorOutputs) {
        let warmup = configuration.warmupCount, rule = configuration.rule
        for index in 0..<rows.count {
            let row = Int(rows[index])
            guard gatherPoint(inputs, row, into: &point) else { outputs.scores.setNull(row); continue }
            let slot = Int(slots[index])
            let forest = forests[slot] ?? RandomCutForest(configuration)
            forests[slot] = forest
            var explanation: DetectorExplanation?
            if normalizes {
                if outputs.explanations != nil { explanation = normalizers[slot].explain(point, function: configuration.function, inputs: inputNames) }
                normalizers[slot].scale(point, into: &scaled)
            } else {
                if outputs.explanations != nil { explanation = DetectorExplanation.single(function: configuration.function, input: inputNames.first, observed: point[0], expected: nil, spread: nil) }
                scaled[0] = point[0]
            }
            if let score = scaled.withUnsafeBufferPointer({ forest.score($0, warmupCount: warmup) }) {
                outputs.scores.set(row, double: score)
                observeTime(row, outputs, &calibrators[slot])
                let flagged = decide(row, score, rule, &calibrators[slot], outputs)
                if flagged { outputs.flags.bools[row] = true }
                writeCalibrated(row, raw: score, flagged: flagged, calibrator: calibrators[slot], outputs: outputs) { explanation }
            } else {
                outputs.scores.setNull(row)
                outputs.grades?.setNull(row)
            }
        }
    }

    func reset(_ slot: Int) {
        resetSlot(&forests, slot) { nil }
        let inputs = configuration.inputCount
        resetSlot(&normalizers, slot) { InputNormalizer(inputCount: inputs) }
        resetSlot(&calibrators, slot, ScoreCalibrator.init)
    }

    func write(_ slot: Int, to writer: inout StateWriter) {
        if let forest = forests[slot] {
            writer.write(UInt8(1))
            forest.write(to: &writer)
        } else {
            writer.write(UInt8(0))
        }
        if normalizes { normalizers[slot].write(to: &writer) }
        calibrators[slot].write(to: &writer)
    }

    func read(_ slot: Int, from reader: inout StateReader) throws(StateError) {
        try readWithoutCalibration(slot, from: &reader)
        if normalizes { normalizers[slot] = try InputNormalizer.read(from: &reader, inputCount: configuration.inputCount) }
        calibrators[slot] = try ScoreCalibrator.read(from: &reader)
    }

    func readWithoutCalibration(_ slot: Int, from reader: inout StateReader) throws(StateError) {
        reset(slot)
        if try reader.readUInt8() == 1 {
            let forest = RandomCutForest(configuration)
            try forest.read(from: &reader)
            forests[slot] = forest
        }
    }
}

final class MahalanobisBank: DetectorBank {
    let configuration: DetectorConfiguration
    private let inputNames: [String]
    private var states: [MahalanobisDetector] = []
    private var calibrators: [ScoreCalibrator] = []
    private var point: [Double]

    init(_ configuration: DetectorConfiguration, inputNames: [String]) {
        self.configuration = configuration
        self.inputNames = inputNames
        point = [Double](repeating: 0, count: configuration.inputCount)
    }

    func process(rows: UnsafeBufferPointer<Int32>, slots: UnsafeBufferPointer<Int32>, inputs: [ColumnVector], outputs: DetectorOutputs) {
        let c = configuration, rule = c.rule, alpha = c.alpha ?? DetectorConfiguration.mahalanobisAlphaDefault
        for index in 0..<rows.count {
            let row = Int(rows[index])
            guard gatherPoint(inputs, row, into: &point) else { outputs.scores.setNull(row); continue }
            let slot = Int(slots[index])
            point.withUnsafeBufferPointer { x in
                var flagged = false
                if let distance = states[slot].distance(x, warmupCount: c.warmupCount) {
                    outputs.scores.set(row, double: distance)
                    observeTime(row, outputs, &calibrators[slot])
                    flagged = decide(row, distance, rule, &calibrators[slot], outputs)
                    if flagged { outputs.flags.bools[row] = true }
                    writeCalibrated(row, raw: distance, flagged: flagged, calibrator: calibrators[slot], outputs: outputs) {
                        states[slot].explain(x, warmupCount: c.warmupCount).map {
                            DetectorExplanation(function: c.function, inputs: inputNames, attributions: $0)
                        }
                    }
                } else {
                    outputs.scores.setNull(row)
                    outputs.grades?.setNull(row)
                }
                if states[slot].learn(x, flagged: flagged, warmupCount: c.warmupCount, alpha: alpha) {
                    calibrators[slot] = ScoreCalibrator()
                }
            }
        }
    }

    func reset(_ slot: Int) {
        let dimensions = configuration.inputCount
        resetSlot(&states, slot) { MahalanobisDetector(dimensions: dimensions) }
        resetSlot(&calibrators, slot, ScoreCalibrator.init)
    }

    func write(_ slot: Int, to writer: inout StateWriter) {
        states[slot].write(to: &writer)
        calibrators[slot].write(to: &writer)
    }

    func read(_ slot: Int, from reader: inout StateReader) throws(StateError) {
        reset(slot)
        states[slot] = try MahalanobisDetector.read(from: &reader, dimensions: configuration.inputCount)
        calibrators[slot] = try ScoreCalibrator.read(from: &reader)
    }

    func readWithoutCalibration(_ slot: Int, from reader: inout StateReader) throws(StateError) {
        reset(slot)
        states[slot] = try MahalanobisDetector.read(from: &reader, dimensions: configuration.inputCount)
    }
}
