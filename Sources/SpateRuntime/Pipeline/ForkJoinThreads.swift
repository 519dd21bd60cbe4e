// Fork-join over a fixed set of threads: `run` hands index 0 to the calling
// thread and 1..<width to threads of its own, and returns when all are done.
// For a parallel job's workers (ParallelQueryExecution). Measured: with
// DispatchQueue.concurrentPerform the calling thread often ran both halves of
// a 2-way step itself (the pool's thread woke too late to claim its
// iteration), so a job with parallelism 2 used 1.35 cores and was no faster.
// Dedicated threads parked on semaphores are woken for every step.
//
// The threads hold only the shared `Crew`, never the owner, so releasing the
// owner stops them (deinit).

import SpateLog
import Dispatch

final class ForkJoinThreads {
    /// What the owner and its threads share.
    private final class Crew: @unchecked Sendable {
        let starts: [DispatchSemaphore]
        let finished = DispatchSemaphore(value: 0)
        /// Set before the starts are signalled, cleared after every finish is
        /// waited for: the semaphores order these accesses.
        var task: ((Int) -> Void)?
        var stopping = false

        init(threads: Int) { starts = (0..<threads).map { _ in DispatchSemaphore(value: 0) } }

        func loop(_ thread: Int) {
            while true {
                starts[thread].wait()
                if stopping { finished.signal(); return }
                task?(thread + 1)
                finished.signal()
            }
        }
    }

    private let crew: Crew
    /// Indices run at once: the calling thread and `width - 1` threads.
    let width: Int

    init(width: Int) {
        self.width = max(1, width)
        crew = Crew(threads: self.width - 1)
        for thread in 0..<self.width - 1 {
            let crew = self.crew
            BackgroundThread.start { crew.loop(thread) }
        }
    }

    deinit {
        crew.stopping = true
        for start in crew.starts { start.signal() }
        for _ in crew.starts { crew.finished.wait() }
    }

    /// Runs `body(i)` for every i in 0..<width at once; returns when all have.
    func run(_ body: @escaping (Int) -> Void) {
        crew.task = body
        for start in crew.starts { start.signal() }
        body(0)
        for _ in crew.starts { crew.finished.wait() }
        crew.task = nil
    }
}
