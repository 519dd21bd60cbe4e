// Runs a `QueryPlan` over a stream: the operator pipeline
//
//   StreamCursor → RecordDecoder → Filter → [WindowAggregator] → [DetectorStage] → Project → OutputFilter → OrderLimit → rows
//
// built once from the plan by PipelineBuilder (expressions compiled to vector
// evaluators; the watermark in Watermark.swift, ORDER BY/LIMIT in
// OrderLimit.swift) and driven here in batches of up to 1,024 records. A bounded query (UNTIL) reads to
// its end, emits the groups still open and returns; an unbounded one tails the
// log, polling for appends, until cancelled. Memory: the batch vectors, plus
// one slot per open (group, window) and one entry per key with an open window.

import SpateCatalog
import SpateLog
import SpateSQL

#if canImport(Glibc)
import Glibc
#endif

/// Counters a query reports when it ends.
public struct QueryStatistics: Sendable, Equatable {
    public var recordsRead = 0
    public var rowsEmitted = 0
    public var lateRecords = 0
    public var badRecords = 0
    /// Records that lacked a field the query reads, or had it null (RecordDecoder).
    public var missingRecords = 0
    public var cancelled = false
}

/// One result row, with where it came from: its group's window and key.
public struct EmittedRow: Sendable {
    public var values: [Value]
    public var windowStartMs: Int64?
    public var windowEndMs: Int64?
    /// The group key values as text, comma-separated (nil without GROUP BY).
    public var key: String?
    /// The highest detector score of the row (nil without detectors or in warm-up).
    public var score: Double? = nil
    /// Why the row was flagged (DetectorExplanation JSON; nil when no detector flagged it).
    public var explanation: String? = nil
}

/// What a running query can be told from outside.
public struct QueryControl {
    /// Polled between batches; true stops the query.
    public var isCancelled: () -> Bool
    /// How long an unbounded query sleeps when the log has nothing new.
    public var pollIntervalMs: Int = 50
    /// Called when an unbounded query has caught up with the log and starts to
    /// wait: once each time, not at every poll.
    public var caughtUp: () -> Void

    public init(isCancelled: @escaping () -> Bool = { false }, pollIntervalMs: Int = 50, caughtUp: @escaping () -> Void = {}) {
        self.isCancelled = isCancelled
        self.pollIntervalMs = pollIntervalMs
        self.caughtUp = caughtUp
    }
}

/// One query, ready to run.
public final class QueryExecution {
    /// What share of the query this execution runs.
    public enum Part: Sendable, Equatable {
        /// All of it.
        case whole
        /// Scan, filter and aggregate the records of some shards, handing each
        /// group on as a partial when its window closes (`takePartials`), at a
        /// watermark set from outside (`coordinatedFrontierMs`).
        case partialAggregates
        /// Read nothing: fold the workers' partials (`absorbPartials`) and run
        /// the rest of the query — HAVING, detectors, projection, ORDER BY, LIMIT.
        case finalAggregates
    }

    public let plan: QueryPlan
    public let part: Part
    /// Result columns: name and type.
    public let columns: [(name: String, type: ValueType)]

    private let cursor: StreamCursor
    private let decoder: RecordDecoder
    private let input: DataChunk
    private let arrivalColumn: ColumnVector
    private let recordColumn: ColumnVector?
    private let eventTime: ColumnVector?
    /// The operators after the decoder (PipelineBuilder).
    private let pipeline: Pipeline
    private let watermark: Watermark
    private let orderLimit: OrderLimit
    @exclusivity(unchecked) private var counters = QueryStatistics()
    /// A partial part's closed groups not yet taken (PartialAggregates.swift).
    private var partials = StateWriter()
    /// The shard each row of the input batch came from: its position in `shards`.
    private let rowShards = UnsafeMutablePointer<Int32>.allocate(capacity: batchRowCapacity)
    /// The stream's shards this query reads (all, or a parallel job worker's share).
    public let shards: [Int]
    /// Stream shard index → position in `shards` (-1: not read here).
    private let shardPositions: [Int32]
    /// A tailing query stops waiting for a shard with no records for this long.
    public static let shardIdleMs: UInt64 = Watermark.shardIdleMsDefault

    private var aggregator: WindowAggregator? { pipeline.grouping?.aggregator }
    private var detectors: DetectorStage? { pipeline.detectors }
    private var stopped: Bool { orderLimit.stopped }
    private var statistics: QueryStatistics {
        var statistics = counters
        statistics.rowsEmitted = orderLimit.rowsEmitted
        return statistics
    }

    /// Prepares `plan` over `stream`; `nowMs` is the clock for NOW() and relative
    /// ranges. `shards` limits the query to some of the stream's shards (a
    /// parallel job's worker; all when nil). `resumeAt` (per shard read, the next
    /// sequence) overrides the plan's start: a job resuming from its checkpoint.
    /// `recordsScores`: keep the detectors' score series (a job; `drainScores`).
    /// `part` (whole by default) is this execution's share of a query split
    /// over workers whose partial aggregates are merged; a final part reads no shards.
    /// `endBefore` (per shard read, a sequence) ends the read there instead of the plan's end: a range of a shard.
    public init(plan: QueryPlan, stream: LogStream, nowMs: @escaping () -> Int64 = wallClockMs, shards: [Int]? = nil,
                resumeAt: [UInt64]? = nil, start: RangeStart? = nil, recordsScores: Bool = false, part: Part = .whole,
                endBefore: [UInt64]? = nil) throws(RuntimeError) {
        self.plan = plan
        self.part = part
        precondition(part == .whole || plan.isAggregating, "only an aggregating query splits into partial and final parts")
        columns = plan.outputs.map { ($0.name, $0.type) }
        let now = nowMs()
        let shards = part == .finalAggregates ? [] : shards ?? Array(stream.shards.indices)
        guard !shards.isEmpty || part == .finalAggregates, shards.allSatisfy(stream.shards.indices.contains) else {
            throw .internalError("shards \(shards) are not a part of the stream's \(stream.shards.count)")
        }
        self.shards = shards
        var positionOfShard = [Int32](repeating: -1, count: stream.shards.count)
        for (position, shard) in shards.enumerated() { positionOfShard[shard] = Int32(position) }
        shardPositions = positionOfShard
        let positions: [ReadPosition]
        if let resumeAt {
            guard resumeAt.count == shards.count else { throw .checkpointShardsMismatch(checkpoint: resumeAt.count, stream: shards.count) }
            positions = resumeAt.map { .atSequence($0) }
        } else {
            positions = shards.map { _ in Self.readPosition(start ?? plan.start, now: now) }
        }
        do {
            cursor = try StreamCursor(stream: stream, shards: shards, from: positions,
                                      end: endBefore.map { .sequences($0) } ?? Self.cursorEnd(plan.end, now: now))
        } catch {
            throw .storage(error.description)
        }
        var types = plan.fields.map(\.type)
        types.append(.timestamp)
        if plan.selectsWholeRecord { types.append(.string) }
        input = DataChunk(types: types)
        decoder = try RecordDecoder(fields: plan.fields, columns: input.columns)
        arrivalColumn = input.columns[plan.fields.count]
        recordColumn = plan.selectsWholeRecord ? input.columns[plan.fields.count + 1] : nil
        switch plan.eventTime {
        case .arrival: eventTime = arrivalColumn
        case let .field(i): eventTime = input.columns[i]
        }

        watermark = Watermark(shardCount: shards.count, graceMs: plan.window?.graceMs ?? 0, tracksIdleness: !plan.isBounded)
        pipeline = try PipelineBuilder.build(plan, input: input, watermark: watermark, recordsScores: recordsScores, nowMs: nowMs)
        orderLimit = OrderLimit(orderBy: plan.orderBy, limit: plan.limit)
    }

    static func readPosition(_ start: RangeStart, now: Int64) -> ReadPosition {
        switch start {
        case .earliest: return .earliest
        case .latest: return .latest
        case let .time(ms): return .atTime(ms)
        case let .ago(ms): return .atTime(now - ms)
        }
    }

    static func cursorEnd(_ end: RangeEnd?, now: Int64) -> CursorEnd? {
        switch end {
        case .none: return nil
        case .now: return .now
        case let .time(ms): return .arrival(ms)
        case let .ago(ms): return .arrival(now - ms)
        }
    }

    // MARK: Running

    /// Runs the query, calling `emit` with each result row (return false to
    /// stop), until it ends, is cancelled, or `emit` declines.
    public func run(_ control: QueryControl = QueryControl(), emit: ([Value]) -> Bool) throws(RuntimeError) -> QueryStatistics {
        try withoutActuallyEscaping(emit) { (emit) throws(RuntimeError) -> QueryStatistics in
            try runRows(control) { emit($0.values) }
        }
    }

    /// `run`, with each row's key, window, highest score and explanation as well as its values.
    public func runRows(_ control: QueryControl = QueryControl(), emit: (EmittedRow) -> Bool) throws(RuntimeError) -> QueryStatistics {
        let outcome: Result<QueryStatistics, RuntimeError> = withoutActuallyEscaping(emit) { emit in
            do throws(RuntimeError) {
                let sink: (EmittedRow) -> Bool = emit
                var waiting = false
                while true {
                    if control.isCancelled() {
                        counters.cancelled = true
                        break
                    }
                    switch try step(emit: sink) {
                    case .progressed:
                        waiting = false
                        continue
                    case .finished: break
                    case .idle:
                        if !waiting { control.caughtUp() }
                        waiting = true
                        usleep(useconds_t(control.pollIntervalMs * 1000))
                        continue
                    }
                    break
                }
                if !counters.cancelled && !stopped { finish(emit: sink) }
                return .success(statistics)
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    /// What one step did.
    public enum StepOutcome: Equatable {
        /// Records were read and processed.
        case progressed(Int)
        /// Nothing new in the log for now (an unbounded query waits and steps again).
        case idle
        /// The query has read to its end, or its output said stop.
        case finished
    }

    /// Reads and processes up to one batch of records, emitting the rows it
    /// completes. Between steps the query's state is consistent with
    /// `nextSequences`: a job checkpoints there.
    public func step(emit: @escaping (EmittedRow) -> Bool) throws(RuntimeError) -> StepOutcome {
        try step(to: .each(emitRow(emit)))
    }

    /// `step`, its rows appended to `arena` (a job's worker).
    func step(into arena: RowArena) throws(RuntimeError) -> StepOutcome {
        try step(to: orderLimit.passesEveryRow ? .arena(arena) : .each(emitRow { arena.append($0); return true }))
    }

    /// Where the rows a step completes go: each as an EmittedRow, through
    /// ORDER BY and LIMIT, or straight into a RowArena (no ORDER BY, no LIMIT).
    private enum RowTarget {
        case each((EmittedRow) -> Bool)
        case arena(RowArena)
    }

    /// Emits output row `row` of the outputs just evaluated; false when the query should stop.
    @inline(__always)
    private func emit(_ row: Int, windowStartMs: Int64?, windowEndMs: Int64?, key: () -> String?, to target: RowTarget) -> Bool {
        let outputs = pipeline.outputs
        switch target {
        case let .each(emit):
            return emit(EmittedRow(values: outputs.map { $0.result.value(row) }, windowStartMs: windowStartMs, windowEndMs: windowEndMs,
                                   key: key(), score: detectors?.highestScore(row), explanation: detectors?.explanation(row)))
        case let .arena(arena):
            let detectors = detectors
            arena.append(windowStartMs: windowStartMs, windowEndMs: windowEndMs, key: key, score: { detectors?.highestScore(row) },
                         explanation: { detectors?.explanation(row) }) { outputs[$0].result.value(row) }
            orderLimit.rowsEmitted += 1
            return true
        }
    }

    private func step(to target: RowTarget) throws(RuntimeError) -> StepOutcome {
        if stopped || orderLimit.emitsNothing { return .finished }
        // The coordinated frontier may have moved since the last step: close
        // what it closes even when this worker reads nothing more.
        if part == .partialAggregates, let aggregator { aggregator.drainClosed(savePartial) }
        // Which shards hold the watermark back for this batch, decided before it
        // is read: a shard that finishes while this batch is read still has rows in it.
        if aggregator != nil { watermark.updateActiveShards(finished: cursor.finishedShards) }
        input.reset(count: batchRowCapacity)
        var filled = 0
        let n: Int
        let decoder = self.decoder
        let arrival = arrivalColumn.view
        let record = recordColumn
        let rowShards = self.rowShards
        let shardPositions = self.shardPositions
        do {
            n = try cursor.forEach(limit: batchRowCapacity) { shard, view in
                rowShards[filled] = shardPositions[shard]
                decoder.decode(view.payload, row: filled)
                arrival.ints[filled] = view.arrivalMs
                arrival.isNull[filled] = false
                record?.set(filled, string: view.payload)
                filled += 1
                return true
            }
        } catch {
            throw .storage("\(error)")
        }
        assert(n == filled && n <= batchRowCapacity, "one decoded row per record read, at most a batch")
        counters.recordsRead += n
        if n > 0 { latestArrivalMs = arrival.ints[n - 1] }
        counters.badRecords = decoder.badRecords
        counters.missingRecords = decoder.missingRecords
        watermark.noteRecords(rowShards, count: n)
        if n > 0 {
            try process(rows: n, target)
            counters.lateRecords = aggregator?.lateRecords ?? 0
            return stopped ? .finished : .progressed(n)
        }
        return cursor.isAtEnd ? .finished : .idle
    }

    /// Ends a bounded query: emits the groups still open, then sorted rows.
    public func finish(emit: @escaping (EmittedRow) -> Bool) {
        if part == .partialAggregates {
            aggregator?.drainAll(savePartial)
            return
        }
        let target = RowTarget.each(emitRow(emit))
        if plan.isBounded, let aggregator, !stopped {
            if aggregator.emitChanges { flushGroups(aggregator.drainChanged, target) }
            flushGroups(aggregator.drainAll, target)
        }
        orderLimit.finish(to: emit)
    }

    /// Per shard read (in the order of `shards`), the sequence of the next record to read.
    public var nextSequences: [UInt64] { cursor.nextSequences }
    /// Counters so far.
    public var currentStatistics: QueryStatistics { statistics }

    /// `emit` behind ORDER BY buffering and LIMIT.
    /// The score series since the last drain (empty unless `recordsScores`), and
    /// how many scored rows it had no room for.
    public func drainScores() -> (points: [ScoreMinute], droppedRows: Int64) {
        guard let series = detectors?.series else { return ([], 0) }
        return (series.drain(), series.droppedRows)
    }

    private func emitRow(_ emit: @escaping (EmittedRow) -> Bool) -> (EmittedRow) -> Bool {
        { [orderLimit] row in orderLimit.offer(row, to: emit) }
    }

    /// Runs one filled input batch through the pipeline.
    private func process(rows: Int, _ target: RowTarget) throws(RuntimeError) {
        input.count = rows
        for column in input.columns { column.count = rows }
        let outputs = pipeline.outputs, outputFilter = pipeline.outputFilter
        if let filter = pipeline.filter {
            filter.evaluate(rows: rows)
            var selection: [Int32] = []
            selection.reserveCapacity(rows)
            for i in 0..<rows where !filter.result.isNull[i] && filter.result.bools[i] { selection.append(Int32(i)) }
            input.selection = selection
        }
        guard let grouping = pipeline.grouping else {
            detectors?.score(rows: rows, selection: input.selection)
            for output in outputs { output.evaluate(rows: rows) }
            outputFilter?.evaluate(rows: rows)
            var keepGoing = true
            input.forEachSelected { row in
                guard keepGoing else { return }
                if let outputFilter, outputFilter.result.isNull[row] || !outputFilter.result.bools[row] { return }
                keepGoing = emit(row, windowStartMs: nil, windowEndMs: nil, key: { detectors?.keyText(row) }, to: target)
            }
            return
        }
        let aggregator = grouping.aggregator
        for expression in grouping.keyExpressions { expression.evaluate(rows: rows) }
        for expression in grouping.argumentExpressions { expression?.evaluate(rows: rows) }
        try aggregator.consume(input, keys: grouping.keyExpressions.map(\.result), arguments: grouping.argumentExpressions.map { $0?.result },
                               eventTime: plan.window == nil ? nil : eventTime, shards: UnsafePointer(rowShards))
        if part == .partialAggregates {
            aggregator.drainClosed(savePartial)
            return
        }
        if aggregator.emitChanges {
            flushGroups(aggregator.drainChanged, target)
            aggregator.drainClosed { _ in }
        } else {
            flushGroups(aggregator.drainClosed, target)
        }
    }

    /// Writes the groups `drain` yields into output batches and emits their rows.
    private func flushGroups(_ drain: ((Int32) -> Void) -> Void, _ target: RowTarget) {
        guard let grouping = pipeline.grouping else { return }
        let aggregator = grouping.aggregator, groupOutput = grouping.output, groupKeyVectors = grouping.keyVectors
        let windowStartVector = grouping.windowStart, windowEndVector = grouping.windowEnd
        let outputs = pipeline.outputs, outputFilter = pipeline.outputFilter
        var row = 0
        groupOutput.reset(count: batchRowCapacity)
        var keepGoing = true
        let windowed = plan.window != nil
        func flush() {
            guard row > 0 else { return }
            detectors?.score(rows: row, selection: nil)
            for output in outputs { output.evaluate(rows: row) }
            outputFilter?.evaluate(rows: row)
            for r in 0..<row where keepGoing {
                if let outputFilter, outputFilter.result.isNull[r] || !outputFilter.result.bools[r] { continue }
                keepGoing = emit(r, windowStartMs: windowed ? windowStartVector.ints[r] : nil, windowEndMs: windowed ? windowEndVector.ints[r] : nil,
                                 key: { groupKeyVectors.isEmpty ? nil : groupKeyVectors.map { textOf($0, r) }.joined(separator: ",") }, to: target)
            }
            row = 0
            groupOutput.reset(count: batchRowCapacity)
        }
        drain { slot in
            aggregator.write(slot, keys: groupKeyVectors, aggregates: grouping.aggregateVectors,
                             windowStart: windowStartVector, windowEnd: windowEndVector, row: row)
            row += 1
            if row == batchRowCapacity { flush() }
        }
        flush()
    }

    // MARK: Partial and final parts

    /// The partials of the groups closed since the last call (a partial part).
    func takePartials() -> [UInt8] {
        defer { partials = StateWriter() }
        return partials.bytes
    }

    private func savePartial(_ slot: Int32) {
        aggregator?.savePartial(slot, to: &partials)
    }

    /// The frontier the workers' windows close at (a partial part): the one over all workers' shards.
    var coordinatedFrontierMs: Int64? {
        get { watermark.coordinatedFrontierMs }
        set { watermark.coordinatedFrontierMs = newValue }
    }

    /// Per shard read (in the order of `shards`), the largest event time seen
    /// and whether the shard is read to its end: what the frontier over all
    /// workers is made of.
    var shardProgress: (maxima: [Int64], finished: [Bool]) { (watermark.maxEventTimeByShard, cursor.finishedShards) }

    /// This part's own watermark (what its windows close at without a coordinated frontier).
    var watermarkMs: Int64 { watermark.watermarkMs }

    /// The arrival time of the last record read (the latest: the cursor reads
    /// its shards merged by arrival); `.min` before the first. How far through
    /// the stream's history this part is, whatever the number of its records.
    private(set) var latestArrivalMs: Int64 = .min

    /// Folds a partial part's partials into this (final) part's groups.
    func absorbPartials(_ bytes: [UInt8]) throws(RuntimeError) {
        precondition(part == .finalAggregates, "partials are absorbed by the final part")
        try aggregator?.mergePartials(bytes)
    }

    /// Emits every group absorbed so far (each is complete: every worker
    /// closed its window at the same frontier) through the rest of the query;
    /// returns false once the query wants no more rows (LIMIT).
    func emitAbsorbed(emit: @escaping (EmittedRow) -> Bool) -> Bool {
        if let aggregator, !stopped { flushGroups(aggregator.drainAll, .each(emitRow(emit))) }
        return !stopped
    }

    /// Emits the absorbed groups whose window `isFinal(start, end)` says no
    /// worker will add to any more (workers that close windows at watermarks
    /// of their own); returns false once the query wants no more rows.
    func emitAbsorbed(where isFinal: @escaping (Int64, Int64) -> Bool, emit: @escaping (EmittedRow) -> Bool) -> Bool {
        if let aggregator, !stopped { flushGroups({ aggregator.drain(where: isFinal, $0) }, .each(emitRow(emit))) }
        return !stopped
    }

    // MARK: Checkpoint state

    static let stateVersion: UInt8 = 2

    /// The query's state (open windows, counters) for a job checkpoint.
    public func saveState() -> [UInt8] {
        var writer = StateWriter()
        writer.write(Self.stateVersion)
        writer.write(Int64(statistics.recordsRead))
        writer.write(Int64(statistics.rowsEmitted))
        writer.write(Int64(decoder.badRecords))
        writer.write(aggregator != nil)
        aggregator?.save(to: &writer)
        writer.write(detectors?.operator.serialize() ?? [])
        return writer.bytes
    }

    /// Restores what `saveState` wrote, before the first step.
    public func restoreState(_ bytes: [UInt8]) throws(StateError) {
        var reader = StateReader(bytes)
        try reader.expectVersion(Self.stateVersion, of: "query")
        counters.recordsRead = Int(try reader.readInt64())
        orderLimit.rowsEmitted = Int(try reader.readInt64())
        decoder.restoreBadRecords(Int(try reader.readInt64()))
        let hasAggregator = try reader.readBool()
        guard hasAggregator == (aggregator != nil) else { throw .mismatch("aggregation differs") }
        try aggregator?.load(from: &reader)
        let detectorState = try reader.readBytes()
        if let detectors {
            try detectors.operator.restore(from: detectorState)
        }
        counters.lateRecords = aggregator?.lateRecords ?? 0
        counters.badRecords = decoder.badRecords
    }
}
