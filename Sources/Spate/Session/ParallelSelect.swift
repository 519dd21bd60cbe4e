// A bounded SELECT over a stream of several shards runs on up to `threads`
// workers (ParallelQueryExecution: shard s → worker s mod n), in one of two ways:
// - split: each worker is a complete query over its shards, when that gives
//   the rows one worker would — the query has no state, or all its state
//   (every group and every detector) is keyed by the stream's key column
//   (records of a key live in one shard), and it has no ORDER BY or LIMIT
//   (those would need a merge of the workers' rows). Each worker's watermark
//   follows its own shards, as a parallel job's does.
// - merged: any other aggregating query (grouped by something else, or not at
//   all) aggregates on the workers and merges their partial aggregates per
//   window on the calling thread, which runs the rest of the query — HAVING,
//   detectors, ORDER BY, LIMIT — on the merged groups (PartialAggregates.swift
//   says which aggregates and windows merge; FIRST/LAST and session windows
//   do not, and run on one worker).
// - ranges: a stream of one shard is read as consecutive ranges of its
//   records, one per worker, when that is exact — a query without state, or
//   an aggregate (without detectors) over arrival time; windows at the
//   boundaries wait for both sides (ParallelQueryExecution.ShardRange). The
//   query must read to NOW, and each range must hold 65,536 records or more.
// A tailing query stays on one worker, as its rows come in the log's order.
// Rows come worker by worker (split) or window by window (merged), so their
// order may differ from one worker's — SQL promises no order without ORDER BY.
//
// SET threads = n (1 to 64) sets the session's bound; `spate --threads n` the same.

import SpateLog
import SpateRuntime
import SpateSQL

extension Session {
    /// How `plan` runs over `stream`: on how many workers, and whether their
    /// partial aggregates merge (1 worker: run it as one query).
    func parallelWorkers(for plan: QueryPlan, stream: LogStream, name: String) -> (workers: Int, mergesPartials: Bool) {
        guard threads > 1, stream.shards.count > 1, plan.isBounded else { return (1, false) }
        let workers = min(threads, stream.shards.count, ParallelQueryExecution.parallelismMax)
        let keyColumn = (try? database.streamDefinition(name))??.keyColumn
        if plan.orderBy.isEmpty, plan.limit == nil, plan.stateNotSplittable(byKey: keyColumn) == nil { return (workers, false) }
        if plan.partialMergeRefusal == nil { return (workers, true) }
        return (1, false)
    }

    /// The ranges of a one-shard stream `plan` may run on, one per thread (nil: it runs on one worker).
    func parallelRanges(for plan: QueryPlan, stream: LogStream) throws(RuntimeError) -> [ParallelQueryExecution.ShardRange]? {
        guard threads > 1, stream.shards.count == 1, plan.rangeSplitRefusal == nil, case .now? = plan.end else { return nil }
        return try ParallelQueryExecution.shardRanges(plan: plan, stream: stream, workers: min(threads, ParallelQueryExecution.parallelismMax),
                                                      nowMs: database.now())
    }

    /// Runs `plan` on `workers` workers (or on `ranges` of its one shard), emitting rows as they come; returns the statistics.
    func runParallel(_ plan: QueryPlan, stream: LogStream, workers: Int, mergesPartials: Bool, ranges: [ParallelQueryExecution.ShardRange]? = nil,
                     cancel: CancellationFlag, emit: @escaping ([Value]) -> Void) throws(RuntimeError) -> QueryStatistics {
        let execution = if let ranges {
            try ParallelQueryExecution(plan: plan, stream: stream, ranges: ranges, nowMs: database.now)
        } else {
            try ParallelQueryExecution(plan: plan, stream: stream, parallelism: workers, nowMs: database.now, mergesPartials: mergesPartials)
        }
        let rows: (EmittedRow) -> Bool = { emit($0.values); return true }
        var cancelled = false
        loop: while true {
            if cancel.isCancelled { cancelled = true; break }
            switch try execution.step(emit: rows) {
            case .progressed: continue
            case .finished: break loop
            case .idle: usleep(1_000)
            }
        }
        if !cancelled { try execution.finish(emit: rows) }
        var statistics = execution.currentStatistics
        statistics.cancelled = cancelled
        return statistics
    }

    func runSet(_ statement: SetStatement, source: String, sink: ResultSink) throws(SpateError) {
        switch statement.name.value.lowercased() {
        case "threads":
            guard case let .integer(n) = statement.value, n >= 1, n <= Int64(ParallelQueryExecution.parallelismMax) else {
                throw .sqlMessage("threads must be a whole number from 1 to \(ParallelQueryExecution.parallelismMax)",
                                  at: statement.name.range, source: source)
            }
            threads = Int(n)
            sink.message("threads = \(n)")
        default:
            throw .sqlMessage("unknown setting '\(statement.name.value)'; settings: threads", at: statement.name.range, source: source)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
