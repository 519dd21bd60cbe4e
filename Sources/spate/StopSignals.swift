// Ctrl-C and SIGTERM for the long-running commands (run, serve, dashboard,
// demo): blocked in every thread before any is started (threads inherit the
// mask) and taken synchronously on the main thread — no signal handler runs,
// so stopping is ordinary code: final checkpoints, closing the server.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum StopSignals {
    /// Blocks SIGINT and SIGTERM in this thread (and the threads it starts); returns the set to wait on.
    static func block() -> sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        return signals
    }

    /// Waits for one of `signals`; returns its name ("SIGINT" or "SIGTERM").
    static func wait(_ signals: inout sigset_t) -> String {
        waitForNumber(&signals) == SIGTERM ? "SIGTERM" : "SIGINT"
    }

    /// Waits for one of `signals`; returns its number.
    static func waitForNumber(_ signals: inout sigset_t) -> Int32 {
        var received: Int32 = 0
        sigwait(&signals, &received)
        return received
    }

    /// Waits up to `ms`; true when Ctrl-C or SIGTERM came.
    static func wait(_ signals: inout sigset_t, ms: Int) -> Bool {
        var timeout = timespec(tv_sec: ms / 1000, tv_nsec: (ms % 1000) * 1_000_000)
        let signal = sigtimedwait(&signals, nil, &timeout)
        return signal == SIGINT || signal == SIGTERM
    }
}
