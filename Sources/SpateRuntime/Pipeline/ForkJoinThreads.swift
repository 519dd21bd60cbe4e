// Fork-join over a fixed set of threads: `run` hands index 0 to the calling
// thread and 1..<width to threads of its own, and returns when all are done.
// For a parallel job's workers (ParallelQueryExecution). Measured: with
// DispatchQueue.concurrentPerform the calling thread often ran both halves of
// a 2-way step itself (the pool's thread woke too late to claim its
// iteration), so a job with parallelism 2 used 1.35 cores and was no faster.
// Dedicated threads parked on semaphores are woken for every step.
//
// `start` and `join` split a run in two for a caller with work of its own in
// between (a job emitting the previous step's rows while the next one runs):
// then every index runs on a crew thread, so the crew has `width` threads.
//
// The threads hold only the shared `Crew`, never the owner, so releasing the
// owner stops them (deinit, after joining a run still going).

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

        func loop(_ thread: Int, index: Int) {
            while true {
                starts[thread].wait()
                if stopping { finished.signal(); return }
                task?(index)
                finished.signal()
            }
        }
    }

    private let crew: Crew
    /// Indices run at once.
    let width: Int
    /// The calling thread runs index 0 (`run`); else the crew runs all (`start`, `join`).
    private let callerRuns: Bool
    /// A `start` not yet joined.
    private var started = false

    /// - Parameter callerRuns: true for `run` (the caller runs index 0 and the
    ///   crew `width - 1` threads), false for `start`/`join` (a crew of `width`).
    init(width: Int, callerRuns: Bool = true) {
        self.width = max(1, width)
        self.callerRuns = callerRuns
        let threads = callerRuns ? self.width - 1 : self.width
        crew = Crew(threads: threads)
        for thread in 0..<threads {
            let crew = self.crew
            let first = callerRuns ? 1 : 0
            BackgroundThread.start { crew.loop(thread, index: thread + first) }
        }
    }

    deinit {
        join()
        crew.stopping = true
        for start in crew.starts { start.signal() }
        for _ in crew.starts { crew.finished.wait() }
    }

    /// Starts `body(i)` for every i in 0..<width on the crew and returns at
    /// once; `join` waits for them. Requires `callerRuns: false`.
    func start(_ body: @escaping (Int) -> Void) {
        precondition(!callerRuns && !started, "start needs a crew of its own and no run in progress")
        started = true
        crew.task = body
        for start in crew.starts { start.signal() }
    }

    /// Waits for the run `start` began (returns at once when there is none).
    func join() {
        guard started else { return }
        for _ in crew.starts { crew.finished.wait() }
        crew.task = nil
        started = false
    }

    /// Runs `body(i)` for every i in 0..<width at once; returns when all have.
    func run(_ body: @escaping (Int) -> Void) {
        precondition(callerRuns, "run needs the caller to take index 0")
        crew.task = body
        for start in crew.starts { start.signal() }
        body(0)
        for _ in crew.starts { crew.finished.wait() }
        crew.task = nil
    }
}
