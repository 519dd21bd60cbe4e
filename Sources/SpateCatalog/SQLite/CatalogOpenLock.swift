// The lock that serializes opening a catalog across processes and threads.
//
// Why it exists: opening a catalog switches the file to WAL and may migrate it.
// SQLite does not always hand SQLITE_BUSY to the busy handler while a
// journal-mode change waits for its exclusive lock, so two openers of a fresh
// data directory could fail with "database is locked" however long the busy
// timeout — which a loaded machine made happen (issue 21). Every opener
// therefore takes this lock first and holds it across open → journal mode →
// migrate → the second connection; an opener that finds it taken waits.
//
// Format: `<data>/catalog.lock`, owner-only, holding the holder's process id as
// decimal text (written after the lock is taken; informational, for the
// message when a wait gives up). The lock is flock(2) on the open file: the
// kernel releases it when the holder dies, and two open() calls conflict even
// within one process, so threads that each open a catalog serialize too.
// Invariants: held only during Catalog.open, never across user work; the wait
// is bounded (`waitLimitMs`), with jittered sleeps so many openers do not retry
// in lockstep.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum CatalogOpenLock {
    /// The file name of the lock inside a data directory.
    static let fileName = "catalog.lock"

    /// Runs `body` holding the lock of `dataDirectory`, after waiting up to
    /// `waitLimitMs` for it.
    static func holding<R>(dataDirectory: String, waitLimitMs: Int64,
                           _ body: () throws(CatalogError) -> R) throws(CatalogError) -> R {
        let fd = try lock(dataDirectory: dataDirectory, waitLimitMs: waitLimitMs)
        defer {
            _ = flock(fd, LOCK_UN)
            close(fd)
        }
        return try body()
    }

    private static func lock(dataDirectory: String, waitLimitMs: Int64) throws(CatalogError) -> Int32 {
        let path = dataDirectory.hasSuffix("/") ? dataDirectory + Self.fileName : dataDirectory + "/" + Self.fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotOpen(path: path, message: String(cString: strerror(errno))) }
        do throws(CatalogError) { try OwnerOnlyFiles.restrict(fd: fd, path: path) } catch { close(fd); throw error }
        var backoff = JitteredBackoff()
        let startMs = JitteredBackoff.monotonicMs()
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else {
                close(fd)
                throw .cannotOpen(path: path, message: String(cString: strerror(code)))
            }
            if JitteredBackoff.monotonicMs() - startMs >= waitLimitMs {
                let holder = recordedHolder(fd: fd).map { " by process \($0)" } ?? ""
                close(fd)
                throw .cannotOpen(path: path, message: "the catalog has been held open\(holder) for more than \(waitLimitMs / 1_000) s while it was set up; if that process hangs, stop it and retry")
            }
            backoff.sleep()
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return fd
    }

    /// The process id the current holder wrote, if it wrote one.
    private static func recordedHolder(fd: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 16)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: bytes[..<count], as: UTF8.self).trimmingNewline)
    }
}

private extension String {
    var trimmingNewline: Substring {
        var text = Substring(self)
        while text.last == "\n" || text.last == "\0" { text.removeLast() }
        return text
    }
}
