// The advisory lock that serializes appends to one shard across processes.
// flock(2) on `<shard>/append.lock`: released by the kernel when the holder dies,
// so a writer killed mid-append never leaves the shard locked. Readers never
// take it. Threads of one process serialize on the shard's mutex first, because
// an flock belongs to the open file, which all threads share.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class ShardLock: @unchecked Sendable {
    private let file: LogFile

    init(path: String) throws(LogError) {
        file = try LogFile.openForWriting(path, create: true)
    }

    func lock() throws(LogError) {
        while flock(file.fd, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            throw LogError.io("lock", file.path, errno)
        }
    }

    func unlock() {
        _ = flock(file.fd, LOCK_UN)
    }
}
