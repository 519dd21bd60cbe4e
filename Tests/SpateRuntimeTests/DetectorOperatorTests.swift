// DetectorOperator over batches: per-key state (keys do not leak into each
// other), NULL inputs, warm-up, the key limit's LRU eviction, selections, and
// checkpoints of the whole operator (identical later scores, mismatches refused).

@testable import SpateRuntime
import SpateSQL
import Testing

/// Drives a DetectorOperator with (key, value) rows in batches of `batchRows`.
final class DetectorHarness {
    let detector: DetectorOperator
    let batchRows: Int
    let keys: ColumnVector
    let values: ColumnVector
    let scores: [ColumnVector]
    let flags: ColumnVector

    init(_ detector: DetectorOperator, batchRows: Int = 100) {
        self.detector = detector
        self.batchRows = batchRows
        keys = ColumnVector(type: .string, capacity: batchRows)
        values = ColumnVector(type: .double, capacity: batchRows)
        scores = detector.configurations.map { _ in ColumnVector(type: .double, capacity: batchRows) }
        flags = ColumnVector(type: .boolean, capacity: batchRows)
    }

    /// Scores rows (nil value = NULL); returns per row the score of each detector and the flag.
    func run(_ rows: [(key: String, value: Double?)], selection: [Int32]? = nil) -> [(scores: [Double?], flag: Bool?)] {
        var result: [(scores: [Double?], flag: Bool?)] = []
        var start = 0
        while start < rows.count {
            let batch = rows[start..<min(rows.count, start + batchRows)]
            for vector in [keys, values, flags] + scores { vector.reset(count: batch.count) }
            for (row, entry) in batch.enumerated() {
                keys.set(row, string: entry.key)
                if let value = entry.value { values.set(row, double: value) } else { values.setNull(row) }
                flags.setNull(row)
                for score in scores { score.setNull(row) }
            }
            let keyLists = detector.partitions.map { $0.isEmpty ? [] : [keys] }
            detector.process(keys: keyLists, inputs: detector.configurations.map { _ in [values] }, rows: batch.count,
                             selection: selection, into: scores, flags: flags)
            for row in 0..<batch.count {
                let rowScores = scores.map { vector -> Double? in if case let .double(d) = vector.value(row) { return d } else { return nil } }
                let flag: Bool? = if case let .boolean(b) = flags.value(row) { b } else { nil }
                result.append((rowScores, flag))
            }
            start += batchRows
        }
        return result
    }
}

let keyExpression = BoundExpression(.field(0), type: .string)
let valueExpression = BoundExpression(.field(1), type: .double)

func plan(_ name: String, _ options: [String: Double] = [:], keyed: Bool = true) -> DetectorPlan {
    DetectorPlan(name: name, arguments: [valueExpression], options: options, partitionBy: keyed ? [keyExpression] : [])
}

@Suite struct DetectorOperatorTests {
    @Test func keysDoNotLeakIntoEachOther() throws {
        let plans = [plan("ZSCORE"), plan("ROBUST_SCORE"), plan("RCF", ["trees": 10, "sample_size": 64])]
        // Two users on very different scales, interleaved; "small" spikes at the end.
        var rows: [(key: String, value: Double?)] = []
        for i in 0..<400 {
            rows.append(("small", 10 + 0.1 * stableSignal(i) - 10))
            rows.append(("large", 10_000 + 100 * (stableSignal(i) - 100)))
        }
        rows.append(("small", 25))   // huge for "small", tiny next to "large"
        rows.append(("large", 10_050))
        let together = DetectorHarness(try DetectorOperator(plans: plans)).run(rows)
        // Each key alone must score exactly as when interleaved.
        for key in ["small", "large"] {
            let indexes = rows.indices.filter { rows[$0].key == key }
            let alone = DetectorHarness(try DetectorOperator(plans: plans)).run(indexes.map { rows[$0] })
            for (position, index) in indexes.enumerated() {
                #expect(alone[position].scores.map { $0?.bitPattern } == together[index].scores.map { $0?.bitPattern })
            }
        }
        #expect(together[rows.count - 2].flag == true, "the spike of the small-scale key")
        #expect(together[rows.count - 1].flag == false, "an ordinary value of the large-scale key")
    }

    @Test func nullInputScoresNullAndLearnsNothing() throws {
        let plans = [plan("ZSCORE"), plan("ROBUST_SCORE")]
        let clean: [(key: String, value: Double?)] = (0..<200).map { ("k", stableSignal($0)) }
        var withNulls = clean
        withNulls.insert(("k", nil), at: 120)
        withNulls.insert(("k", .nan), at: 60)
        let a = DetectorHarness(try DetectorOperator(plans: plans)).run(clean)
        let b = DetectorHarness(try DetectorOperator(plans: plans)).run(withNulls)
        #expect(b[60].scores == [nil, nil] && b[60].flag == false)
        #expect(b[121].scores == [nil, nil] && b[121].flag == false)
        var cleanIndex = 0
        for (index, row) in b.enumerated() where index != 60 && index != 121 {
            #expect(row.scores.map { $0?.bitPattern } == a[cleanIndex].scores.map { $0?.bitPattern })
            cleanIndex += 1
        }
    }

    @Test func warmupIsNullAndNeverFlags() throws {
        let harness = DetectorHarness(try DetectorOperator(plans: [plan("ZSCORE", ["warmup": 10])]), batchRows: 7)
        let result = harness.run((0..<20).map { ("k", $0 == 5 ? 1e9 : stableSignal($0)) })
        #expect(result.prefix(10).allSatisfy { $0.scores == [nil] && $0.flag == false })
        #expect(result.suffix(10).allSatisfy { $0.scores[0] != nil })
    }

    @Test func keyLimitEvictsTheLeastRecentlyUsedKey() throws {
        let detector = try DetectorOperator(plans: [plan("ZSCORE", ["warmup": 2])], keysMax: 2)
        let harness = DetectorHarness(detector, batchRows: 4)
        // Batch 1: a and b learn (b is the most recent). Batch 2: a is touched, so b is the
        // least recently used when c arrives; b's return then evicts a, and a's return evicts c.
        let result = harness.run([("a", 1), ("b", 1), ("a", 2), ("b", 2), ("a", 3), ("c", 1), ("b", 5), ("a", 4)])
        #expect(detector.keyCount == 2)
        #expect(detector.evictedKeyCount == 3)
        #expect(result[4].scores[0] != nil, "a is warm")
        #expect(result[5].scores[0] == nil, "c is new")
        #expect(result[6].scores[0] == nil, "b was evicted and warms up again")
        #expect(result[7].scores[0] == nil, "a was evicted by b's return and warms up again")
        // The evicted keys' state is gone: b and a learn afresh.
        let next = harness.run([("b", 6), ("a", 5), ("b", 7)])
        #expect(next[2].scores[0] != nil && next[1].scores[0] == nil)
    }

    @Test func byteBudgetBoundsForestKeys() throws {
        let forest = plan("RCF")
        let detector = try DetectorOperator(plans: [forest], stateBytesMax: 64 << 20)
        let perKey = detector.stateBytesPerKey[0]
        #expect(perKey > 500_000 && perKey < 2_000_000)
        #expect(detector.keysMaxOfPartition[0] == (64 << 20) / (perKey + 64))
    }

    @Test func selectionScoresOnlySelectedRows() throws {
        let harness = DetectorHarness(try DetectorOperator(plans: [plan("ZSCORE", ["warmup": 2], keyed: false)]), batchRows: 10)
        let result = harness.run((0..<10).map { ("k", Double($0 % 3)) }, selection: [0, 2, 4, 6, 8])
        #expect(result.enumerated().filter { $0.offset % 2 == 1 }.allSatisfy { $0.element.flag == nil && $0.element.scores == [nil] })
        #expect(result[4].scores[0] != nil)
    }

    @Test func checkpointRoundTripGivesIdenticalLaterScores() throws {
        let plans = [plan("ZSCORE"), plan("ROBUST_SCORE", ["alpha": 0.1]), plan("RCF", ["trees": 8, "sample_size": 32, "shingle": 2]),
                     plan("ZSCORE", keyed: false)]
        let rows: [(key: String, value: Double?)] = (0..<3_000).map { i in
            ("user\(i % 7)", i % 211 == 0 ? nil : stableSignal(i) * Double(1 + i % 7) + (i % 389 == 0 ? 30 : 0))
        }
        let original = try DetectorOperator(plans: plans, keysMax: 5)
        let originalHarness = DetectorHarness(original, batchRows: 64)
        _ = originalHarness.run(Array(rows.prefix(2_000)))
        let bytes = original.serialize()
        let restored = try DetectorOperator(plans: plans, keysMax: 5)
        try restored.restore(from: bytes)
        #expect(restored.keyCount == original.keyCount && restored.evictedKeyCount == original.evictedKeyCount)
        let expected = originalHarness.run(Array(rows.suffix(1_000)))
        let actual = DetectorHarness(restored, batchRows: 64).run(Array(rows.suffix(1_000)))
        for (a, b) in zip(expected, actual) {
            #expect(a.scores.map { $0?.bitPattern } == b.scores.map { $0?.bitPattern } && a.flag == b.flag)
        }
        #expect(restored.serialize() == original.serialize())
    }

    @Test func checkpointOfOtherDetectorsIsRefused() throws {
        let original = try DetectorOperator(plans: [plan("ZSCORE")])
        _ = DetectorHarness(original).run((0..<50).map { ("k", stableSignal($0)) })
        let bytes = original.serialize()
        let other = try DetectorOperator(plans: [plan("ZSCORE", ["alpha": 0.2])])
        let mismatch = #expect(throws: StateError.self) { try other.restore(from: bytes) }
        #expect(mismatch.map { if case .mismatch = $0 { true } else { false } } == true, "\(String(describing: mismatch))")
        #expect(other.keyCount == 0)
        // A changed threshold is not a change of state.
        try DetectorOperator(plans: [plan("ZSCORE", ["threshold": 5])]).restore(from: bytes)
        var damaged = bytes
        damaged[0] = 0
        #expect(throws: StateError.corrupt("not a detector checkpoint (bad magic)")) { try original.restore(from: damaged) }
        #expect(throws: StateError.truncated) { try original.restore(from: Array(bytes.dropLast())) }
    }
}

/// Checkpoints written by the format before calibration (format 1).
@Suite struct DetectorCheckpointFormatTests {
    /// A format-1 checkpoint of one ZSCORE key without PARTITION BY, written field by field.
    func formatOneZScore(count: UInt64, mean: Double, m2: Double) throws -> [UInt8] {
        let configuration = try DetectorConfiguration(function: "ZSCORE", inputCount: 1, options: [:])
        var writer = StateWriter()
        for byte in Array("SPDT".utf8) { writer.write(byte) }
        writer.write(UInt8(1))
        writer.write(UInt32(1))
        writer.write(configuration.kind.rawValue)
        writer.write(UInt32(1))
        writer.write(UInt32(configuration.warmupCount))
        writer.write(Double.nan)
        writer.write(UInt32(configuration.windowCount))
        writer.write(UInt32(configuration.treeCount))
        writer.write(UInt32(configuration.sampleSize))
        writer.write(UInt32(configuration.shingleCount))
        writer.write(configuration.timeDecay)
        writer.write(configuration.seed)
        writer.write(UInt32(1))   // partitions
        writer.write(UInt64(0))   // evicted
        writer.write(UInt32(1))   // keys
        writer.write(UInt32(0))   // key bytes: the one global key
        writer.write(count)
        writer.write(mean)
        writer.write(m2)
        return writer.bytes
    }

    @Test func formatOneRestoresTheModelWithAFreshCalibrator() throws {
        let restored = try DetectorOperator(plans: [plan("ZSCORE", keyed: false)])
        // 100 points of mean 10 and variance 1 (m2 = 99).
        try restored.restore(from: formatOneZScore(count: 100, mean: 10, m2: 99))
        let rows = DetectorHarness(restored).run([("", 13), ("", 10)])
        #expect(rows[0].scores[0] == 3)   // |13 − 10| / 1: the model came back
        // The calibrator starts again: until it has 64 scores the fixed default (3) decides.
        #expect(rows[0].flag == true)
        #expect(rows[1].flag == false)
        // A new checkpoint is format 2 and round-trips.
        let bytes = restored.serialize()
        #expect(bytes[4] == 2)
        let again = try DetectorOperator(plans: [plan("ZSCORE", keyed: false)])
        try again.restore(from: bytes)
        #expect(again.serialize() == bytes)
    }

    @Test func formatOneOfAMultiInputForestIsRefused() throws {
        var writer = StateWriter()
        for byte in Array("SPDT".utf8) { writer.write(byte) }
        writer.write(UInt8(1))
        let forest = try DetectorOperator(plans: [DetectorPlan(name: "RCF", arguments: [valueExpression, valueExpression], options: [:], partitionBy: [])])
        #expect { try forest.restore(from: writer.bytes) } throws: { error in
            "\(error)".contains("saved before inputs were scaled")
        }
    }
}
