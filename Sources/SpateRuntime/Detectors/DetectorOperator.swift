// DetectorOperator: scores batches of rows with a query's detectors, keeping
// each detector's state per partition key — the physical operator behind
// ZSCORE, ROBUST_SCORE, RCF, ANOMALY_SCORE and the `anomaly` pseudo-column.
//
// Built from the plan's `[DetectorPlan]`. Detectors with the same PARTITION BY
// expressions share one key map (partition); a detector without keys has one
// global state. Per batch, for each partition: every selected row's key is
// encoded (GroupKeyCodec) and looked up — a new key gets a slot — and then each
// detector of the partition scores the rows in order, one tight loop per
// detector (DetectorBank). Rows are scored strictly in batch order per key.
//
// Key limit: a partition holds at most `keysMax` keys (default 1,000,000), and
// fewer when its detectors' full-state bytes per key times the keys would pass
// `stateBytesMax` (default 4 GiB; for RCF 50 × 256 × dimension 4, ~1.8 MiB a key,
// that is ~2,250 keys). Past the limit the least recently used key (by rows seen)
// is evicted: its state is dropped, `evictedKeyCount` counts it (a metric for
// the job), and if it comes back it warms up again. Eviction is deterministic
// and survives checkpoints.
//
// Checkpoint format (version 2), little-endian:
//   "SPDT", UInt8 version,
//   UInt32 detectors; per detector: UInt8 kind, UInt32 inputs, UInt32 warmup,
//     Double alpha (NaN when none), UInt32 window, UInt32 trees, UInt32 sample
//     size, UInt32 shingle, Double time decay, UInt64 seed, UInt32 season
//     (format 2) — a restore into
//     detectors that differ in any of these is a `stateMismatch` (the threshold
//     is not state and may change);
//   UInt32 partitions; per partition: UInt64 evicted keys, UInt32 keys; per key,
//     least recently used first: key bytes (UInt32 length + GroupKeyCodec bytes),
//     then each of the partition's detectors' state (DetectorBank: the model's
//     state — see each detector's header — then, for RCF of several inputs, its
//     InputNormalizer, then its ScoreCalibrator).
// Version 1 (before calibration) is still read: models restore as they were
// and calibrators start again (64 scores), except an RCF of several inputs,
// whose forest learned unscaled inputs — that is refused ("RESTART JOB").
//
// Invariants: scores and flags are written only for selected rows; a flag is
// never set from a NULL score; state for a key changes only through rows of
// that key.

import SpateSQL

/// Runs a query's detectors over batches; state per key; checkpointable.
public final class DetectorOperator {
    public static let keysMaxDefault = 1_000_000
    public static let stateBytesMaxDefault = 4 << 30
    static let magic: [UInt8] = Array("SPDT".utf8)
    static let formatVersion: UInt8 = 2

    /// One per detector, in plan order.
    public let configurations: [DetectorConfiguration]
    /// The distinct PARTITION BY lists; `keys` of `process` has one vector list per entry.
    public let partitions: [[BoundExpression]]
    /// For each detector, the index of its partition.
    public let partitionOfDetector: [Int]
    /// Keys a partition may hold before evicting (after the byte bound).
    public let keysMaxOfPartition: [Int]

    private let banks: [DetectorBank]
    private var maps: [DetectorKeyMap]
    private let codecs: [GroupKeyCodec]
    private let detectorsOfPartition: [[Int]]
    private var evictedOfPartition: [Int]
    /// Per-batch buffers, reused; moved into locals while a batch runs, because
    /// per-row access to a class's stored arrays pays a dynamic exclusivity check
    /// (see DetectorBank.swift).
    private var scratch = Scratch()
    /// After `keepKeyHashes()` (a job keeping its score series), each scored
    /// row's hash of its first partition's key, by batch row: what ScoreSeries
    /// groups by. Owned here, `batchRowCapacity` long.
    private(set) var keyHashes: UnsafeMutablePointer<UInt64>?

    /// Starts writing `keyHashes` for every batch scored from now on.
    func keepKeyHashes() {
        if keyHashes == nil { keyHashes = .allocate(capacity: batchRowCapacity) }
    }

    deinit { keyHashes?.deallocate() }

    struct Scratch {
        var rows: [Int32] = []
        var slots: [Int32] = []
        var key = KeyBuffer()
    }

    /// - Throws: `DetectorError` for an option out of range or an unknown detector.
    public init(plans: [DetectorPlan], keysMax: Int = keysMaxDefault, stateBytesMax: Int = stateBytesMaxDefault) throws(DetectorError) {
        precondition(keysMax >= 1 && stateBytesMax >= 1, "limits are positive")
        var configurations: [DetectorConfiguration] = []
        for plan in plans {
            configurations.append(try DetectorConfiguration(function: plan.name, inputCount: plan.arguments.count, options: plan.options))
        }
        var partitions: [[BoundExpression]] = []
        var partitionOfDetector: [Int] = []
        for plan in plans {
            if let index = partitions.firstIndex(of: plan.partitionBy) {
                partitionOfDetector.append(index)
            } else {
                partitions.append(plan.partitionBy)
                partitionOfDetector.append(partitions.count - 1)
            }
        }
        let detectorsOfPartition = partitions.indices.map { p in plans.indices.filter { partitionOfDetector[$0] == p } }
        keysMaxOfPartition = detectorsOfPartition.map { detectors in
            let bytesPerKey = detectors.reduce(64) { $0 + configurations[$1].stateBytesPerKey }
            return max(1, min(keysMax, stateBytesMax / bytesPerKey))
        }
        self.configurations = configurations
        self.partitions = partitions
        self.partitionOfDetector = partitionOfDetector
        self.detectorsOfPartition = detectorsOfPartition
        banks = zip(configurations, plans).map { makeDetectorBank($0, inputNames: $1.argumentNames) }
        maps = keysMaxOfPartition.map { DetectorKeyMap(keysMax: $0) }
        codecs = partitions.map { GroupKeyCodec(types: $0.map(\.type)) }
        evictedOfPartition = [Int](repeating: 0, count: partitions.count)
    }

    // MARK: Figures

    /// Keys held now, over all partitions.
    public var keyCount: Int { maps.reduce(0) { $0 + $1.count } }
    /// Keys dropped by the key limit since the start (checkpointed).
    public var evictedKeyCount: Int { evictedOfPartition.reduce(0, +) }
    /// Full-state bytes of one key of each detector (the documented bound).
    public var stateBytesPerKey: [Int] { configurations.map(\.stateBytesPerKey) }

    // MARK: Scoring

    /// Scores the selected rows of a batch in order.
    /// - Parameters:
    ///   - keys: per partition (`partitions`), the vectors of its PARTITION BY
    ///     expressions (an empty list for a partition without keys).
    ///   - inputs: per detector, its argument vectors (DOUBLE; BIGINT is widened).
    ///   - rows: rows in the batch; `selection`: the rows to score (all when nil).
    ///   - scores: per detector, a DOUBLE vector receiving the score (NULL in warm-up or for a NULL input).
    ///   - flags: BOOLEAN, true where any detector's rule flags the row, false otherwise.
    ///   - grades: per detector, a DOUBLE vector for the calibrated grade (nil: not computed).
    ///   - explanations: a STRING vector, NULL on entry, for flagged rows' explanations (nil: none).
    ///   - times: TIMESTAMP per row (event time or window start), read by detectors with alerts_per_day.
    ///   - thresholds: per detector, a DOUBLE vector for the threshold each scored row was held to (nil: not kept).
    public func process(keys: [[ColumnVector]], inputs: [[ColumnVector]], rows: Int, selection: [Int32]?,
                        into scores: [ColumnVector], flags: ColumnVector,
                        grades: [ColumnVector]? = nil, explanations: ColumnVector? = nil, times: ColumnVector? = nil,
                        thresholds: [ColumnVector]? = nil) {
        precondition(keys.count == partitions.count && inputs.count == banks.count && scores.count == banks.count,
                     "one key list per partition, one input list and one score vector per detector")
        var scratch = Scratch()
        swap(&scratch, &self.scratch)
        defer { swap(&scratch, &self.scratch) }
        if let selection {
            scratch.rows = selection
        } else if scratch.rows.count != rows || scratch.rows.last != Int32(rows - 1) {
            scratch.rows = (0..<Int32(rows)).map { $0 }
        }
        for row in scratch.rows {
            flags.isNull[Int(row)] = false
            flags.bools[Int(row)] = false
        }
        let outputs = banks.indices.map {
            DetectorOutputs(scores: scores[$0], flags: flags, grades: grades?[$0], explanations: explanations,
                            times: configurations[$0].alertsPerDay == nil ? nil : times, thresholds: thresholds?[$0])
        }
        for partition in partitions.indices {
            process(partition: partition, keys: keys[partition], inputs: inputs, outputs: outputs, scratch: &scratch)
        }
    }

    /// `process` for queries whose detectors all share one PARTITION BY (the usual case).
    public func process(keys: [ColumnVector], inputs: [[ColumnVector]], rows: Int, selection: [Int32]?,
                        into scores: [ColumnVector], flags: ColumnVector,
                        grades: [ColumnVector]? = nil, explanations: ColumnVector? = nil) {
        precondition(partitions.count <= 1, "detectors with different PARTITION BY need one key list per partition")
        process(keys: partitions.isEmpty ? [] : [keys], inputs: inputs, rows: rows, selection: selection, into: scores, flags: flags,
                grades: grades, explanations: explanations)
    }

    private func process(partition: Int, keys: [ColumnVector], inputs: [[ColumnVector]], outputs: [DetectorOutputs],
                         scratch: inout Scratch) {
        var map = DetectorKeyMap(keysMax: 1)
        swap(&map, &maps[partition])
        defer { swap(&map, &maps[partition]) }
        let count = scratch.rows.count
        if scratch.slots.count < count { scratch.slots = [Int32](repeating: 0, count: count) }
        var runStart = 0
        if keys.isEmpty {
            // One global state: one slot for every row.
            let slot = map.count == 0 ? insertKey(partition, UnsafeRawBufferPointer(start: nil, count: 0), into: &map) : Int(map.newest)
            for index in 0..<count { scratch.slots[index] = Int32(slot) }
            if partition == 0, let keyHashes { for index in 0..<count { keyHashes[Int(scratch.rows[index])] = 0 } }
        } else {
            let codec = codecs[partition]
            let keyViews = keys.map(\.view)
            for index in 0..<count {
                scratch.key.removeAll()
                keyViews.withUnsafeBufferPointer { codec.encode($0, Int(scratch.rows[index]), into: scratch.key) }
                let bytes = scratch.key.bytes
                let hash = hashBytes(bytes)
                if partition == 0, let keyHashes { keyHashes[Int(scratch.rows[index])] = hash }
                let slot = map.lookup(bytes, hash: hash)
                if let slot {
                    scratch.slots[index] = Int32(slot)
                    continue
                }
                if map.isFull {
                    // Score the rows before this one with the states they saw, then evict.
                    score(partition: partition, run: runStart..<index, inputs: inputs, outputs: outputs, scratch: scratch)
                    runStart = index
                    let evicted = map.evictOldest()
                    evictedOfPartition[partition] += 1
                    for detector in detectorsOfPartition[partition] { banks[detector].reset(evicted) }
                }
                scratch.slots[index] = Int32(insertKey(partition, scratch.key.bytes, into: &map))
            }
        }
        score(partition: partition, run: runStart..<count, inputs: inputs, outputs: outputs, scratch: scratch)
    }

    private func insertKey(_ partition: Int, _ key: UnsafeRawBufferPointer, into map: inout DetectorKeyMap) -> Int {
        let slot = map.insert(key, hash: hashBytes(key))
        for detector in detectorsOfPartition[partition] { banks[detector].reset(slot) }
        return slot
    }

    private func score(partition: Int, run: Range<Int>, inputs: [[ColumnVector]], outputs: [DetectorOutputs],
                       scratch: borrowing Scratch) {
        guard !run.isEmpty else { return }
        scratch.rows.withUnsafeBufferPointer { rows in
            scratch.slots.withUnsafeBufferPointer { slots in
                let rows = UnsafeBufferPointer(rebasing: rows[run]), slots = UnsafeBufferPointer(rebasing: slots[run])
                for detector in detectorsOfPartition[partition] {
                    banks[detector].process(rows: rows, slots: slots, inputs: inputs[detector], outputs: outputs[detector])
                }
            }
        }
    }

    // MARK: Checkpoint

    /// All per-key state, in the versioned format of this file's header.
    public func serialize() -> [UInt8] {
        var writer = StateWriter()
        for byte in Self.magic { writer.write(byte) }
        writer.write(Self.formatVersion)
        writer.write(UInt32(configurations.count))
        for configuration in configurations { Self.writeIdentity(configuration, version: Self.formatVersion, to: &writer) }
        writer.write(UInt32(partitions.count))
        for partition in partitions.indices {
            writer.write(UInt64(evictedOfPartition[partition]))
            let slots = maps[partition].slotsOldestFirst()
            writer.write(UInt32(slots.count))
            for slot in slots {
                maps[partition].key(slot).withUnsafeBytes { writer.write($0) }
                for detector in detectorsOfPartition[partition] { banks[detector].write(slot, to: &writer) }
            }
        }
        return writer.bytes
    }

    /// Replaces all state with a checkpoint from `serialize()` of an operator built from the same detectors.
    /// - Throws: `StateError.truncated` or `.corrupt` (unreadable bytes), `.mismatch` (other detectors).
    ///   On a throw the operator is left empty (as new), never half-restored.
    public func restore(from bytes: [UInt8]) throws(StateError) {
        clear()
        do {
            try read(bytes)
        } catch {
            clear()
            throw error
        }
    }

    private func read(_ bytes: [UInt8]) throws(StateError) {
        var reader = StateReader(bytes)
        for byte in Self.magic where try reader.readUInt8() != byte { throw .corrupt("not a detector checkpoint (bad magic)") }
        let version = try reader.readUInt8()
        guard version == 1 || version == Self.formatVersion else {
            throw .mismatch("detector checkpoint format version \(version), this build reads 1 and \(Self.formatVersion)")
        }
        if version == 1, let forest = configurations.first(where: { $0.kind == .randomCutForest && $0.inputCount > 1 }) {
            throw .mismatch("\(forest.function) of \(forest.inputCount) inputs was saved before inputs were scaled (format 1)")
        }
        let detectorCount = try reader.readCount(max: 1 << 16)
        guard detectorCount == configurations.count else { throw .mismatch("\(detectorCount) detectors saved, the query has \(configurations.count)") }
        var expected = StateWriter()
        for configuration in configurations { Self.writeIdentity(configuration, version: version, to: &expected) }
        for (index, byte) in expected.bytes.enumerated() where try reader.readUInt8() != byte {
            throw .mismatch("detector options differ from the saved ones (at identity byte \(index))")
        }
        guard try reader.readCount(max: 1 << 16) == partitions.count else { throw .mismatch("the detectors' PARTITION BY keys changed") }
        for partition in partitions.indices {
            evictedOfPartition[partition] = Int(try reader.readUInt64())
            let keyCount = try reader.readCount(max: maps[partition].keysMax)
            for _ in 0..<keyCount {
                let key = try reader.readBytes()
                let slot = key.withUnsafeBytes { insertKey(partition, $0, into: &maps[partition]) }
                for detector in detectorsOfPartition[partition] {
                    if version == 1 {
                        try banks[detector].readWithoutCalibration(slot, from: &reader)
                    } else {
                        try banks[detector].read(slot, from: &reader)
                    }
                }
            }
        }
        guard reader.isAtEnd else { throw .corrupt("\(reader.remainingCount) bytes left over") }
    }

    private func clear() {
        for partition in maps.indices {
            while maps[partition].count > 0 {
                let slot = maps[partition].evictOldest()
                for detector in detectorsOfPartition[partition] { banks[detector].reset(slot) }
            }
            evictedOfPartition[partition] = 0
        }
    }

    /// What must match for saved state to mean the same thing (everything but the threshold).
    private static func writeIdentity(_ configuration: DetectorConfiguration, version: UInt8, to writer: inout StateWriter) {
        writer.write(configuration.kind.rawValue)
        writer.write(UInt32(configuration.inputCount))
        writer.write(UInt32(configuration.warmupCount))
        writer.write(configuration.alpha ?? .nan)
        writer.write(UInt32(configuration.windowCount))
        writer.write(UInt32(configuration.treeCount))
        writer.write(UInt32(configuration.sampleSize))
        writer.write(UInt32(configuration.shingleCount))
        writer.write(configuration.timeDecay)
        writer.write(configuration.seed)
        // Format 2: the season (a baseline per phase is part of the state).
        if version >= 2 { writer.write(UInt32(configuration.seasonLength)) }
    }
}
