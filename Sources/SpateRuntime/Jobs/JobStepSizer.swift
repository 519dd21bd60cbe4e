// How far a job's workers may read in one step (JobWorker). A step runs until
// the job's thread collects it (ParallelQueryExecution.launchStep with
// `batchesMax`): the thread launches it, hands on the last step's rows and
// commits, then collects, so the step lasts as long as the thread's work
// whatever that costs, and the workers stop within a batch of each other.
// This bounds it: at least `ParallelQueryExecution.batchesPerStep` batches,
// at most `batchesMax`, and no more than JobOutput.pendingRowsMax rows
// expected from the rows per record learned as the job runs (the rows a step
// emits are held until handed on; a stateless query emits one per record).
//
// History, measured with `spate-bench jobs` (the reference job, 5 M records):
// steps of a fixed 8 batches left the workers idle while a commit of 16,384
// rows took ~35 ms; steps sized by predicted rates (the workers' time per
// batch, the thread's time per row) still left them idle 10–28 % of their
// time, because a prediction is off and, with parallelism 2, the worker that
// shares a core with the job's thread finishes later than the other, which
// then waits. Running until collected took that to ~1–2 % with parallelism 1
// and 8–15 % with parallelism 2 (a worker still waits for the other's last
// batch, and for the job's thread between steps). The thread then collected
// every ~1.5 ms; a step now lasts at least `ParallelQueryExecution.stepNsMin`
// (10 ms) unless its workers catch up: an eighth as many steps.

struct JobStepSizer {
    /// Most batches one worker reads in a step: ~40 ms at the reference job's pace.
    static let batchesMax = 256
    /// Rows the query emits per record read (0 until measured).
    private(set) var rowsPerRecord: Double = 0
    private let smoothing = 0.25

    /// A step read `records` records (over every worker) and emitted `rows`.
    mutating func observeStep(records: Int, rows: Int) {
        guard records > 0 else { return }
        let sample = Double(rows) / Double(records)
        rowsPerRecord = rowsPerRecord == 0 ? sample : rowsPerRecord + smoothing * (sample - rowsPerRecord)
    }

    /// Most batches each of `workers` workers may read in the next step.
    func batchesLimit(workers: Int) -> Int {
        let base = ParallelQueryExecution.batchesPerStep
        guard rowsPerRecord > 0 else { return Self.batchesMax }
        let recordsBound = Double(JobOutput.pendingRowsMax) / rowsPerRecord
        let batchesBound = (recordsBound / Double(batchRowCapacity * max(1, workers))).rounded(.down)
        return Int(max(Double(base), min(Double(Self.batchesMax), batchesBound)))
    }
}
