// JobStepSizer: the step launched while a job's thread commits grows with the
// rows the thread must commit, from the rates it learned, within its bounds.

@testable import SpateRuntime
import Testing

@Suite struct JobStepSizerTests {
    let base = ParallelQueryExecution.batchesPerStep

    @Test func unmeasuredStepsKeepTheDefaultSize() {
        var sizer = JobStepSizer()
        #expect(sizer.batches(whileHandling: 16_384) == base)
        sizer.observeStep(ns: 2_000_000, batches: 8, rows: 80, progressed: true)
        #expect(sizer.batches(whileHandling: 16_384) == base, "no rate of the thread's own work yet")
    }

    @Test func aCommitLongerThanAStepGetsAStepAsLong() {
        var sizer = JobStepSizer()
        sizer.observeStep(ns: 2_400_000, batches: 8, rows: 80, progressed: true)      // 300 µs a batch
        sizer.observeOwnWork(ns: 30_000_000, rows: 15_000)                   // 2 µs a row
        #expect(sizer.batches(whileHandling: 15_000) == 100)                 // 30 ms of work / 300 µs
        #expect(sizer.batches(whileHandling: 100) == base, "a short hand-on keeps the default step")
        #expect(sizer.batches(whileHandling: 10_000_000) == JobStepSizer.batchesMax)
    }

    @Test func aStepEmitsAtMostTheRowsAJobMayHold() {
        var sizer = JobStepSizer()
        sizer.observeStep(ns: 2_400_000, batches: 8, rows: 8 * 1_024, progressed: true)   // a row per record
        sizer.observeOwnWork(ns: 30_000_000, rows: 15_000)
        #expect(sizer.batches(whileHandling: 15_000) == JobOutput.pendingRowsMax / 1_024)
    }

    @Test func stepsThatReadNothingTeachNothing() {
        var sizer = JobStepSizer()
        sizer.observeStep(ns: 50, batches: 8, rows: 0, progressed: false)
        sizer.observeOwnWork(ns: 30_000_000, rows: 15_000)
        #expect(sizer.batches(whileHandling: 15_000) == base)
        sizer.observeOwnWork(ns: 1_000, rows: 0)
        #expect(sizer.nsPerRow == 2_000)
    }

    @Test func ratesFollowTheJobAsItChanges() {
        var sizer = JobStepSizer()
        sizer.observeStep(ns: 8_000_000, batches: 8, rows: 80, progressed: true)
        for _ in 0..<40 { sizer.observeStep(ns: 800_000, batches: 8, rows: 80, progressed: true) }
        #expect(abs(sizer.nsPerBatch - 100_000) < 1_000)
    }
}
