// A bounded SELECT over a stream of several shards runs on up to `threads`
// workers (ParallelQueryExecution: shard s → worker s mod n, each a complete
// query over its shards), when that gives the rows one worker would:
// - the query has no state, or all its state — every group and every detector
//   — is keyed by the stream's key column (records of a key live in one shard);
// - it has no ORDER BY and no LIMIT (those would need a merge of the workers'
//   rows; they run on one worker);
// - it ends (UNTIL): a tailing query stays on one worker, as its rows come in
//   the log's order.
// Rows come worker by worker, so their order differs from one worker's — SQL
// promises no order without ORDER BY. Each worker's watermark follows its own
// shards, as a parallel job's does: only a record more than GRACE out of order
// within its own shard is late, either way; across shards one worker's clock
// no longer holds another's windows back.
//
// SET threads = n (1 to 64) sets the session's bound; `spate --threads n` the same.

import SpateLog
import SpateRuntime
import SpateSQL

extension Session {
    /// How many workers `plan` may use over `stream` (1: run it as one query).
    func parallelWorkers(for plan: QueryPlan, stream: LogStream, name: String) -> Int {
        guard threads > 1, stream.shards.count > 1, plan.isBounded, plan.orderBy.isEmpty, plan.limit == nil else { return 1 }
        let keyColumn = (try? database.streamDefinition(name))??.keyColumn
        guard plan.stateNotSplittable(byKey: keyColumn) == nil else { return 1 }
        return min(threads, stream.shards.count, ParallelQueryExecution.parallelismMax)
    }

    /// Runs `plan` on `workers` workers, emitting rows as they come; returns the statistics.
    func runParallel(_ plan: QueryPlan, stream: LogStream, workers: Int, cancel: CancellationFlag,
                     emit: @escaping ([Value]) -> Void) throws(RuntimeError) -> QueryStatistics {
        let execution = try ParallelQueryExecution(plan: plan, stream: stream, parallelism: workers, nowMs: database.now)
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
        if !cancelled { execution.finish(emit: rows) }
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
