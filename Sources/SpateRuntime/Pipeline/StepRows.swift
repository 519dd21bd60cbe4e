// The rows a job's step emitted, worker by worker, in worker order: the
// order a job hands them on in (ParallelQueryExecution.collectStep). Each
// worker's RowArena as it filled it: no row is copied or made an array of
// its own on the way (RowArena.swift says what that cost).

public struct StepRows: Sendable {
    /// Each worker's rows, in worker order.
    public let byWorker: [RowArena]
    /// Rows in all.
    public let count: Int

    public init(byWorker: [RowArena]) {
        self.byWorker = byWorker
        count = byWorker.reduce(0) { $0 + $1.count }
    }

    public var isEmpty: Bool { count == 0 }
}
