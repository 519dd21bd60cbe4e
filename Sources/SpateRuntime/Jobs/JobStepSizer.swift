// How much a job's workers read in the step launched just before the job's
// thread hands on the last step's rows and commits a checkpoint (JobWorker):
// enough that they are still reading when the thread is done, so a long commit
// does not leave them idle. Measured before this (`spate-bench jobs`, the
// reference job, 5 M records, 2 workers): steps of 8 batches took ~3 ms while
// a commit of 16,384 result rows took ~35 ms, so the workers waited ~30 ms a
// checkpoint and used 1.4 of the 2 cores.
//
// Both rates are learned as the job runs (exponential moving averages): the
// workers' time per batch (ParallelQueryExecution.lastStepNs, from launch to
// the last worker finishing) and the thread's time per row handed on and
// committed. Steps stay between `batchesPerStep` and `batchesMax`, and a step
// is not expected to emit more than JobOutput.pendingRowsMax rows (the rows a
// step emits are held until handed on: a stateless query emits a row per
// record). A step only grows when the thread has rows to commit, so an
// alert's latency (its commit is taken at once, with few rows) is unchanged.

struct JobStepSizer {
    /// Most batches in one step: ~100 ms of reading at the reference job's pace.
    static let batchesMax = 256
    /// The workers' time per batch, ns (0 until a step was measured).
    private(set) var nsPerBatch: Double = 0
    /// The job thread's time per row handed on or committed, ns (0 until measured).
    private(set) var nsPerRow: Double = 0
    /// Rows the workers emit per batch (0 until measured).
    private(set) var rowsPerBatch: Double = 0
    private let smoothing = 0.25

    /// A step of `batches` batches took the workers `ns` and emitted `rows`;
    /// `progressed`: it read records (a step that read nothing says nothing).
    mutating func observeStep(ns: UInt64, batches: Int, rows: Int, progressed: Bool) {
        guard progressed, batches > 0, ns > 0 else { return }
        nsPerBatch = Self.average(nsPerBatch, Double(ns) / Double(batches), smoothing)
        rowsPerBatch = Self.average(rowsPerBatch, Double(rows) / Double(batches), smoothing)
    }

    /// The job thread spent `ns` handing on and committing `rows` rows.
    mutating func observeOwnWork(ns: UInt64, rows: Int) {
        guard rows > 0 else { return }
        nsPerRow = Self.average(nsPerRow, Double(ns) / Double(rows), smoothing)
    }

    /// Batches for a step launched while the thread works on `rows` rows.
    func batches(whileHandling rows: Int) -> Int {
        let base = ParallelQueryExecution.batchesPerStep
        guard nsPerBatch > 0, nsPerRow > 0 else { return base }
        let needed = (Double(rows) * nsPerRow / nsPerBatch).rounded(.up)
        let rowsBound = rowsPerBatch > 0 ? (Double(JobOutput.pendingRowsMax) / rowsPerBatch).rounded(.down) : Double(Self.batchesMax)
        return Int(max(Double(base), min(needed, Double(Self.batchesMax), rowsBound)))
    }

    private static func average(_ current: Double, _ sample: Double, _ weight: Double) -> Double {
        current == 0 ? sample : current + weight * (sample - current)
    }
}
