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
// flag; otherwise the score against the key's past (NULL in warm-up), then the
// key learns the point. `flags[row]` is OR-ed with score ≥ threshold.

import SpateSQL

/// Inputs of one detector for a batch, as doubles (non-DOUBLE vectors are widened once per batch).
struct DetectorInputs {
    var values: [[Double]]
    var isNull: [[Bool]]
}

protocol DetectorBank: AnyObject {
    var configuration: DetectorConfiguration { get }
    /// Scores `rows[i]` with the state in `slots[i]`, in order.
    func process(rows: UnsafeBufferPointer<Int32>, slots: UnsafeBufferPointer<Int32>, inputs: [ColumnVector],
                 scores: ColumnVector, flags: ColumnVector)
    /// Forgets the state in `slot` (its key was evicted), growing the bank to hold it.
    func reset(_ slot: Int)
    func write(_ slot: Int, to writer: inout StateWriter)
    func read(_ slot: Int, from reader: inout StateReader) throws(StateError)
}

func makeDetectorBank(_ configuration: DetectorConfiguration) -> DetectorBank {
    switch configuration.kind {
    case .zscore: return ZScoreBank(configuration)
    case .robustScore: return RobustScoreBank(configuration)
    case .randomCutForest: return ForestBank(configuration)
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

/// Calls `body` with the scores' and flags' storage.
@inline(__always)
private func withOutputs(_ scores: ColumnVector, _ flags: ColumnVector,
                         _ body: (UnsafeMutableBufferPointer<Bool>, UnsafeMutableBufferPointer<Double>, UnsafeMutableBufferPointer<Bool>) -> Void) {
    body(UnsafeMutableBufferPointer(start: scores.isNull, count: scores.capacity),
         UnsafeMutableBufferPointer(start: scores.doubles, count: scores.capacity),
         UnsafeMutableBufferPointer(start: flags.bools, count: flags.capacity))
}

/// The per-row loop of a one-input detector: a NULL or non-finite input scores
/// NULL and teaches nothing; otherwise `score(slot, x)` (nil during warm-up)
/// lands in `scores`, and a score at or over `threshold` sets the flag.
@inline(__always)
private func scoreSingleInput(rows: UnsafeBufferPointer<Int32>, slots: UnsafeBufferPointer<Int32>, input: ColumnVector,
                              scores: ColumnVector, flags: ColumnVector, threshold: Double,
                              _ score: (Int, Double) -> Double?) {
    withSingleInput(input) { isNull, values in
        withOutputs(scores, flags) { scoreNull, scoreValues, flagValues in
            for index in 0..<rows.count {
                let row = Int(rows[index])
                let x = values[row]
                guard !isNull[row], x.isFinite else { scoreNull[row] = true; continue }
                if let value = score(Int(slots[index]), x) {
                    scoreNull[row] = false
                    scoreValues[row] = value
                    if value >= threshold { flagValues[row] = true }
                } else {
                    scoreNull[row] = true
                }
            }
        }
    }
}

final class ZScoreBank: DetectorBank {
    let configuration: DetectorConfiguration
    private var states: [ZScoreDetector] = []

    init(_ configuration: DetectorConfiguration) { self.configuration = configuration }

    func process(rows: UnsafeBufferPointer<Int32>, slots: UnsafeBufferPointer<Int32>, inputs: [ColumnVector],
                 scores: ColumnVector, flags: ColumnVector) {
        let warmup = configuration.warmupCount, alpha = configuration.alpha
        states.withUnsafeMutableBufferPointer { states in
            scoreSingleInput(rows: rows, slots: slots, input: inputs[0], scores: scores, flags: flags,
                             threshold: configuration.threshold) { slot, x in
                states[slot].score(x, warmupCount: warmup, alpha: alpha)
            }
        }
    }

    func reset(_ slot: Int) {
        while states.count <= slot { states.append(ZScoreDetector()) }
        states[slot] = ZScoreDetector()
    }

    func write(_ slot: Int, to writer: inout StateWriter) { states[slot].write(to: &writer) }

    func read(_ slot: Int, from reader: inout StateReader) throws(StateError) {
        reset(slot)
        states[slot] = try ZScoreDetector.read(from: &reader)
    }
}

final class RobustScoreBank: DetectorBank {
    let configuration: DetectorConfiguration
    private var states: [RobustScoreDetector] = []

    init(_ configuration: DetectorConfiguration) { self.configuration = configuration }

    func process(rows: UnsafeBufferPointer<Int32>, slots: UnsafeBufferPointer<Int32>, inputs: [ColumnVector],
                 scores: ColumnVector, flags: ColumnVector) {
        let warmup = configuration.warmupCount, window = configuration.windowCount
        scoreSingleInput(rows: rows, slots: slots, input: inputs[0], scores: scores, flags: flags,
                         threshold: configuration.threshold) { slot, x in
            states[slot].score(x, warmupCount: warmup, windowCount: window)
        }
    }

    func reset(_ slot: Int) {
        while states.count <= slot { states.append(RobustScoreDetector()) }
        states[slot] = RobustScoreDetector()
    }

    func write(_ slot: Int, to writer: inout StateWriter) { states[slot].write(to: &writer) }

    func read(_ slot: Int, from reader: inout StateReader) throws(StateError) {
        reset(slot)
        states[slot] = try RobustScoreDetector.read(from: &reader, windowCount: configuration.windowCount)
    }
}

final class ForestBank: DetectorBank {
    let configuration: DetectorConfiguration
    /// A key's forest is made on its first finite point (a forest is ~MiBs).
    private var forests: [RandomCutForest?] = []
    private var point: [Double]

    init(_ configuration: DetectorConfiguration) {
        self.configuration = configuration
        point = [Double](repeating: 0, count: configuration.inputCount)
    }

    func process(rows: UnsafeBufferPointer<Int32>, slots: UnsafeBufferPointer<Int32>, inputs: [ColumnVector],
                 scores: ColumnVector, flags: ColumnVector) {
        let warmup = configuration.warmupCount, threshold = configuration.threshold
        for index in 0..<rows.count {
            let row = Int(rows[index])
            var usable = true
            for (i, input) in inputs.enumerated() {
                guard input.type != .null, !input.isNull[row] else { usable = false; break }
                point[i] = input.number(row)
                if !point[i].isFinite { usable = false; break }
            }
            guard usable else { scores.setNull(row); continue }
            let slot = Int(slots[index])
            let forest = forests[slot] ?? RandomCutForest(configuration)
            forests[slot] = forest
            if let score = point.withUnsafeBufferPointer({ forest.score($0, warmupCount: warmup) }) {
                scores.set(row, double: score)
                if score >= threshold { flags.bools[row] = true }
            } else {
                scores.setNull(row)
            }
        }
    }

    func reset(_ slot: Int) {
        while forests.count <= slot { forests.append(nil) }
        forests[slot] = nil
    }

    func write(_ slot: Int, to writer: inout StateWriter) {
        if let forest = forests[slot] {
            writer.write(UInt8(1))
            forest.write(to: &writer)
        } else {
            writer.write(UInt8(0))
        }
    }

    func read(_ slot: Int, from reader: inout StateReader) throws(StateError) {
        reset(slot)
        guard try reader.readUInt8() == 1 else { return }
        let forest = RandomCutForest(configuration)
        try forest.read(from: &reader)
        forests[slot] = forest
    }
}
