// Time for the alerting services: monotonic milliseconds measure durations and
// deadlines (never the wall clock, which may jump). Both clocks and the thread
// type (BackgroundThread) are SpateLog's system helpers (SpateLog/IO).

import SpateLog

#if canImport(Glibc)
import Glibc
#endif

enum Clock {
    static func monotonicMs() -> Int64 { Int64(monotonicNs() / 1_000_000) }
    static func wallMs() -> Int64 { wallClockMs() }

    static func sleepMs(_ ms: Int) { usleep(useconds_t(max(0, ms)) * 1000) }
}
