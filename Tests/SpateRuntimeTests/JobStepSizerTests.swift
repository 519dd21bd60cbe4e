// JobStepSizer: a job's step runs until collected, within its bounds: at most
// batchesMax batches a worker, and no more rows than a job may hold, from the
// rows per record it learned.

@testable import SpateRuntime
import Testing

@Suite struct JobStepSizerTests {
    let base = ParallelQueryExecution.batchesPerStep

    @Test func unmeasuredStepsMayRunToTheMost() {
        #expect(JobStepSizer().batchesLimit(workers: 1) == JobStepSizer.batchesMax)
        #expect(JobStepSizer().batchesLimit(workers: 2) == JobStepSizer.batchesMax)
    }

    @Test func aStepEmitsAtMostTheRowsAJobMayHold() {
        var sizer = JobStepSizer()
        sizer.observeStep(records: 8 * batchRowCapacity, rows: 8 * batchRowCapacity)   // a row per record
        #expect(sizer.batchesLimit(workers: 1) == JobOutput.pendingRowsMax / batchRowCapacity)
        #expect(sizer.batchesLimit(workers: 2) == JobOutput.pendingRowsMax / batchRowCapacity / 2, "the workers' rows together")
        sizer = JobStepSizer()
        sizer.observeStep(records: 1_000_000, rows: 25_000)                                  // the reference job: a row per 40 records
        #expect(sizer.batchesLimit(workers: 1) == JobStepSizer.batchesMax)
    }

    @Test func manyRowsPerRecordStillReadTheDefaultStep() {
        var sizer = JobStepSizer()
        sizer.observeStep(records: 100, rows: 100_000)
        #expect(sizer.batchesLimit(workers: 2) == base)
    }

    @Test func stepsThatReadNothingTeachNothing() {
        var sizer = JobStepSizer()
        sizer.observeStep(records: 0, rows: 0)
        #expect(sizer.rowsPerRecord == 0)
        sizer.observeStep(records: 1_000, rows: 0)
        #expect(sizer.rowsPerRecord == 0 && sizer.batchesLimit(workers: 1) == JobStepSizer.batchesMax, "a query that emits nothing")
    }

    @Test func theRateFollowsTheJobAsItChanges() {
        var sizer = JobStepSizer()
        sizer.observeStep(records: 1_000, rows: 1_000)
        for _ in 0..<40 { sizer.observeStep(records: 1_000, rows: 100) }
        #expect(abs(sizer.rowsPerRecord - 0.1) < 0.001)
    }
}
