// Plain POSIX threads for the concurrent writers. SpateLog's appends block in
// fsync and on mutexes, so each writer gets a real thread of its own (not a task
// on a shared pool, where blocking writers would starve each other).

#if canImport(Glibc)
import Glibc
#endif

private final class ThreadBody {
    let run: () -> Void
    init(_ run: @escaping () -> Void) { self.run = run }
}

/// Runs `body(0)`, ..., `body(count - 1)` on `count` threads and returns when all end.
func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    precondition(count >= 1)
    var threads: [pthread_t] = []
    for index in 0..<count {
        let context = Unmanaged.passRetained(ThreadBody { body(index) }).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
        }, context)
        precondition(result == 0, "pthread_create failed: \(result)")
        threads.append(thread)
    }
    for thread in threads { pthread_join(thread, nil) }
}

/// One result slot per thread, written by that thread only and read after the join.
final class PerThread<Value>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Value>

    init(count: Int, initial: Value) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: initial)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    subscript(index: Int) -> Value {
        get { slots[index] }
        set { slots[index] = newValue }
    }

    var all: [Value] { Array(slots) }
}
