// ServiceLoop: the background loop every long-running service of a process
// runs — the job runner's supervisor, alert delivery, alarms and metrics: on
// its own thread, a round, then a sleep of `intervalMs` cut into short steps so
// that `stop()` is answered within `stepMs`; after the last round a closing
// step (release the service's lease, flush, stop workers); `stop()` returns
// once that has run. Each service decides in its round whether it holds its
// catalog lease (service_leases) and so whether to work: the loop owns the
// thread and the stopping, not the lease policy.

import Synchronization

/// A round repeated on a background thread until stopped.
public final class ServiceLoop: Sendable {
    private let stopRequested = Atomic<Bool>(false)
    private let done = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)

    public init() {}

    /// True once `stop()` was asked (rounds may check it to cut work short).
    public var isStopping: Bool { stopRequested.load(ordering: .relaxed) }

    /// Runs `round` now and every `intervalMs` until stopped, then `closing`.
    public func start(intervalMs: Int, stepMs: Int = 20, round: @escaping @Sendable () -> Void,
                      closing: @escaping @Sendable () -> Void = {}) {
        precondition(!started.exchange(true, ordering: .relaxed), "a ServiceLoop starts once")
        BackgroundThread.start { [self] in
            while !isStopping {
                round()
                var slept = 0
                while slept < intervalMs && !isStopping {
                    let step = min(stepMs, intervalMs - slept)
                    Self.sleepMs(step)
                    slept += step
                }
            }
            closing()
            done.store(true, ordering: .releasing)
        }
    }

    /// Asks the loop to stop and waits for its closing step (no-op if never started).
    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
        guard started.load(ordering: .relaxed) else { return }
        while !done.load(ordering: .acquiring) { Self.sleepMs(5) }
    }

    static func sleepMs(_ ms: Int) { usleep(useconds_t(max(ms, 0) * 1_000)) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
