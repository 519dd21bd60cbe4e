// RandomCutForest: the RCF detector for one key — `treeCount` random cut trees
// (RandomCutTree.swift), each over its own time-decayed reservoir of
// `sampleSize` points, fed with shingled points.
//
// Shingling: with shingle k and m inputs a point is the last k input rows laid
// end to end (dimension m·k, oldest first), so a 1-D series becomes k-D points
// of consecutive values and a broken shape (a flat stretch in a sine, a missing
// peak) lies far from every sampled shape even when each value is ordinary.
// The first k − 1 rows only fill the shingle and are scored NULL.
//
// Score: the mean over trees of the AWS-normalized anomaly score (the
// random-cut-forest-by-aws "getAnomalyScore", see RandomCutTree.swift), computed
// BEFORE the point is learned. Ordinary points score about 1 (the 99th
// percentile outside the labelled windows is 1.4 to 2.3 in spate-detect-eval); a
// point isolated near the root scores several times more (spikes: 4 to 8).
// Whether a score flags is decided by the key's calibrator (AnomalyRule), not
// here: calibrated, with a floor of 2 (DetectorConfiguration.forestFloor); the
// fixed 3 serves before calibration and as `threshold => 3`. The forest itself
// sees whatever it is given: the operator's ForestBank scales several inputs
// per key first (InputNormalizer), so columns of any scale count alike.
//
// Update: every tree offers the point to its reservoir (RandomCutTree.offer) —
// the trees differ by their generators, seeded from `seed` (SplitMix64 of seed +
// tree index), so the forest is deterministic for a seed on every platform.
// Warm-up: `warmupCount` points (default max(30, sample_size / 4), AWS's
// outputAfter) are learned and scored NULL.
//
// Memory per key: treeCount × RandomCutTree.stateBytes plus the shingle and a
// path buffer — about 1.8 MiB for 50 trees × 256 samples × dimension 4
// (`stateBytes`). This is why ANOMALY_SCORE of one input is not a forest and why
// the operator bounds keys by bytes as well as by count.
// Checkpoint: sequence, shingle fill and values, then each tree.

import CSpateForestKernels

/// A random cut forest over one key's points.
public final class RandomCutForest {
    public let treeCount: Int
    public let sampleSize: Int
    public let inputCount: Int
    public let shingleCount: Int
    public let timeDecay: Double
    public var dimensions: Int { inputCount * shingleCount }
    private let trees: [RandomCutTree]
    /// The same trees without reference counting on the per-point loops
    /// (retain/release was 12 % of the forest's time); `trees` keeps them alive.
    private let unmanagedTrees: [Unmanaged<RandomCutTree>]
    /// The last `shingleCount` input rows, oldest first.
    private var shingle: [Double]
    /// Input rows in the shingle so far (up to shingleCount).
    private var shingleFilled = 0
    /// Points learned (shingles completed).
    public private(set) var sequence: UInt64 = 0
    /// Extent and growth per level of up to four walks down (RandomCutTree.scoreFour): 2 × sampleSize doubles each.
    private let path: UnsafeMutablePointer<Double>

    /// How the forest's box arithmetic (CSpateForestKernels) runs here: "SSE2", or "portable C" on other CPUs.
    public static var boxKernels: String { spate_forest_boxes_are_vectorized() != 0 ? "SSE2" : "portable C" }

    public static func stateBytes(treeCount: Int, sampleSize: Int, dimensions: Int, shingleCount: Int) -> Int {
        treeCount * (RandomCutTree.stateBytes(capacity: sampleSize, dimensions: dimensions) + 16)
            + 8 * sampleSize * 8 + dimensions * 8 + 160
    }

    public init(treeCount: Int, sampleSize: Int, inputCount: Int, shingleCount: Int, timeDecay: Double, seed: UInt64) {
        self.treeCount = treeCount
        self.sampleSize = sampleSize
        self.inputCount = inputCount
        self.shingleCount = shingleCount
        self.timeDecay = timeDecay
        var seeds = DetectorRandom(seed: seed)
        let dimensions = inputCount * shingleCount
        trees = (0..<treeCount).map { _ in RandomCutTree(capacity: sampleSize, dimensions: dimensions, seed: seeds.next()) }
        unmanagedTrees = trees.map { Unmanaged.passUnretained($0) }
        shingle = [Double](repeating: 0, count: dimensions)
        path = .allocate(capacity: 8 * sampleSize)
    }

    public convenience init(_ configuration: DetectorConfiguration) {
        self.init(treeCount: configuration.treeCount, sampleSize: configuration.sampleSize, inputCount: configuration.inputCount,
                  shingleCount: configuration.shingleCount, timeDecay: configuration.timeDecay, seed: configuration.seed)
    }

    deinit { path.deallocate() }

    /// Adds one input row (`inputCount` values) to the shingle; scores the
    /// completed point against the forest (nil while the shingle fills or during
    /// warm-up), then learns it.
    public func score(_ inputs: UnsafeBufferPointer<Double>, warmupCount: Int) -> Double? {
        precondition(inputs.count == inputCount, "one value per input")
        let m = inputCount
        shingle.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            if shingleFilled < shingleCount {
                (base + shingleFilled * m).update(from: inputs.baseAddress!, count: m)
                shingleFilled += 1
            } else {
                base.update(from: base + m, count: buffer.count - m)
                (base + buffer.count - m).update(from: inputs.baseAddress!, count: m)
            }
        }
        guard shingleFilled == shingleCount else { return nil }
        return shingle.withUnsafeBufferPointer { buffer in
            let point = buffer.baseAddress!
            var result: Double?
            if sequence >= UInt64(warmupCount) {
                var sum = 0.0
                let trees = unmanagedTrees
                var index = 0
                while index + 4 <= trees.count {
                    sum += trees[index]._withUnsafeGuaranteedRef { t0 in
                        trees[index + 1]._withUnsafeGuaranteedRef { t1 in
                            trees[index + 2]._withUnsafeGuaranteedRef { t2 in
                                trees[index + 3]._withUnsafeGuaranteedRef { t3 in
                                    RandomCutTree.scoreFour(t0, t1, t2, t3, point, paths: path, capacity: sampleSize)
                                }
                            }
                        }
                    }
                    index += 4
                }
                if index + 2 <= trees.count {
                    // Added one by one, as the single-tree loop below would: the same sum, bit for bit.
                    let (s0, s1) = trees[index]._withUnsafeGuaranteedRef { t0 in
                        trees[index + 1]._withUnsafeGuaranteedRef { t1 in
                            RandomCutTree.scoreTwo(t0, t1, point, paths: path, capacity: sampleSize)
                        }
                    }
                    sum += s0
                    sum += s1
                    index += 2
                }
                while index < trees.count {
                    sum += trees[index]._withUnsafeGuaranteedRef { $0.score(point, path: path) }
                    index += 1
                }
                result = sum / Double(treeCount)
            }
            sequence += 1
            // Locals, not the properties, inside the loop: the closure's read of
            // `sequence` was a dynamic exclusivity check per tree (swift_beginAccess).
            let sequence = self.sequence, timeDecay = self.timeDecay
            for tree in unmanagedTrees { tree._withUnsafeGuaranteedRef { $0.offer(point, sequence: sequence, timeDecay: timeDecay) } }
            return result
        }
    }

    func write(to writer: inout StateWriter) {
        writer.write(sequence)
        writer.write(UInt32(shingleFilled))
        shingle.withUnsafeBufferPointer { writer.write(doubles: $0) }
        for tree in trees { tree.write(to: &writer) }
    }

    func read(from reader: inout StateReader) throws(StateError) {
        sequence = try reader.readUInt64()
        shingleFilled = try reader.readCount(max: shingleCount)
        for index in shingle.indices { shingle[index] = try reader.readDouble() }
        for tree in trees { try tree.read(from: &reader) }
    }
}
