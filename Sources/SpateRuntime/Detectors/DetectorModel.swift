// DetectorModel: one key's detector state behind one interface — score a point
// against the past, then learn it — for callers that score series point by
// point (the quality harness, tests). The operator keeps the same states in
// per-kind banks instead, to avoid a switch per row.
//
// Non-finite inputs (NaN, ±inf) are treated like NULL: no score, nothing learned,
// so one bad value cannot poison a key's mean or a forest's boxes.

/// A detector of one key, ready to score.
public struct DetectorModel {
    public let configuration: DetectorConfiguration
    enum State {
        case zscore(ZScoreDetector)
        case robust(RobustScoreDetector)
        case forest(RandomCutForest)
    }
    var state: State

    public init(_ configuration: DetectorConfiguration) {
        self.configuration = configuration
        switch configuration.kind {
        case .zscore: state = .zscore(ZScoreDetector())
        case .robustScore: state = .robust(RobustScoreDetector())
        case .randomCutForest: state = .forest(RandomCutForest(configuration))
        }
    }

    /// The score of `inputs` (one value per input) against the past, nil during
    /// warm-up or for a non-finite input; then learns it.
    public mutating func score(_ inputs: [Double]) -> Double? {
        precondition(inputs.count == configuration.inputCount, "one value per input")
        guard inputs.allSatisfy(\.isFinite) else { return nil }
        let c = configuration
        switch state {
        case var .zscore(detector):
            let result = detector.score(inputs[0], warmupCount: c.warmupCount, alpha: c.alpha)
            state = .zscore(detector)
            return result
        case var .robust(detector):
            state = .zscore(ZScoreDetector())  // drop the reference so the window is not copied
            let result = detector.score(inputs[0], warmupCount: c.warmupCount, windowCount: c.windowCount)
            state = .robust(detector)
            return result
        case let .forest(forest):
            return inputs.withUnsafeBufferPointer { forest.score($0, warmupCount: c.warmupCount) }
        }
    }

    /// Whether `score` flags an anomaly (a nil score never does).
    public func isAnomaly(_ score: Double?) -> Bool {
        guard let score else { return false }
        return score >= configuration.threshold
    }

    /// The model state as bytes (StateWriter format).
    public func serialize() -> [UInt8] {
        var writer = StateWriter()
        write(to: &writer)
        return writer.bytes
    }

    /// A model of `configuration` with the state `bytes` from `serialize()`.
    public init(_ configuration: DetectorConfiguration, restoring bytes: [UInt8]) throws(StateError) {
        self.init(configuration)
        var reader = StateReader(bytes)
        try read(from: &reader)
        guard reader.isAtEnd else { throw .corrupt("\(reader.remainingCount) bytes left over after a detector's state") }
    }

    func write(to writer: inout StateWriter) {
        switch state {
        case let .zscore(detector): detector.write(to: &writer)
        case let .robust(detector): detector.write(to: &writer)
        case let .forest(forest): forest.write(to: &writer)
        }
    }

    mutating func read(from reader: inout StateReader) throws(StateError) {
        switch state {
        case .zscore: state = .zscore(try ZScoreDetector.read(from: &reader))
        case .robust: state = .robust(try RobustScoreDetector.read(from: &reader, windowCount: configuration.windowCount))
        case let .forest(forest): try forest.read(from: &reader)
        }
    }
}
