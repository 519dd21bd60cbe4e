// The catalog's files are owner-only, whatever the umask: the data directory
// 0700, and catalog.sqlite, its -wal and -shm, and catalog.lock 0600. The
// catalog holds channel settings such as webhook headers (`Authorization:
// Bearer …`); nobody else on the machine may read them.
//
// SQLite creates the database file with 0644 less the umask, and gives the
// -wal and -shm files the database file's mode. So the database file is
// created (or tightened) here before SQLite opens it, and the -wal/-shm an
// older version left are tightened after; new ones inherit 0600.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum OwnerOnlyFiles {
    static let fileMode: mode_t = 0o600
    static let directoryMode: mode_t = 0o700

    /// Makes the data directory `path` 0700, creating it if needed. An existing
    /// one is tightened too: it is Spate's (catalog, streams), and one an older
    /// version made 0755 may still hold sealed segments that are 0644.
    /// (Best effort for an existing directory another user owns: chmod fails, the open goes on.)
    static func makeDirectory(_ path: String) throws(CatalogError) {
        let created = mkdir(path, directoryMode) == 0
        if !created && errno != EEXIST { throw .cannotOpen(path: path, message: String(cString: strerror(errno))) }
        if chmod(path, directoryMode) != 0 && created { throw .cannotOpen(path: path, message: String(cString: strerror(errno))) }
    }

    /// Sets file `path` to 0600, creating it empty when `creating` (absent and not creating: nothing to do).
    /// An existing file is changed by path, never opened: closing a descriptor
    /// of a file drops every POSIX lock this process holds on it, and SQLite's
    /// connections hold such locks on the database and its -shm (another process
    /// then thinks it is alone and reinitializes the -shm under our mmap: SIGBUS).
    static func restrict(_ path: String, creating: Bool) throws(CatalogError) {
        if chmod(path, fileMode) == 0 { return }
        guard errno == ENOENT else { throw .cannotOpen(path: path, message: "cannot make it owner-only: " + String(cString: strerror(errno))) }
        guard creating else { return }
        let fd = open(path, O_RDWR | O_CLOEXEC | O_CREAT | O_EXCL, fileMode)
        if fd < 0 {
            if errno == EEXIST { return try restrict(path, creating: false) }
            throw .cannotOpen(path: path, message: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        try restrict(fd: fd, path: path)
    }

    /// Sets the open file `fd` to 0600.
    static func restrict(fd: Int32, path: String) throws(CatalogError) {
        if fchmod(fd, fileMode) != 0 { throw .cannotOpen(path: path, message: "cannot make it owner-only: " + String(cString: strerror(errno))) }
    }
}
