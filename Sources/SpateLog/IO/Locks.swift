// A pthread mutex and condition variable. SpateLog holds its shard mutex across
// file I/O and the group commit waits on a condition, which Swift's Mutex does
// not offer; these two classes are the whole of it.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class PosixMutex: @unchecked Sendable {
    fileprivate let pointer: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: pthread_mutex_t())
        pthread_mutex_init(pointer, nil)
    }

    deinit {
        pthread_mutex_destroy(pointer)
        pointer.deallocate()
    }

    func lock() { pthread_mutex_lock(pointer) }
    func unlock() { pthread_mutex_unlock(pointer) }

    func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

final class PosixCondition: @unchecked Sendable {
    private let pointer: UnsafeMutablePointer<pthread_cond_t>

    init() {
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: pthread_cond_t())
        pthread_cond_init(pointer, nil)
    }

    deinit {
        pthread_cond_destroy(pointer)
        pointer.deallocate()
    }

    /// Waits; `mutex` must be held and is held again on return.
    func wait(_ mutex: PosixMutex) { pthread_cond_wait(pointer, mutex.pointer) }
    func broadcast() { pthread_cond_broadcast(pointer) }
}
