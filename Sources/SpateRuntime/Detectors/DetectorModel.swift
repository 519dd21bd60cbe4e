// DetectorModel: one key's detector behind one interface — score a point
// against the past, decide, then learn — for callers that score series point
// by point (the quality harness, tests, backtests of single series). It runs
// the very bank the operator runs (DetectorBank, one slot, one-row vectors), so
// a point scored here gets the same raw score, flag, grade and explanation as
// the same point in a query or a job.
//
// Non-finite inputs (NaN, ±inf) are treated like NULL: no score, nothing learned,
// so one bad value cannot poison a key's mean or a forest's boxes.
// A model refers to its state: copies of a DetectorModel share it.

/// What a detector made of one point.
public struct DetectorObservation: Sendable {
    /// The raw score (nil during warm-up or for a non-finite input).
    public var score: Double?
    /// The `anomaly` decision (AnomalyRule).
    public var isAnomaly: Bool
    /// The calibrated grade in [0, 1] (nil until the key's calibrator is ready).
    public var grade: Double?
    /// For a flagged point: why (DetectorExplanation JSON).
    public var explanation: String?
}

/// A detector of one key, ready to score.
public struct DetectorModel {
    public let configuration: DetectorConfiguration
    private let bank: DetectorBank
    private let inputs: [ColumnVector]
    private let scores = ColumnVector(type: .double, capacity: 1)
    private let flags = ColumnVector(type: .boolean, capacity: 1)
    private let grades = ColumnVector(type: .double, capacity: 1)
    private let explanations = ColumnVector(type: .string, capacity: 1)
    private let times = ColumnVector(type: .timestamp, capacity: 1)
    private let explains: Bool
    /// The latest decision, in a box: `model.isAnomaly(model.score(x))` reads
    /// it through the copy of `model` Swift takes before `score` runs.
    private let latest = LatestDecision()

    private final class LatestDecision { var isAnomaly = false }

    /// A new model; `explains` adds grades and explanations to observations (slower).
    public init(_ configuration: DetectorConfiguration, inputNames: [String] = [], explains: Bool = false) {
        self.configuration = configuration
        self.explains = explains
        bank = makeDetectorBank(configuration, inputNames: inputNames)
        bank.reset(0)
        inputs = (0..<configuration.inputCount).map { _ in ColumnVector(type: .double, capacity: 1) }
    }

    /// Scores `values` (one per input) against the past, decides, then learns.
    /// `timeMs` is the point's event time (alerts_per_day needs it).
    public mutating func observe(_ values: [Double], timeMs: Int64? = nil) -> DetectorObservation {
        precondition(values.count == configuration.inputCount, "one value per input")
        for (vector, value) in zip(inputs, values) {
            vector.reset(count: 1)
            vector.set(0, double: value)
        }
        for vector in [scores, flags, grades, explanations, times] { vector.reset(count: 1) }
        if let timeMs { times.set(0, int: timeMs) } else { times.setNull(0) }
        scores.setNull(0)
        flags.set(0, bool: false)
        grades.setNull(0)
        explanations.setNull(0)
        var rows: Int32 = 0, slots: Int32 = 0
        let outputs = DetectorOutputs(scores: scores, flags: flags, grades: explains ? grades : nil, explanations: explains ? explanations : nil,
                                      times: configuration.alertsPerDay == nil ? nil : times)
        withUnsafePointer(to: &rows) { row in
            withUnsafePointer(to: &slots) { slot in
                bank.process(rows: UnsafeBufferPointer(start: row, count: 1), slots: UnsafeBufferPointer(start: slot, count: 1),
                             inputs: inputs, outputs: outputs)
            }
        }
        let observation = DetectorObservation(score: scores.isNull[0] ? nil : scores.doubles[0], isAnomaly: flags.bools[0],
                                              grade: grades.isNull[0] ? nil : grades.doubles[0],
                                              explanation: explanations.isNull[0] ? nil : explanations.string(0))
        latest.isAnomaly = observation.isAnomaly
        return observation
    }

    /// The raw score of `inputs` against the past (nil during warm-up or for a
    /// non-finite input); then learns it. `isAnomaly` tells its decision.
    public mutating func score(_ inputs: [Double]) -> Double? {
        observe(inputs).score
    }

    /// Whether the point just scored, whose score is `score`, flagged (a nil score never does).
    public func isAnomaly(_ score: Double?) -> Bool {
        score != nil && latest.isAnomaly
    }

    /// The model state as bytes (StateWriter format).
    public func serialize() -> [UInt8] {
        var writer = StateWriter()
        bank.write(0, to: &writer)
        return writer.bytes
    }

    /// A model of `configuration` with the state `bytes` from `serialize()`.
    public init(_ configuration: DetectorConfiguration, restoring bytes: [UInt8], inputNames: [String] = [], explains: Bool = false) throws(StateError) {
        self.init(configuration, inputNames: inputNames, explains: explains)
        var reader = StateReader(bytes)
        try bank.read(0, from: &reader)
        guard reader.isAtEnd else { throw .corrupt("\(reader.remainingCount) bytes left over after a detector's state") }
    }
}
