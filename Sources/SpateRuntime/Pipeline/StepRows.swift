// The rows a parallel step emitted, worker by worker, in worker order: the
// order a job hands them on in (ParallelQueryExecution.collectStep). Kept as
// the workers' own arrays rather than copied into one: the copy retained
// every row's values, and each row was then destroyed twice over (the copy
// and the worker's), about 6 % of a parallel job's thread (perf shares in
// `spate-bench jobs`, parallelism 2: the copy 2.2 % → 0.1 %, the row copies,
// retains and destroys ~4 % less).

public struct StepRows: Sendable {
    /// Each worker's rows, in worker order.
    public let byWorker: [[EmittedRow]]
    /// Rows in all.
    public let count: Int

    public init(byWorker: [[EmittedRow]]) {
        self.byWorker = byWorker
        count = byWorker.reduce(0) { $0 + $1.count }
    }

    public var isEmpty: Bool { count == 0 }
}
