// Runs a `QueryPlan` over a stream: the operator pipeline
//
//   StreamScan → RecordDecoder → Filter → [WindowAggregator] → Project → OutputFilter → Order/Limit → rows
//
// built once from the plan (expressions compiled to vector evaluators) and
// driven in batches of up to 1,024 records. A bounded query (UNTIL) reads to
// its end, emits the groups still open and returns; an unbounded one tails the
// log, polling for appends, until cancelled. Memory: the batch vectors, plus
// one slot per open (group, window) and one entry per key with an open window.

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
    public var cancelled = false
}

/// What a running query can be told from outside.
public struct QueryControl {
    /// Polled between batches; true stops the query.
    public var isCancelled: () -> Bool
    /// How long an unbounded query sleeps when the log has nothing new.
    public var pollIntervalMs: Int = 50

    public init(isCancelled: @escaping () -> Bool = { false }, pollIntervalMs: Int = 50) {
        self.isCancelled = isCancelled
        self.pollIntervalMs = pollIntervalMs
    }
}

/// One query, ready to run.
public final class QueryExecution {
    public let plan: QueryPlan
    /// Result columns: name and type.
    public let columns: [(name: String, type: ValueType)]

    private let cursor: StreamCursor
    private let decoder: RecordDecoder
    private let input: DataChunk
    private let arrivalColumn: ColumnVector
    private let recordColumn: ColumnVector?
    private let eventTime: ColumnVector?
    private let filter: VectorExpression?

    // Aggregating queries.
    private let aggregator: WindowAggregator?
    private let keyExpressions: [VectorExpression]
    private let argumentExpressions: [VectorExpression?]
    private let groupOutput: DataChunk?
    @exclusivity(unchecked) private var groupKeyVectors: [ColumnVector] = []
    @exclusivity(unchecked) private var aggregateVectors: [ColumnVector] = []
    @exclusivity(unchecked) private var windowStartVector: ColumnVector?
    @exclusivity(unchecked) private var windowEndVector: ColumnVector?

    // Every query.
    private let outputs: [VectorExpression]
    private let outputFilter: VectorExpression?
    @exclusivity(unchecked) private var statistics = QueryStatistics()
    @exclusivity(unchecked) private var orderedRows: [[Value]] = []

    /// Prepares `plan` over `stream`; `nowMs` is the clock for NOW() and relative ranges.
    public init(plan: QueryPlan, stream: LogStream, nowMs: @escaping () -> Int64 = wallClockMs) throws(RuntimeError) {
        guard plan.detectors.isEmpty else {
            throw .internalError("detectors (ZSCORE, RCF, …) are not available in this build yet")
        }
        self.plan = plan
        columns = plan.outputs.map { ($0.name, $0.type) }
        let now = nowMs()
        do {
            cursor = try StreamCursor(stream: stream, shards: Array(stream.shards.indices),
                                      from: Self.readPosition(plan.start, now: now), end: Self.cursorEnd(plan.end, now: now))
        } catch {
            throw .internalError(error.description)
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

        let inputColumns = input.columns
        let inputResolver = SlotResolver { kind in
            switch kind {
            case let .field(i): return i < plan.fields.count ? inputColumns[i] : nil
            case .arrivalTime: return inputColumns[plan.fields.count]
            default: return nil
            }
        }
        let inputCompiler = ExpressionCompiler(resolver: inputResolver, nowMs: nowMs)
        do {
            filter = try plan.filter.map { e throws(ExpressionCompileError) in try inputCompiler.compile(e) }
            if plan.isAggregating {
                keyExpressions = try plan.groupKeys.map { e throws(ExpressionCompileError) in try inputCompiler.compile(e) }
                argumentExpressions = try plan.aggregates.map { a throws(ExpressionCompileError) in
                    try a.argument.map { e throws(ExpressionCompileError) in try inputCompiler.compile(e) }
                }
                let windowed = plan.window != nil
                let emitChanges = plan.emit == .changes || (!windowed && !plan.isBounded)
                aggregator = WindowAggregator(window: plan.window, aggregates: plan.aggregates,
                                              keyTypes: plan.groupKeys.map(\.type), emitChanges: emitChanges)
                let keyTypes = plan.groupKeys.map { $0.type == .null ? ValueType.string : $0.type }
                let aggregateTypes = plan.aggregates.map { $0.type == .null ? ValueType.double : $0.type }
                let chunk = DataChunk(types: keyTypes + aggregateTypes + [.timestamp, .timestamp])
                groupOutput = chunk
                groupKeyVectors = Array(chunk.columns[0..<keyTypes.count])
                aggregateVectors = Array(chunk.columns[keyTypes.count..<keyTypes.count + aggregateTypes.count])
                windowStartVector = chunk.columns[keyTypes.count + aggregateTypes.count]
                windowEndVector = chunk.columns[keyTypes.count + aggregateTypes.count + 1]
                let groupColumns = chunk.columns
                let keyCount = keyTypes.count
                let aggregateCount = aggregateTypes.count
                let groupResolver = SlotResolver { kind in
                    switch kind {
                    case let .groupKey(i): return i < keyCount ? groupColumns[i] : nil
                    case let .aggregate(i): return i < aggregateCount ? groupColumns[keyCount + i] : nil
                    case .windowStart: return groupColumns[keyCount + aggregateCount]
                    case .windowEnd: return groupColumns[keyCount + aggregateCount + 1]
                    default: return nil
                    }
                }
                let groupCompiler = ExpressionCompiler(resolver: groupResolver, nowMs: nowMs)
                let compiledOutputs = try plan.outputs.map { o throws(ExpressionCompileError) in try groupCompiler.compile(o.expression) }
                outputs = compiledOutputs
                outputFilter = try plan.outputFilter.map { e throws(ExpressionCompileError) in
                    try ExpressionCompiler(resolver: Self.withOutputs(groupResolver, compiledOutputs), nowMs: nowMs).compile(e)
                }
            } else {
                keyExpressions = []
                argumentExpressions = []
                aggregator = nil
                groupOutput = nil
                let record = recordColumn
                let projectionResolver = SlotResolver { kind in inputResolver.vectorFor(kind) }
                var compiledOutputs: [VectorExpression] = []
                if plan.selectsWholeRecord, let record {
                    compiledOutputs = [ColumnReferenceExpression(record)]
                } else {
                    let compiler = ExpressionCompiler(resolver: projectionResolver, nowMs: nowMs)
                    compiledOutputs = try plan.outputs.map { o throws(ExpressionCompileError) in try compiler.compile(o.expression) }
                }
                outputs = compiledOutputs
                outputFilter = try plan.outputFilter.map { e throws(ExpressionCompileError) in
                    try ExpressionCompiler(resolver: Self.withOutputs(projectionResolver, compiledOutputs), nowMs: nowMs).compile(e)
                }
            }
        } catch {
            throw .internalError(error.description)
        }
    }

    private static func withOutputs(_ base: SlotResolver, _ outputs: [VectorExpression]) -> SlotResolver {
        SlotResolver { kind in
            if case let .output(i) = kind { return i < outputs.count ? outputs[i].result : nil }
            return base.vectorFor(kind)
        }
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
        let outcome: Result<QueryStatistics, RuntimeError> = withoutActuallyEscaping(emit) { emit in
            do throws(RuntimeError) { return .success(try runLoop(control, emit: emit)) } catch { return .failure(error) }
        }
        return try outcome.get()
    }

    private func runLoop(_ control: QueryControl, emit: @escaping ([Value]) -> Bool) throws(RuntimeError) -> QueryStatistics {
        var stopped = false
        let emitRow: ([Value]) -> Bool = { [self] row in
            if !plan.orderBy.isEmpty {
                orderedRows.append(row)
                return true
            }
            statistics.rowsEmitted += 1
            if !emit(row) { stopped = true; return false }
            if let limit = plan.limit, statistics.rowsEmitted >= limit { stopped = true; return false }
            return true
        }
        if plan.limit == 0 { return statistics }
        var filled = 0
        input.reset(count: batchRowCapacity)
        while !stopped {
            if control.isCancelled() {
                statistics.cancelled = true
                break
            }
            let n: Int
            let decoder = self.decoder
            let arrival = arrivalColumn.view
            let record = recordColumn
            do {
                n = try cursor.forEach(limit: batchRowCapacity - filled) { _, view in
                    decoder.decode(view.payload, row: filled)
                    arrival.ints[filled] = view.arrivalMs
                    arrival.isNull[filled] = false
                    record?.set(filled, string: view.payload)
                    filled += 1
                    return true
                }
            } catch {
                throw .internalError("reading the stream: \(error)")
            }
            statistics.recordsRead += n
            if filled == batchRowCapacity || (n == 0 && filled > 0) {
                try process(rows: filled, emitRow)
                filled = 0
                input.reset(count: batchRowCapacity)
                continue
            }
            if n == 0 {
                if cursor.isAtEnd { break }
                if plan.end == nil || !cursor.isAtEnd { usleep(useconds_t(control.pollIntervalMs * 1000)) }
            }
        }
        if !stopped && !statistics.cancelled && plan.isBounded, let aggregator {
            if aggregator.emitChanges { flushGroups(aggregator.drainChanged, emitRow) }
            flushGroups(aggregator.drainAll, emitRow)
        }
        statistics.badRecords = decoder.badRecords
        statistics.lateRecords = aggregator?.lateRecords ?? 0
        if !plan.orderBy.isEmpty && !statistics.cancelled {
            sortRows()
            for row in orderedRows {
                if let limit = plan.limit, statistics.rowsEmitted >= limit { break }
                statistics.rowsEmitted += 1
                if !emit(row) { break }
            }
        }
        return statistics
    }

    /// Runs one filled input batch through the pipeline.
    private func process(rows: Int, _ emitRow: @escaping ([Value]) -> Bool) throws(RuntimeError) {
        input.count = rows
        for column in input.columns { column.count = rows }
        if let filter {
            filter.evaluate(rows: rows)
            var selection: [Int32] = []
            selection.reserveCapacity(rows)
            for i in 0..<rows where !filter.result.isNull[i] && filter.result.bools[i] { selection.append(Int32(i)) }
            input.selection = selection
        }
        guard let aggregator else {
            for output in outputs { output.evaluate(rows: rows) }
            outputFilter?.evaluate(rows: rows)
            var keepGoing = true
            input.forEachSelected { row in
                guard keepGoing else { return }
                if let outputFilter, outputFilter.result.isNull[row] || !outputFilter.result.bools[row] { return }
                keepGoing = emitRow(outputs.map { $0.result.value(row) })
            }
            return
        }
        for expression in keyExpressions { expression.evaluate(rows: rows) }
        for expression in argumentExpressions { expression?.evaluate(rows: rows) }
        try aggregator.consume(input, keys: keyExpressions.map(\.result), arguments: argumentExpressions.map { $0?.result },
                               eventTime: plan.window == nil ? nil : eventTime)
        if aggregator.emitChanges {
            flushGroups(aggregator.drainChanged, emitRow)
            aggregator.drainClosed { _ in }
        } else {
            flushGroups(aggregator.drainClosed, emitRow)
        }
    }

    /// Writes the groups `drain` yields into output batches and emits their rows.
    private func flushGroups(_ drain: ((Int32) -> Void) -> Void, _ emitRow: @escaping ([Value]) -> Bool) {
        guard let aggregator, let groupOutput, let windowStartVector, let windowEndVector else { return }
        var row = 0
        groupOutput.reset(count: batchRowCapacity)
        var keepGoing = true
        func flush() {
            guard row > 0 else { return }
            for output in outputs { output.evaluate(rows: row) }
            outputFilter?.evaluate(rows: row)
            for r in 0..<row where keepGoing {
                if let outputFilter, outputFilter.result.isNull[r] || !outputFilter.result.bools[r] { continue }
                keepGoing = emitRow(outputs.map { $0.result.value(r) })
            }
            row = 0
            groupOutput.reset(count: batchRowCapacity)
        }
        drain { slot in
            aggregator.write(slot, keys: groupKeyVectors, aggregates: aggregateVectors,
                             windowStart: windowStartVector, windowEnd: windowEndVector, row: row)
            row += 1
            if row == batchRowCapacity { flush() }
        }
        flush()
    }

    private func sortRows() {
        let keys = plan.orderBy
        orderedRows.sort { a, b in
            for key in keys {
                let order = compareValues(a[key.output], b[key.output])
                if order != 0 { return key.descending ? order > 0 : order < 0 }
            }
            return false
        }
    }
}

/// Orders values for ORDER BY: NULLs first (as SQLite), then by value.
func compareValues(_ a: Value, _ b: Value) -> Int {
    switch (a, b) {
    case (.null, .null): return 0
    case (.null, _): return -1
    case (_, .null): return 1
    case let (.string(x), .string(y)): return x < y ? -1 : (x > y ? 1 : 0)
    case let (.boolean(x), .boolean(y)): return x == y ? 0 : (x ? 1 : -1)
    default:
        let x = numericValue(a), y = numericValue(b)
        return x < y ? -1 : (x > y ? 1 : 0)
    }
}

private func numericValue(_ v: Value) -> Double {
    switch v {
    case let .bigint(i), let .timestamp(i): return Double(i)
    case let .double(d): return d
    case let .boolean(b): return b ? 1 : 0
    default: return 0
    }
}
