// Sleeps that grow exponentially, with jitter, for waits on a lock another
// process holds: 1 ms, 2 ms, 4 ms … up to `stepMaxMs`, each scaled by a random
// factor in [0.5, 1.5) so that many waiters do not wake in lockstep and
// collide again (the "full jitter" family of backoffs). The caller bounds the
// total wait; this type only paces it.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct JitteredBackoff {
    /// The longest single sleep.
    var stepMaxMs: Double = 50
    private var nextStepMs: Double = 1

    /// Sleeps for the next step and doubles it (up to `stepMaxMs`).
    mutating func sleep() {
        let sleepMs = nextStepMs * Double.random(in: 0.5..<1.5)
        nextStepMs = min(nextStepMs * 2, stepMaxMs)
        usleep(useconds_t(sleepMs * 1_000))
    }

    /// Starts over at the first, shortest step.
    mutating func reset() { nextStepMs = 1 }

    /// Milliseconds on a clock that never goes back (for measuring waits).
    static func monotonicMs() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000 + Int64(now.tv_nsec) / 1_000_000
    }
}
