// Fault injection for the tests of a failing disk: with
// SPATE_FAULT_FSYNC_FAIL_AFTER=N in its environment, every fdatasync of a log
// file after this process's first N fails with EIO, as a failing disk's does
// (what it was to make durable is not). Unset (always, outside tests), it
// costs one load of a constant. The put's test of it: PutPartialFailureTests.

import Synchronization

#if canImport(Glibc)
import Glibc
#endif

enum SyncFaultInjection {
    /// Syncs that succeed before every later one fails (nil: none fails).
    static let failAfter: Int? = getenv("SPATE_FAULT_FSYNC_FAIL_AFTER").flatMap { Int(String(cString: $0)) }
    private static let syncs = Atomic<Int>(0)

    /// Whether this sync is to fail.
    @inline(__always)
    static func fails() -> Bool {
        guard let failAfter else { return false }
        return syncs.add(1, ordering: .relaxed).newValue > failAfter
    }
}
