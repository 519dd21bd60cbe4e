// SELECT and EXPLAIN: analyze the statement into a plan (SpateSQL), compile and
// run it (SpateRuntime), and stream its rows to the sink as they come.

import SpateLog
import SpateRuntime
import SpateSQL

extension Session {
    func runSelect(_ select: SelectStatement, source: String, sink: ResultSink, cancel: CancellationFlag) throws(SpateError) {
        let plan = try planQuery(select, source: source)
        let startNs = monotonicNs()
        sink.begin(columns: plan.outputs.map { ResultColumn(name: $0.name, type: $0.type) })
        var summary = QuerySummary()
        switch plan.source {
        case let .stream(name):
            let stream = try database.stream(name)
            do {
                let (workers, mergesPartials) = parallelWorkers(for: plan, stream: stream, name: name)
                let statistics: QueryStatistics
                if workers == 1, let ranges = try parallelRanges(for: plan, stream: stream) {
                    statistics = try runParallel(plan, stream: stream, workers: ranges.count, mergesPartials: true, ranges: ranges,
                                                 cancel: cancel) { sink.row($0) }
                } else if workers > 1 {
                    statistics = try runParallel(plan, stream: stream, workers: workers, mergesPartials: mergesPartials,
                                                 cancel: cancel) { sink.row($0) }
                } else {
                    let execution = try QueryExecution(plan: plan, stream: stream, nowMs: database.now)
                    statistics = try execution.run(QueryControl(isCancelled: { cancel.isCancelled }, caughtUp: { sink.caughtUp() })) { row in
                        sink.row(row)
                        return true
                    }
                }
                summary.rows = statistics.rowsEmitted
                summary.readsRecords = true
                summary.recordsRead = statistics.recordsRead
                summary.lateRecords = statistics.lateRecords
                summary.missingRecords = statistics.missingRecords
                summary.badRecords = statistics.badRecords
                summary.cancelled = statistics.cancelled
            } catch {
                throw .runtime(error.description)
            }
        case let .catalogTable(_, sql):
            for row in try database.catalogRows(sql: sql, columns: plan.outputs.map(\.type)) {
                if cancel.isCancelled { summary.cancelled = true; break }
                sink.row(row)
                summary.rows += 1
            }
        case .none:
            sink.row(try evaluateConstants(plan.outputs.map(\.expression)))
            summary.rows = 1
        }
        summary.elapsedNs = monotonicNs() - startNs
        sink.end(summary)
    }

    func runExplain(_ select: SelectStatement, source: String, sink: ResultSink) throws(SpateError) {
        let plan = try planQuery(select, source: source)
        sink.begin(columns: [ResultColumn(name: "plan", type: .string)])
        var summary = QuerySummary()
        for line in PlanExplainer.explain(plan).split(separator: "\n") {
            sink.row([.string(String(line))])
            summary.rows += 1
        }
        sink.end(summary)
    }

    func planQuery(_ select: SelectStatement, source: String) throws(SpateError) -> QueryPlan {
        let schemas = try schemaProvider(samplingFieldTypes: true)
        do {
            return try Analyzer.plan(select, schemas: schemas, nowMs: database.now())
        } catch {
            throw .sql(error, source: source)
        }
    }

    /// Evaluates expressions that read no record (SELECT without FROM, INSERT VALUES).
    func evaluateConstants(_ expressions: [BoundExpression]) throws(SpateError) -> [Value] {
        do {
            return try ConstantEvaluator.evaluate(expressions, nowMs: database.now)
        } catch {
            throw .runtime(error.description)
        }
    }
}
