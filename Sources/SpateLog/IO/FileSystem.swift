// Directory-level operations of the log: listing, creating, removing, renaming,
// and the directory fsync that makes a file's creation, rename or deletion
// durable (without it a crash can forget a new segment although its data was
// synced). Also the atomic replacement of small files (manifests, indexes):
// write a temporary, fsync it, rename over the target, fsync the directory.
// And the durable copy that moves a sealed segment to an archive on another
// file system, where rename(2) cannot go (EXDEV).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum FileSystem {
    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func fileSize(_ path: String) -> Int? {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : nil
    }

    /// Names in `path` (no "." or ".."), unsorted.
    static func list(_ path: String) throws(LogError) -> [String] {
        guard let dir = opendir(path) else { throw LogError.io("list", path, errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Creates directory `path` owner-only (0700 whatever the umask); an existing one is left as it is.
    static func makeDirectory(_ path: String) throws(LogError) {
        if mkdir(path, ownerOnlyDirectoryMode) != 0 {
            if errno == EEXIST { return }
            throw LogError.io("mkdir", path, errno)
        }
        if chmod(path, ownerOnlyDirectoryMode) != 0 { throw LogError.io("chmod", path, errno) }
    }

    /// Makes directory `path` 0700, whether it exists already or not (a data
    /// directory an older version, or a user's mkdir, left 0755). Tightening
    /// one another user owns fails and is left to that user: best effort.
    static func tightenDirectory(_ path: String) {
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR, st.st_mode & 0o777 != ownerOnlyDirectoryMode else { return }
        _ = chmod(path, ownerOnlyDirectoryMode)
    }

    /// Creates `path` and any missing parents.
    static func makeDirectories(_ path: String) throws(LogError) {
        if isDirectory(path) { return }
        let parent = parentOf(path)
        if !parent.isEmpty && parent != path { try makeDirectories(parent) }
        try makeDirectory(path)
    }

    /// Creates `path` and any missing parents, each made durable in its parent
    /// (a directory fsync per level created).
    static func makeDirectoriesDurably(_ path: String) throws(LogError) {
        if isDirectory(path) { return }
        let parent = parentOf(path)
        if !parent.isEmpty && parent != path { try makeDirectoriesDurably(parent) }
        try makeDirectory(path)
        try syncDirectory(parent)
    }

    /// Whether `path` is a directory this process may create files in.
    static func isWritableDirectory(_ path: String) -> Bool {
        isDirectory(path) && access(path, W_OK | X_OK) == 0
    }

    /// `path` with symbolic links, `.` and `..` resolved (nil when it does not exist).
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The current working directory.
    static func currentDirectory() -> String {
        guard let cwd = getcwd(nil, 0) else { return "." }
        defer { free(cwd) }
        return String(cString: cwd)
    }

    /// `path` made absolute against `base` (itself made absolute against the
    /// current directory), with `.`, `..` and repeated slashes removed
    /// lexically (symbolic links are left as they are).
    static func absolutePath(_ path: String, relativeTo base: String) -> String {
        let joined: String
        if path.hasPrefix("/") {
            joined = path
        } else {
            let absoluteBase = base.hasPrefix("/") ? base : currentDirectory() + "/" + base
            joined = absoluteBase + "/" + path
        }
        var parts: [Substring] = []
        for part in joined.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Copies the first `bytes` of file `from` to a new file `to` (which must
    /// not exist) and fsyncs it; the caller renames it into place. Removes
    /// what it wrote when it fails.
    static func copyDurably(_ from: String, to: String, bytes: Int, buffer: UnsafeMutableRawBufferPointer) throws(LogError) {
        let source = try LogFile.openForReading(from)
        let target = try LogFile.openForWriting(to, create: true, exclusive: true)
        do throws(LogError) {
            var offset = 0
            while offset < bytes {
                let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(buffer.count, bytes - offset)]), at: offset)
                guard n > 0 else { throw LogError.io("read", from, EIO) }  // shorter than it must be
                try target.write(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), at: offset)
                offset += n
            }
            try target.sync()
        } catch {
            try? remove(to)
            throw error
        }
    }

    /// fsync of a directory: makes the names in it durable.
    static func syncDirectory(_ path: String) throws(LogError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw LogError.io("open directory", path, errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw LogError.io("fsync directory", path, errno) }
    }

    static func remove(_ path: String) throws(LogError) {
        if unlink(path) != 0 && errno != ENOENT { throw LogError.io("remove", path, errno) }
    }

    /// Removes a directory tree (files and subdirectories).
    static func removeTree(_ path: String) throws(LogError) {
        guard isDirectory(path) else { try remove(path); return }
        for name in try list(path) { try removeTree(path + "/" + name) }
        if rmdir(path) != 0 && errno != ENOENT { throw LogError.io("remove directory", path, errno) }
    }

    /// rename(2); returns false when `to` exists as a non-empty directory.
    static func rename(_ from: String, _ to: String) throws(LogError) -> Bool {
        if Glibc.rename(from, to) == 0 { return true }
        if errno == ENOTEMPTY || errno == EEXIST { return false }
        throw LogError.io("rename", from, errno)
    }

    /// Replaces `path` with `bytes` atomically and durably.
    static func replaceAtomically(_ path: String, with bytes: [UInt8]) throws(LogError) {
        let temporary = path + ".tmp-\(getpid())"
        let file = try LogFile.openForWriting(temporary, create: true)
        try file.truncate(to: 0)
        try withBytes(bytes) { (raw) throws(LogError) in try file.write(raw, at: 0) }
        try file.sync()
        guard try rename(temporary, path) else { throw LogError.io("rename", temporary, EEXIST) }
        try syncDirectory(parentOf(path))
    }

    static func readAll(_ path: String) throws(LogError) -> [UInt8] {
        let file = try LogFile.openForReading(path)
        let size = try file.size()
        var bytes = [UInt8](repeating: 0, count: size)
        let n = try withMutableBytes(&bytes) { (raw) throws(LogError) in try file.read(into: raw, at: 0) }
        return Array(bytes.prefix(n))
    }

    static func parentOf(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
