// A job's query run by `parallelism` workers at once (Flink's parallelism, a
// Kinesis Data Analytics application's parallelism): the stream's shards are
// dealt round robin to the workers (shard s → worker s mod n), and each worker
// is a complete QueryExecution over its shards with its own state — windows,
// watermark, detectors. That is exact when every piece of state is keyed by the
// stream's key column, because records of one key live in one shard (the
// partition key routes them); JobDefinition refuses any other stateful query
// with parallelism > 1. Stateless queries (filters, projections) always split.
//
// A step runs every worker on its own thread (ForkJoinThreads, the calling
// thread included) until the step has run `stepNsMin` (at most
// `boundedStepBatchesMax` batches a worker on average), each worker
// keeping its rows; then the rows are handed on in worker order on the calling
// thread, so the job's output and checkpoints see one sequence of steps exactly
// as with one worker. Between steps all workers are quiet: the checkpoint takes
// every worker's state and per-shard positions at one consistent point.
//
// A job overlaps its own work with the workers' (`launchStep`, `collectStep`):
// while the workers run step k+1 in the background, the job's thread hands on
// step k's rows and commits the checkpoint it took (`snapshot`) when step k
// ended. Measured: done in turn, the hand-on and commit of the reference job's
// 250 k result rows left the workers idle, and parallelism 2 used 1.36 cores.
// A launched step runs until it is collected (within bounds the job sets), so
// it lasts exactly as long as the thread's work. With at least as many
// workers as cores, the job's thread is one of the workers: it reads one part
// in what is left of each step after its own work — the part furthest ahead
// in arrival time, so the parts behind get the other threads' whole steps and
// a backlog's parts finish together (`callerRunsAShare`).
//
// Watermarks are per worker (over its shards), as in Flink: a worker's windows
// close as its own shards progress. With one worker this is QueryExecution
// itself, and the checkpoint state is byte for byte what QueryExecution writes.
//
// A bounded query whose groups are not keyed by the stream's key splits too,
// by merging partial aggregates (`mergesPartials`; PartialAggregates.swift,
// Flink's local-global aggregation): each worker is a partial part that
// aggregates its shards' records and hands a group on when its window
// closes; one final part on the calling thread folds them and runs the rest
// of the query (HAVING, detectors, projection, ORDER BY, LIMIT). Windows close
// at one frontier for all workers, computed between steps from every worker's
// per-shard maxima exactly as one worker's watermark is (the smallest maximum
// over the shards not read to their end), so in a step every worker closes the
// same windows and each group the final part receives is complete. The
// frontier lags a step behind the workers' reading, so a record is never late
// here that one worker reading the shards merged by arrival would keep.
//
// One shard splits too, into consecutive ranges of sequences (`ShardRange`),
// one per worker, when that is exact: a query without state, or an aggregate
// over arrival time. A shard's arrival times never go down, so the ranges'
// arrival times are known from their first and last records before reading:
// each worker closes windows at its own watermark (what one worker reading
// the shard would have at that record), and the final part emits a window
// once every worker whose range of arrival times meets the window has closed
// it. Only the windows at a boundary between ranges wait; the others come out
// as their worker closes them. (An event time may go down within a shard, and
// nothing tells a range's event times before it is read: such queries do not
// split a shard.)

import SpateCatalog
import SpateLog
import SpateSQL
import Synchronization

public final class ParallelQueryExecution {
    /// The workers' queries, and the stream shards each reads.
    private let parts: [QueryExecution]
    private let streamShardCount: Int
    /// One thread per worker beyond the first, for `step` (made on its first use:
    /// a job only ever launches steps, a bounded query only ever runs them).
    private var threads: ForkJoinThreads?
    /// One thread per worker, for steps run in the background (made on the
    /// first `launchStep`); one fewer while the caller runs a share.
    private var backgroundThreads: ForkJoinThreads?
    /// The results of a launched step not yet collected.
    private var launched: UnsafeMutableBufferPointer<WorkerStep>?
    /// Whether the caller of `collectStep` runs one worker's share of each
    /// launched step itself, in what is left of the step once its own work is
    /// done: by default with at least as many workers as cores. Then the
    /// cores run exactly the workers (one of them the job's thread) instead of
    /// the workers plus a job's thread that wakes up each step, and the
    /// caller takes the part furthest ahead in arrival time, so that no part
    /// falls behind for getting the share with less time (`launchStep`).
    /// (Measured with parallelism 2 on 2 cores, the
    /// reference job: with three threads on two cores the scheduler left a
    /// core idle while a woken thread waited behind another on the other core
    /// — 1–5 ms at a time, ~5 % of the run — and the worker that shared its
    /// core with the job's thread finished ~100 ms after the other.) With
    /// more cores than workers, the job's thread keeps to its own work.
    public var callerRunsAShare: Bool {
        didSet { precondition(launched == nil, "changed between steps only") }
    }
    /// Launched steps so far: turns which crew thread runs which part (and,
    /// on a tie in arrival time, which part is the caller's).
    private var rotation = 0
    /// The part the caller runs in the launched step, and how its rows are kept.
    private var launchedCallerPart: (index: Int, encoding: RowArena.Encoding)?
    /// With merged partial aggregates: the part that folds them and emits.
    private let final: QueryExecution?
    /// With merged partial aggregates: the frontier over every stream shard the workers' windows close at.
    private let frontier: Watermark?
    /// Split by ranges of one shard: each worker's range (in worker order).
    private let ranges: [ShardRange]?
    /// Columns of an output row.
    private let outputWidth: Int

    /// One worker's share of a one-shard query: the records from `start` up to
    /// `end`, which arrived from `earliestArrivalMs` to `latestArrivalMs`.
    public struct ShardRange: Sendable, Equatable {
        public var start: UInt64
        public var end: UInt64
        public var earliestArrivalMs: Int64
        public var latestArrivalMs: Int64
    }

    /// Least records a range holds: below it a split costs more than it gains.
    public static let rangeRecordsMin: UInt64 = 65_536
    /// Batches each worker may run in one parallel step: enough to pay for the
    /// fork and join (~10 µs) many times over, few enough to keep alerts prompt.
    public static let batchesPerStep = 8
    /// Most batches a worker reads in one step of a bounded query (`step`),
    /// on average over the workers: the rows a step holds before the calling
    /// thread emits them stay within 64 × 1,024 a worker. A step ends at
    /// `stepNsMin` well before that (~44 batches of the reference query).
    public static let boundedStepBatchesMax = 64
    /// How long a launched step runs at least, unless its workers catch up
    /// with their shards (a worker with nothing to read ends its step at
    /// once, so this adds no latency to a job that keeps up). Every step ends
    /// with the workers waiting: for the one that stops last, and for the
    /// job's thread to collect and launch the next. That thread collects as
    /// soon as its own work is done, which for the reference job was every
    /// ~1.5 ms (1,583 steps in a 15 M-record run with parallelism 1; the
    /// worker waited 96-104 ms of 2.2 s). With steps of at least 10 ms: 195
    /// steps, 26-38 ms waiting, and the job 6-7 % faster with parallelism
    /// 1, 2-5 % with 2 (spate-bench jobs). With parallelism 2 most of what
    /// the workers still wait is the end of a run: the worker that shared
    /// its core with the job's thread finishes last.
    static let stepNsMin: UInt64 = 10_000_000
    /// Most workers a job may ask for.
    public static let parallelismMax = 64

    /// `parallelism` workers over `stream` (fewer when the stream has fewer
    /// shards). `mergesPartials`: the workers' groups are merged (a bounded
    /// query whose `partialMergeRefusal` is nil); otherwise each worker's
    /// state must be keyed by the stream's key (`stateNotSplittable`).
    public init(plan: QueryPlan, stream: LogStream, parallelism: Int, nowMs: @escaping () -> Int64 = wallClockMs,
                resumeAt: [UInt64]? = nil, start: RangeStart? = nil, recordsScores: Bool = false,
                mergesPartials: Bool = false) throws(RuntimeError) {
        let shardCount = stream.shards.count
        let workers = max(1, min(parallelism, shardCount))
        streamShardCount = shardCount
        if let resumeAt, resumeAt.count != shardCount {
            throw .checkpointShardsMismatch(checkpoint: resumeAt.count, stream: shardCount)
        }
        let merges = mergesPartials && workers > 1
        precondition(!merges || (plan.partialMergeRefusal == nil && resumeAt == nil), "partial aggregates merge in bounded queries only")
        var parts: [QueryExecution] = []
        for worker in 0..<workers {
            let shards = Array(stride(from: worker, to: shardCount, by: workers))
            parts.append(try QueryExecution(plan: plan, stream: stream, nowMs: nowMs, shards: workers == 1 ? nil : shards,
                                            resumeAt: resumeAt.map { all in shards.map { all[$0] } }, start: start,
                                            recordsScores: recordsScores, part: merges ? .partialAggregates : .whole))
        }
        self.parts = parts
        final = merges ? try QueryExecution(plan: plan, stream: stream, nowMs: nowMs, part: .finalAggregates) : nil
        frontier = merges ? Watermark(shardCount: shardCount, graceMs: plan.window?.graceMs ?? 0) : nil
        ranges = nil
        outputWidth = plan.outputs.count
        callerRunsAShare = workers > 1 && workers >= BackgroundThread.coreCount
    }

    /// A bounded query over a one-shard `stream` on one worker per range of
    /// `ranges` (`shardRanges`): stateless, or aggregating over arrival time
    /// (`rangeSplitRefusal` is nil).
    public init(plan: QueryPlan, stream: LogStream, ranges: [ShardRange], nowMs: @escaping () -> Int64 = wallClockMs) throws(RuntimeError) {
        precondition(stream.shards.count == 1 && ranges.count > 1 && plan.rangeSplitRefusal == nil, "only a one-shard query that may split runs on ranges")
        streamShardCount = 1
        let merges = plan.isAggregating
        var parts: [QueryExecution] = []
        for range in ranges {
            parts.append(try QueryExecution(plan: plan, stream: stream, nowMs: nowMs, shards: [0], resumeAt: [range.start],
                                            part: merges ? .partialAggregates : .whole, endBefore: [range.end]))
        }
        self.parts = parts
        final = merges ? try QueryExecution(plan: plan, stream: stream, nowMs: nowMs, part: .finalAggregates) : nil
        frontier = nil
        self.ranges = ranges
        outputWidth = plan.outputs.count
        callerRunsAShare = false
    }

    /// `workers` consecutive ranges of the one shard of `stream` that `plan`
    /// reads (from its start to the shard's end now), with their first and
    /// last arrival times; nil when it holds too few records to split.
    public static func shardRanges(plan: QueryPlan, stream: LogStream, workers: Int, nowMs: Int64) throws(RuntimeError) -> [ShardRange]? {
        guard stream.shards.count == 1, workers > 1 else { return nil }
        do {
            let first = try stream.reader(shard: 0, from: QueryExecution.readPosition(plan.start, now: nowMs)).nextSequence
            let end = try stream.shards[0].describe().nextSequence
            guard end > first, (end - first) / UInt64(workers) >= rangeRecordsMin else { return nil }
            let bounds = (0...workers).map { first + (end - first) * UInt64($0) / UInt64(workers) }
            // Around each inner bound, the arrival of the record before it and of the one at it.
            var arrivals: [(before: Int64, at: Int64)] = []
            let batch = ReadBatch()
            for bound in bounds.dropFirst().dropLast() {
                let reader = try stream.reader(shard: 0, from: .atSequence(bound - 1))
                guard try reader.read(into: batch, maxRecords: 2) == 2, batch[0].sequence == bound - 1 else { return nil }
                arrivals.append((batch[0].arrivalMs, batch[1].arrivalMs))
            }
            return (0..<workers).map { i in
                ShardRange(start: bounds[i], end: bounds[i + 1], earliestArrivalMs: i == 0 ? .min : arrivals[i - 1].at,
                           latestArrivalMs: i == workers - 1 ? .max : arrivals[i].before)
            }
        } catch {
            throw .storage("\(error)")
        }
    }

    /// Whether no worker will add to the window [start, end) any more: each
    /// worker whose range's arrival times meet it has closed it.
    private func closedByEveryWorker(start: Int64, end: Int64) -> Bool {
        guard let ranges else { return true }
        for (part, range) in zip(parts, ranges) where range.earliestArrivalMs < end && range.latestArrivalMs >= start {
            if part.watermarkMs < end { return false }
        }
        return true
    }

    /// Every worker's score series since the last drain (a key's rows are all in
    /// one worker's shards), and the scored rows they had no room for.
    public func drainScores() -> (points: [ScoreMinute], droppedRows: Int64) {
        var points: [ScoreMinute] = [], dropped: Int64 = 0
        for part in parts {
            let drained = part.drainScores()
            points += drained.points
            dropped += drained.droppedRows
        }
        return (points, dropped)
    }

    /// Workers running (the parallelism asked for, at most one per shard).
    public var workerCount: Int { parts.count }

    /// Runs one step of every worker and emits their rows (worker by worker).
    /// The workers read until the step has run `stepNsMin`, so they stop
    /// within a batch of each other. (Eight batches each, ~1.8 ms of the
    /// reference query, left a core idle ~10 % of a bounded query's run: at
    /// every join the first worker done waited for the other and for a wake-up.)
    public func step(emit: @escaping (EmittedRow) -> Bool) throws(RuntimeError) -> QueryExecution.StepOutcome {
        precondition(launched == nil, "a launched step must be collected first")
        if parts.count == 1 { return try parts[0].step(emit: emit) }
        coordinateFrontier()
        let results = Self.newResults(parts.count)
        defer { Self.free(results) }
        // Each worker touches only its own QueryExecution and its own result slot.
        let shared = WorkersAndResults(parts: parts, results: results)
        let crew = threads ?? ForkJoinThreads(width: parts.count)
        threads = crew
        let timed = StepCollection(sharedBatches: parts.count * (Self.boundedStepBatchesMax - 1))
        timed.begin()
        crew.run { index in
            shared.results[index] = Self.run(shared.parts[index], batches: 1, until: timed)
        }
        let outcome = try Self.outcome(of: results)
        if let final {
            for index in 0..<parts.count { try final.absorbPartials(results[index].partials) }
            if ranges != nil {
                return final.emitAbsorbed(where: { [unowned self] in closedByEveryWorker(start: $0, end: $1) }, emit: emit) ? outcome : .finished
            }
            return final.emitAbsorbed(emit: emit) ? outcome : .finished
        }
        for index in 0..<parts.count {
            for row in results[index].rows where !emit(row) { return .finished }
        }
        return outcome
    }

    /// Starts a step of every worker on threads of their own and returns at
    /// once, so that the caller can hand on the previous step's rows and
    /// commit meanwhile; `collectStep` waits for it. Until then nothing else
    /// may be asked of this execution. Each worker reads at least one batch
    /// and goes on until `collectStep` is called, it has read `batches`
    /// (default `batchesPerStep`) and the step has run `stepNsMin` — or the
    /// step's budget is spent: `batchesMax` batches a worker, shared (a
    /// worker may read more while another is slower). A step lasts as long
    /// as the caller's own work or that, and every worker stops within a
    /// batch of the others. (Steps of a fixed length, one worker
    /// sharing a core with the job's thread, left
    /// the other worker idle at the end of each step: 28 % of the workers'
    /// time in the reference job with parallelism 2.) Each worker's rows go
    /// into a RowArena of its own, kept as `rows` says. With
    /// `callerRunsAShare`, one part waits for the caller's `collectStep`,
    /// which reads it until the step has run `stepNsMin` (or the budget is
    /// spent), none of it when the caller's own work took that long: the part
    /// furthest ahead in arrival time. (With the parts turning step by step
    /// instead, the part with more records — 252 of the reference job's 500
    /// users against 248 — was read alone at the end of a 20 M-record run
    /// while the other thread waited, ~40 ms; twenty alternated pairs,
    /// session 18: the parallelism-2/1 ratio 1.78× against 1.74× on average,
    /// cores busy 1.93 against 1.90.)
    public func launchStep(batches: Int = batchesPerStep, batchesMax: Int? = nil, rows encoding: RowArena.Encoding = .values(keepsKeys: false)) {
        precondition(launched == nil, "one step in flight at a time")
        precondition(final == nil, "a job's workers do not merge partial aggregates")
        let results = Self.newResults(parts.count)
        let count = parts.count, crewWidth = callerRunsAShare ? count - 1 : count
        let crew = backgroundThreads.flatMap { $0.width == crewWidth ? $0 : nil } ?? ForkJoinThreads(width: crewWidth, callerRuns: false)
        backgroundThreads = crew
        let shared = WorkersAndResults(parts: parts, results: results)
        let batches = max(1, batches), most = max(batches, batchesMax ?? batches)
        let collecting = StepCollection(sharedBatches: count * (most - 1))
        let width = outputWidth
        let callerPart = callerRunsAShare ? partFurthestAhead() : nil
        // The crew's threads take the other parts, turning over them step by step.
        let crewParts = (0..<count).map { (rotation + $0) % count }.filter { $0 != callerPart }
        rotation = (rotation + 1) % count
        launched = results
        launchedCollection = collecting
        launchedCallerPart = callerPart.map { ($0, encoding) }
        crew.start { thread in
            let index = crewParts[thread]
            shared.results[index] = Self.run(shared.parts[index], batches: batches, batchesMax: most, until: collecting,
                                             into: RowArena(width: width, encoding: encoding))
        }
    }

    /// The part the caller reads in a launched step: the one furthest ahead
    /// in arrival time (the caller reads only what its own work leaves of the
    /// step, so the parts behind get whole steps of the crew). On a tie (all
    /// caught up, or before the first records), the parts take turns.
    private func partFurthestAhead() -> Int {
        var best = (rotation + parts.count - 1) % parts.count
        for index in parts.indices where parts[index].latestArrivalMs > parts[best].latestArrivalMs { best = index }
        return best
    }

    /// Set when the launched step is collected: its workers stop after their current batch.
    private var launchedCollection: StepCollection?

    /// Whether a launched step is not yet collected.
    public var stepInFlight: Bool { launched != nil }

    /// Waits for the launched step; returns its outcome and its rows, worker by worker.
    public func collectStep() throws(RuntimeError) -> (outcome: QueryExecution.StepOutcome, rows: StepRows) {
        guard let results = launched else { preconditionFailure("no step launched") }
        if let (index, encoding) = launchedCallerPart, let collecting = launchedCollection {
            results[index] = Self.run(parts[index], until: collecting, slackOnly: true, into: RowArena(width: outputWidth, encoding: encoding))
        }
        launchedCollection?.begin()
        backgroundThreads?.join()
        launched = nil
        launchedCollection = nil
        launchedCallerPart = nil
        defer { Self.free(results) }
        let outcome = try Self.outcome(of: results)
        let rows = StepRows(byWorker: results.map { $0.arena ?? RowArena(width: outputWidth, encoding: .values(keepsKeys: false)) })
        return (outcome, rows)
    }

    /// Waits for a launched step and drops it (a job stopping on an error).
    public func abandonStep() {
        guard let results = launched else { return }
        launchedCollection?.begin()
        backgroundThreads?.join()
        launched = nil
        launchedCollection = nil
        launchedCallerPart = nil
        Self.free(results)
    }

    /// What a checkpoint takes of the query, at a point where no step runs.
    public struct Snapshot {
        public var state: [UInt8]
        public var nextSequences: [UInt64]
        public var statistics: QueryStatistics
        /// The score series since the last snapshot (drained).
        public var scores: [ScoreMinute]
    }

    /// The query's state, positions, counters and score series now.
    public func snapshot() -> Snapshot {
        precondition(launched == nil, "a snapshot is taken between steps")
        return Snapshot(state: saveState(), nextSequences: nextSequences, statistics: currentStatistics, scores: drainScores().points)
    }

    private static func newResults(_ count: Int) -> UnsafeMutableBufferPointer<WorkerStep> {
        let results = UnsafeMutableBufferPointer<WorkerStep>.allocate(capacity: count)
        results.initialize(repeating: WorkerStep())
        return results
    }

    private static func free(_ results: UnsafeMutableBufferPointer<WorkerStep>) {
        results.deinitialize()
        results.deallocate()
    }

    /// The step's outcome over all workers: the first failure, else progress if any.
    private static func outcome(of results: UnsafeMutableBufferPointer<WorkerStep>) throws(RuntimeError) -> QueryExecution.StepOutcome {
        // A part the caller had no time for is `.progressed(0)`: not idle.
        var progressed = 0, finished = 0, anyProgressed = false
        for result in results {
            switch result.outcome {
            case let .failure(error): throw error
            case .success(.progressed(let n)): progressed += n; anyProgressed = true
            case .success(.finished): finished += 1
            case .success(.idle): break
            }
        }
        if anyProgressed { return .progressed(progressed) }
        return finished == results.count ? .finished : .idle
    }

    /// Whether the caller is collecting a launched step: its workers stop
    /// after their current batch. (A hint only: the join is what orders the
    /// workers' writes before the caller's reads.)
    private final class StepCollection: Sendable {
        private let begun = Atomic<Bool>(false)
        /// When the step was launched (monotonicNs).
        let launchedNs = monotonicNs()
        /// Batches the workers may still read beyond their first, all
        /// workers together: `batchesMax` each on average, but a worker that
        /// gets its core to itself reads on while one sharing its core with
        /// the job's thread is slower, instead of stopping at its own bound
        /// and waiting for it. (Per-worker bounds left a stateless job's
        /// workers, whose steps the bound ends, waiting ~30 % of their time
        /// with parallelism 2.)
        private let sharedBatches: Atomic<Int>

        init(sharedBatches: Int) { self.sharedBatches = Atomic(sharedBatches) }

        func begin() { begun.store(true, ordering: .relaxed) }
        /// Whether the step has run `stepNsMin`.
        var hasRunItsTime: Bool { monotonicNs() - launchedNs >= ParallelQueryExecution.stepNsMin }
        /// Takes one batch from the shared budget; false when it is spent.
        func claimBatch() -> Bool { sharedBatches.subtract(1, ordering: .relaxed).newValue >= 0 }
        /// Whether a worker should end the step after the batch it just read:
        /// the caller is collecting it, and it has run `stepNsMin`.
        var isDue: Bool { begun.load(ordering: .relaxed) && hasRunItsTime }
    }

    /// What the threads of a step share; each index is used by one thread only.
    private struct WorkersAndResults: @unchecked Sendable {
        let parts: [QueryExecution]
        let results: UnsafeMutableBufferPointer<WorkerStep>
    }

    /// One worker's share of a step: what it did and the rows it produced.
    private struct WorkerStep {
        var outcome: Result<QueryExecution.StepOutcome, RuntimeError> = .success(.idle)
        var rows: [EmittedRow] = []
        /// A launched step's rows (instead of `rows`).
        var arena: RowArena?
        /// A partial part's groups closed in the step.
        var partials: [UInt8] = []
    }

    /// One worker's share of a step. `slackOnly` (the caller's share): every
    /// batch, the first too, only while the step has time left and from the
    /// shared budget; none read is `.progressed(0)`, not idle.
    private static func run(_ part: QueryExecution, batches: Int = batchesPerStep, batchesMax: Int? = nil,
                            until collection: StepCollection? = nil, slackOnly: Bool = false, into arena: RowArena? = nil) -> WorkerStep {
        var step = WorkerStep()
        step.arena = arena
        var rows: [EmittedRow] = []
        var read = 0
        do throws(RuntimeError) {
            var outcome = slackOnly ? QueryExecution.StepOutcome.progressed(0) : .idle
            var done = 0
            while true {
                // A plain step reads `batches` batches. A launched one reads
                // on until it is collected (and has read `batches`), each
                // batch after the first taken from the step's shared budget.
                if let collection, slackOnly {
                    if collection.hasRunItsTime || !collection.claimBatch() { break }
                } else if let collection, done > 0 {
                    if done >= batches && collection.isDue { break }
                    if !collection.claimBatch() { break }
                } else if collection == nil && done >= batches {
                    break
                }
                done += 1
                let batch: QueryExecution.StepOutcome
                if let arena { batch = try part.step(into: arena) } else { batch = try part.step { rows.append($0); return true } }
                guard case let .progressed(n) = batch else {
                    if read == 0 { outcome = batch }
                    break
                }
                read += n
                outcome = .progressed(read)
            }
            step.outcome = .success(outcome)
        } catch {
            step.outcome = .failure(error)
        }
        step.rows = rows
        if part.part == .partialAggregates { step.partials = part.takePartials() }
        return step
    }

    /// Before a step of workers whose partials merge: the frontier over every
    /// shard, from each worker's per-shard maxima and ends, becomes the one
    /// all workers close windows at.
    private func coordinateFrontier() {
        guard let frontier else { return }
        var finished = [Bool](repeating: false, count: streamShardCount)
        for part in parts {
            let progress = part.shardProgress
            for (position, shard) in part.shards.enumerated() {
                frontier.observe(progress.maxima[position], shard: shard)
                finished[shard] = progress.finished[position]
            }
        }
        frontier.updateActiveShards(finished: finished)
        for part in parts { part.coordinatedFrontierMs = frontier.frontierMs }
    }

    /// Ends a bounded query: every worker's open groups, worker by worker (or,
    /// merging partials, every worker's last partials folded, then the final part's rows).
    public func finish(emit: @escaping (EmittedRow) -> Bool) throws(RuntimeError) {
        guard let final else {
            for part in parts { part.finish(emit: emit) }
            return
        }
        for part in parts {
            part.finish(emit: emit)
            try final.absorbPartials(part.takePartials())
        }
        final.finish(emit: emit)
    }

    /// Per stream shard, the sequence of the next record to read.
    public var nextSequences: [UInt64] {
        var next = [UInt64](repeating: 0, count: streamShardCount)
        for part in parts {
            for (position, sequence) in part.nextSequences.enumerated() { next[part.shards[position]] = sequence }
        }
        return next
    }

    /// The workers' counters added up.
    public var currentStatistics: QueryStatistics {
        var statistics = workerStatistics
        if let final { statistics.rowsEmitted = final.currentStatistics.rowsEmitted }
        return statistics
    }

    private var workerStatistics: QueryStatistics {
        parts.dropFirst().reduce(parts[0].currentStatistics) { total, part in
            let s = part.currentStatistics
            var sum = total
            sum.recordsRead += s.recordsRead
            sum.rowsEmitted += s.rowsEmitted
            sum.lateRecords += s.lateRecords
            sum.badRecords += s.badRecords
            sum.missingRecords += s.missingRecords
            return sum
        }
    }

    // MARK: Checkpoint state

    static let stateVersion: UInt8 = 1

    /// One worker: QueryExecution's state as is. Several: a version, the worker
    /// count, then each worker's state.
    public func saveState() -> [UInt8] {
        if parts.count == 1 { return parts[0].saveState() }
        var writer = StateWriter()
        writer.write(Self.stateVersion)
        writer.write(Int64(parts.count))
        for part in parts { writer.write(part.saveState()) }
        return writer.bytes
    }

    /// Restores what `saveState` wrote, before the first step.
    public func restoreState(_ bytes: [UInt8]) throws(StateError) {
        if parts.count == 1 { return try parts[0].restoreState(bytes) }
        var reader = StateReader(bytes)
        try reader.expectVersion(Self.stateVersion, of: "parallel query")
        let count = Int(try reader.readInt64())
        guard count == parts.count else {
            throw .mismatch("the checkpoint has \(count) workers' state, the job runs \(parts.count)")
        }
        for part in parts { try part.restoreState(try reader.readBytes()) }
    }
}
