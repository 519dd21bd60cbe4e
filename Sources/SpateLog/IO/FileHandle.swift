// A thin owner of one POSIX file descriptor: the only place in SpateLog that
// calls read/write/fsync on files. Errors carry the path and errno text so that a
// user sees "write …/00000000000000000000.log: No space left on device", not a
// bare code. The descriptor closes when the last reference goes away, so a
// group-commit fsync that still holds a segment keeps it open across a roll.
//
// Every file the log writes (segments, indexes, manifests, append locks) is
// owner-only, 0600, whatever the umask: created with that mode and fchmod'ed
// on open for writing (which also tightens a file an older version made 0644).
// Records may hold anything a user put; nobody else on the machine reads them.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// rw for the owner only: the mode of every file in a data directory.
let ownerOnlyFileMode: mode_t = 0o600
/// rwx for the owner only: the mode of every directory Spate creates.
let ownerOnlyDirectoryMode: mode_t = 0o700

/// An open file, closed on deinit.
public final class LogFile: @unchecked Sendable {
    public let path: String
    let fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// Opens an existing file for reading.
    static func openForReading(_ path: String) throws(LogError) -> LogFile {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LogError.io("open", path, errno) }
        return LogFile(path: path, fd: fd)
    }

    /// Opens a file for appending writes (created when `create` and absent).
    static func openForWriting(_ path: String, create: Bool, exclusive: Bool = false) throws(LogError) -> LogFile {
        var flags = O_RDWR | O_CLOEXEC
        if create { flags |= O_CREAT }
        if exclusive { flags |= O_EXCL }
        let fd = open(path, flags, ownerOnlyFileMode)
        guard fd >= 0 else { throw LogError.io("open", path, errno) }
        // The umask may have cleared bits of the mode; set exactly 0600.
        guard fchmod(fd, ownerOnlyFileMode) == 0 else {
            let code = errno
            close(fd)
            throw LogError.io("chmod", path, code)
        }
        return LogFile(path: path, fd: fd)
    }

    /// The current size in bytes.
    func size() throws(LogError) -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw LogError.io("stat", path, errno) }
        return Int(st.st_size)
    }

    /// Whether the file has been deleted (it stays readable while open).
    func isUnlinked() throws(LogError) -> Bool {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw LogError.io("stat", path, errno) }
        return st.st_nlink == 0
    }

    /// Reads up to `buffer.count` bytes at `offset`; returns how many were read
    /// (fewer only at end of file).
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(LogError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw LogError.io("read", path, errno)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(LogError) {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw LogError.io("write", path, errno)
            }
            done += n
        }
    }

    /// Asks the kernel to start writing `count` bytes at `offset` to the disk
    /// now, without waiting (Linux `sync_file_range(SYNC_FILE_RANGE_WRITE)`,
    /// as RocksDB's bytes_per_sync), so that the disk works while the writer
    /// goes on and the fsync that follows finds little left to do. Advice
    /// only: durability still comes from `sync`; elsewhere it does nothing.
    /// Returns whether the kernel took the advice (false where there is no sync_file_range).
    @discardableResult
    func startWriteback(at offset: Int, count: Int) -> Bool {
        Self.syncFileRange?(fd, Int64(offset), Int64(count), Self.syncFileRangeWrite) == 0
    }

    /// glibc's sync_file_range, looked up once (Swift's Glibc module does not
    /// export it: it is a GNU extension); nil where there is none.
    private static let syncFileRange: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32)? = {
        #if os(Linux)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sync_file_range") else { return nil }  // RTLD_DEFAULT
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)
        #else
        return nil
        #endif
    }()
    /// SYNC_FILE_RANGE_WRITE (linux/fs.h): start writeback of dirty pages in the range, do not wait.
    private static let syncFileRangeWrite: UInt32 = 2

    /// Makes written data durable (fdatasync: data and the size, not atime).
    func sync() throws(LogError) {
        if SyncFaultInjection.fails() { throw LogError.io("fsync", path, EIO) }
        while fdatasync(fd) != 0 {
            if errno == EINTR { continue }
            throw LogError.io("fsync", path, errno)
        }
    }

    /// Cuts the file to `length` bytes.
    func truncate(to length: Int) throws(LogError) {
        guard ftruncate(fd, off_t(length)) == 0 else { throw LogError.io("truncate", path, errno) }
    }
}
