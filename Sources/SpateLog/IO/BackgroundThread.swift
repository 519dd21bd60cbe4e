// A detached POSIX thread running a closure: job workers, the runner's
// supervisor and the alerting services. (These layers do not import Foundation.)

#if canImport(Glibc)
import Glibc
#endif

public enum BackgroundThread {
    /// Online processors (sysconf), at least 1: how many threads can run at once.
    public static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Starts `body` on a new detached thread.
    public static func start(_ body: @escaping () -> Void) {
        pthread_detach(spawn(body))
    }

    /// Starts `body` on a new thread and returns it (to detach or to join).
    static func spawn(_ body: @escaping () -> Void) -> pthread_t {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { argument in
            let box = Unmanaged<Box>.fromOpaque(argument!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        precondition(result == 0, "pthread_create failed: \(result)")
        return thread
    }
}
