// A POSIX thread that its starter waits for (`join`): the stages of a bounded
// pipeline, which must all have stopped before the pipeline's result is read.
// (`BackgroundThread` is for services that run detached until the process ends.)

#if canImport(Glibc)
import Glibc
#endif

/// A thread running a closure once; `join` waits for it to return.
public final class JoinableThread {
    private let thread: pthread_t
    private var joined = false

    /// Starts `body` on a new thread.
    public init(_ body: @escaping () -> Void) {
        thread = BackgroundThread.spawn(body)
    }

    /// Waits for the thread's closure to return (once; later calls return at once).
    public func join() {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }

    deinit { precondition(joined, "a JoinableThread must be joined before it is released") }
}
