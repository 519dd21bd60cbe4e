// Turns a QueryPlan into the operators QueryExecution drives — the one place
// where the plan's expressions are compiled to vector evaluators and the
// detectors are wired in:
//
//   input batch ── Filter ──┬─────────────────────────── DetectorStage ── Project ── OutputFilter
//                           └─ WindowAggregator → group batch ─┘
//
// The detectors, the projection and the output filter read one stage: each
// input record (no GROUP BY), or each group a window emits. `projection(…)`
// compiles that tail over whichever stage it is given, so detectors are
// wired the same way in both.

import SpateSQL

/// The operators after the scan: what QueryExecution runs, batch by batch.
struct Pipeline {
    var filter: VectorExpression?
    var grouping: Grouping?
    var detectors: DetectorStage?
    var outputs: [VectorExpression]
    var outputFilter: VectorExpression?

    /// GROUP BY: key and argument expressions over the input, the aggregate,
    /// and the batch its groups are written into for the projection.
    struct Grouping {
        let keyExpressions: [VectorExpression]
        let argumentExpressions: [VectorExpression?]
        let aggregator: WindowAggregator
        let output: DataChunk
        let keyVectors: [ColumnVector]
        let aggregateVectors: [ColumnVector]
        let windowStart: ColumnVector
        let windowEnd: ColumnVector
    }
}

enum PipelineBuilder {
    /// The operators of `plan` over an input batch whose columns are the
    /// plan's fields, then the arrival time, then (SELECT *) the whole record.
    static func build(_ plan: QueryPlan, input: DataChunk, watermark: Watermark, recordsScores: Bool = false,
                      nowMs: @escaping () -> Int64) throws(RuntimeError) -> Pipeline {
        let inputColumns = input.columns
        let fieldCount = plan.fields.count
        let inputResolver = SlotResolver { kind in
            switch kind {
            case let .field(i): return i < fieldCount ? inputColumns[i] : nil
            case .arrivalTime: return inputColumns[fieldCount]
            default: return nil
            }
        }
        do {
            let inputCompiler = ExpressionCompiler(resolver: inputResolver, nowMs: nowMs)
            let filter = try plan.filter.map { e throws(ExpressionCompileError) in try inputCompiler.compile(e) }
            guard plan.isAggregating else {
                let eventTime: BoundExpression = switch plan.eventTime {
                case let .field(index): BoundExpression(.field(index), type: .timestamp)
                case .arrival: BoundExpression(.arrivalTime, type: .timestamp)
                }
                let record = plan.selectsWholeRecord ? inputColumns[fieldCount + 1] : nil
                let tail = try projection(plan, over: inputResolver, time: eventTime, wholeRecord: record, recordsScores: recordsScores, nowMs: nowMs)
                return Pipeline(filter: filter, grouping: nil, detectors: tail.detectors, outputs: tail.outputs, outputFilter: tail.outputFilter)
            }
            let grouping = try self.grouping(plan, compiler: inputCompiler, watermark: watermark)
            let columns = grouping.output.columns
            let keyCount = grouping.keyVectors.count, aggregateCount = grouping.aggregateVectors.count
            let groupResolver = SlotResolver { kind in
                switch kind {
                case let .groupKey(i): return i < keyCount ? columns[i] : nil
                case let .aggregate(i): return i < aggregateCount ? columns[keyCount + i] : nil
                case .windowStart: return columns[keyCount + aggregateCount]
                case .windowEnd: return columns[keyCount + aggregateCount + 1]
                default: return nil
                }
            }
            let time = plan.window == nil ? nil : BoundExpression(.windowStart, type: .timestamp)
            let tail = try projection(plan, over: groupResolver, time: time, wholeRecord: nil, recordsScores: recordsScores, nowMs: nowMs)
            return Pipeline(filter: filter, grouping: grouping, detectors: tail.detectors, outputs: tail.outputs, outputFilter: tail.outputFilter)
        } catch let error as RuntimeError {
            throw error
        } catch {
            throw .internalError("\(error)")
        }
    }

    private static func grouping(_ plan: QueryPlan, compiler: ExpressionCompiler, watermark: Watermark) throws -> Pipeline.Grouping {
        let keyExpressions = try plan.groupKeys.map { e throws(ExpressionCompileError) in try compiler.compile(e) }
        let argumentExpressions = try plan.aggregates.map { a throws(ExpressionCompileError) in
            try a.argument.map { e throws(ExpressionCompileError) in try compiler.compile(e) }
        }
        let emitChanges = plan.emit == .changes || (plan.window == nil && !plan.isBounded)
        let aggregator = WindowAggregator(window: plan.window, aggregates: plan.aggregates, keyTypes: plan.groupKeys.map(\.type),
                                          emitChanges: emitChanges, watermark: watermark)
        let keyTypes = plan.groupKeys.map { $0.type == .null ? ValueType.string : $0.type }
        let aggregateTypes = plan.aggregates.map { $0.type == .null ? ValueType.double : $0.type }
        let chunk = DataChunk(types: keyTypes + aggregateTypes + [.timestamp, .timestamp])
        let k = keyTypes.count, a = aggregateTypes.count
        return Pipeline.Grouping(keyExpressions: keyExpressions, argumentExpressions: argumentExpressions, aggregator: aggregator,
                                 output: chunk, keyVectors: Array(chunk.columns[0..<k]), aggregateVectors: Array(chunk.columns[k..<k + a]),
                                 windowStart: chunk.columns[k + a], windowEnd: chunk.columns[k + a + 1])
    }

    /// The detectors, the outputs and the output filter over one stage (`resolver`).
    private static func projection(_ plan: QueryPlan, over resolver: SlotResolver, time: BoundExpression?, wholeRecord: ColumnVector?,
                                   recordsScores: Bool, nowMs: @escaping () -> Int64) throws
        -> (detectors: DetectorStage?, outputs: [VectorExpression], outputFilter: VectorExpression?) {
        let detectors = try DetectorStage.make(plan.detectors, resolver: resolver, nowMs: nowMs, time: time,
                                               wantsGrades: plan.readsAnomalyGrade, recordsScores: recordsScores)
        let scored = detectors?.resolver(over: resolver) ?? resolver
        let outputs: [VectorExpression]
        if let wholeRecord {
            outputs = [ColumnReferenceExpression(wholeRecord)]
        } else {
            let compiler = ExpressionCompiler(resolver: scored, nowMs: nowMs)
            outputs = try plan.outputs.map { o throws(ExpressionCompileError) in try compiler.compile(o.expression) }
        }
        let outputFilter = try plan.outputFilter.map { e throws(ExpressionCompileError) in
            try ExpressionCompiler(resolver: withOutputs(scored, outputs), nowMs: nowMs).compile(e)
        }
        return (detectors, outputs, outputFilter)
    }

    /// `base`, plus the projected outputs as `.output(i)` (what HAVING-style output filters read).
    private static func withOutputs(_ base: SlotResolver, _ outputs: [VectorExpression]) -> SlotResolver {
        SlotResolver { kind in
            if case let .output(i) = kind { return i < outputs.count ? outputs[i].result : nil }
            return base.vectorFor(kind)
        }
    }
}
