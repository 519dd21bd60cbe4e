// The watermark of a windowed query: how far event time has surely got, so
// which windows are final. It owns everything that decides it —
//
// - per shard of the input, the largest event time seen;
// - which shards hold it back: not finished (the cursor read to its end) and,
//   for a tailing query, not idle (no record for `idleMs`);
// - the frontier: the smallest maximum over the shards that hold it back (all
//   shards' largest when none does), which never moves back;
// - the grace: the watermark is the frontier minus it.
//
// So the order in which shards are read does not make a shard's records late:
// only a record out of order within its own shard by more than the grace is
// (Flink's rule for parallel sources, with its idleness timeout). The window
// aggregate observes each record's time here; the query execution tells it,
// before each batch, which shards are finished and which shards' records the
// batch held. Checkpoints save the maxima and the frontier (idleness is
// this process's wall-clock view and restarts fresh).

import SpateLog

final class Watermark {
    /// A tailing query stops waiting for a shard with no records for this long.
    static let shardIdleMsDefault: UInt64 = 5_000

    let graceMs: Int64
    /// Bounded queries read every shard to its end, so none is ever idle.
    let tracksIdleness: Bool
    let idleNs: UInt64

    /// Per shard, the largest event time seen (.min: none yet).
    @exclusivity(unchecked) private(set) var maxEventTimeByShard: [Int64]
    /// Shards that hold the frontier back.
    @exclusivity(unchecked) private(set) var shardIsActive: [Bool]
    /// The watermark before the grace.
    @exclusivity(unchecked) private(set) var frontierMs: Int64 = .min
    /// The active shard with the smallest maximum (-1: none active).
    @exclusivity(unchecked) private var frontierShard = -1
    /// Per shard, when a record of it was last read (monotonic ns), for idleness.
    @exclusivity(unchecked) private var lastRecordNs: [UInt64]

    init(shardCount: Int, graceMs: Int64, tracksIdleness: Bool = false, idleMs: UInt64 = Watermark.shardIdleMsDefault) {
        let count = max(1, shardCount)
        maxEventTimeByShard = [Int64](repeating: .min, count: count)
        shardIsActive = [Bool](repeating: true, count: count)
        lastRecordNs = [UInt64](repeating: monotonicNs(), count: count)
        self.graceMs = graceMs
        self.tracksIdleness = tracksIdleness
        self.idleNs = idleMs * 1_000_000
    }

    var shardCount: Int { maxEventTimeByShard.count }

    /// A frontier set from outside, used instead of this watermark's own: a
    /// worker of a query whose partial aggregates are merged closes windows at
    /// the frontier over every worker's shards (ParallelQueryExecution), so
    /// that all workers close the same windows at the same step.
    var coordinatedFrontierMs: Int64?

    /// The watermark: the frontier (or the coordinated one) minus the grace (saturating at Int64.min).
    var watermarkMs: Int64 {
        let (watermark, overflow) = (coordinatedFrontierMs ?? frontierMs).subtractingReportingOverflow(graceMs)
        return overflow ? .min : watermark
    }

    /// The largest event time seen on any shard.
    var maxEventTimeMs: Int64 { maxEventTimeByShard.max() ?? .min }

    /// One record's event time, from `shard`.
    @inline(__always)
    func observe(_ t: Int64, shard: Int) {
        guard t > maxEventTimeByShard[shard] else { return }
        maxEventTimeByShard[shard] = t
        if shard == frontierShard || frontierShard < 0 { recomputeFrontier() }
    }

    /// Notes that a batch held records of the shards `rowShards[0..<count]`
    /// (positions of the query's shards): they are not idle.
    func noteRecords(_ rowShards: UnsafePointer<Int32>, count: Int) {
        guard tracksIdleness, count > 0 else { return }
        let now = monotonicNs()
        var seen = [Bool](repeating: false, count: lastRecordNs.count)
        for row in 0..<count { seen[Int(rowShards[row])] = true }
        for s in seen.indices where seen[s] { lastRecordNs[s] = now }
    }

    /// Decides, before a batch is read, which shards hold the watermark back:
    /// not `finished` and (tailing) not idle. A shard that finishes while the
    /// batch is read still has rows in it, so this runs before the read.
    func updateActiveShards(finished: [Bool]) {
        precondition(finished.count == shardCount, "one flag per shard")
        let now = monotonicNs()
        let active = finished.indices.map { s in
            !finished[s] && (!tracksIdleness || now - lastRecordNs[s] < idleNs)
        }
        guard active != shardIsActive else { return }
        shardIsActive = active
        recomputeFrontier()
    }

    private func recomputeFrontier() {
        // An active shard that has shown nothing yet may still hold the oldest
        // events: it holds the watermark at its start.
        var frontier = Int64.max, shard = -1
        for s in 0..<maxEventTimeByShard.count where shardIsActive[s] && maxEventTimeByShard[s] < frontier {
            frontier = maxEventTimeByShard[s]
            shard = s
        }
        if shard < 0 {
            // Every shard is finished or idle: nothing holds back.
            frontier = maxEventTimeMs
        }
        // The watermark never goes back (a shard becoming active again does not reopen windows).
        let before = frontierMs
        if frontier > frontierMs { frontierMs = frontier }
        assert(frontierMs >= before, "the watermark moved back from \(before) to \(frontierMs)")
        frontierShard = shard
    }

    // MARK: Checkpoint state (inside the window aggregate's; the format is unchanged)

    func save(to writer: inout StateWriter) {
        writer.write(UInt32(maxEventTimeByShard.count))
        for t in maxEventTimeByShard { writer.write(t) }
        writer.write(frontierMs)
    }

    func load(from reader: inout StateReader) throws(StateError) {
        guard Int(try reader.readUInt32()) == maxEventTimeByShard.count else { throw .mismatch("the stream's shard count changed") }
        for s in maxEventTimeByShard.indices { maxEventTimeByShard[s] = try reader.readInt64() }
        frontierMs = try reader.readInt64()
        recomputeFrontier()
    }
}
