// How a catalog connection waits when another process holds a lock it needs
// (a checkpoint commit, a delivery update, a metrics flush in another process).
//
// SQLite calls the busy handler each time a lock is refused, with the number of
// earlier calls for the same wait; returning non-zero retries, zero gives up
// with SQLITE_BUSY. This handler sleeps with jittered exponential backoff
// (`JitteredBackoff`) and gives up once the wait has lasted `waitLimitMs`
// (CatalogOptions.busyTimeoutMs, 10 s by default). SQLite's own busy_timeout
// sleeps on a fixed schedule, so waiters that collided once collide again.
//
// On giving up, `lockHolderProcessID` names the process holding the lock when
// the operating system can tell: SQLite's unix VFS takes POSIX record locks on
// fixed bytes (WAL mode: the -shm file's write lock at byte 120; rollback mode:
// the database file's PENDING/RESERVED/SHARED bytes from 0x40000000), and Linux
// lists every such lock with its owner's pid in /proc/locks. The files are only
// stat'ed, never opened: closing any descriptor of a file drops all of this
// process's POSIX locks on it, which would break SQLite's. A lock held by this
// same process is not reported.

import CSQLite

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

final class SQLiteBusyWait {
    let waitLimitMs: Int64
    private var startMs: Int64 = 0
    private var backoff = JitteredBackoff()

    init(waitLimitMs: Int64) {
        self.waitLimitMs = waitLimitMs
    }

    /// Installs the handler on `handle`; `self` must outlive the connection.
    func install(on handle: OpaquePointer) {
        sqlite3_busy_handler(handle, { context, count in
            guard let context else { return 0 }
            let wait = Unmanaged<SQLiteBusyWait>.fromOpaque(context).takeUnretainedValue()
            return wait.shouldRetry(attempt: count) ? 1 : 0
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Sleeps and says to retry, or says to give up after `waitLimitMs`.
    func shouldRetry(attempt: Int32) -> Bool {
        let nowMs = JitteredBackoff.monotonicMs()
        if attempt == 0 {
            startMs = nowMs
            backoff.reset()
        }
        guard nowMs - startMs < waitLimitMs else { return false }
        backoff.sleep()
        return true
    }

    /// The id of another process holding a lock of the database at `path`, if known.
    static func lockHolderProcessID(databasePath path: String) -> Int32? {
        // WAL mode: the write lock in the shared-memory index; then the database
        // file's lock bytes (rollback journal mode, and a journal-mode change).
        lockOwner(path: path + "-shm", first: 120, last: 120)
            ?? lockOwner(path: path, first: 0x4000_0000, last: 0x4000_0000 + 511)
    }

    /// The pid of another process with a POSIX lock on bytes first...last of `path`.
    private static func lockOwner(path: String, first: Int, last: Int) -> Int32? {
        var status = stat()
        guard stat(path, &status) == 0, let table = readProcLocks() else { return nil }
        let me = getpid()
        // "1: POSIX  ADVISORY  WRITE 4242 08:01:1311 120 120" (start, end; end may be EOF).
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 8, fields[1] == "POSIX",
                  let pid = Int32(fields[4]), pid != me,
                  let inode = fields[5].split(separator: ":").last.flatMap({ UInt64($0) }), inode == UInt64(status.st_ino),
                  let start = Int(fields[6]) else { continue }
            let end = Int(fields[7]) ?? Int.max
            if start <= last && first <= end { return pid }
        }
        return nil
    }

    private static func readProcLocks() -> String? {
        let fd = open("/proc/locks", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while bytes.count < 16 << 20 {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
