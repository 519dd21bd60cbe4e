// The scratch directory a run writes into: a fresh `run-<pid>-<ns>` under the
// parent the user chose, removed at the end (the parent too, when this run made
// it and it is empty). The figures are about a disk, so a parent on tmpfs or
// ramfs is refused rather than silently measuring memory. The filesystem comes
// from /proc/self/mounts (the mount holding the directory): Swift's Glibc module
// does not export statfs(2).

import SpateLog

#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory for one run, on a disk.
struct BenchDirectory {
    let path: String
    /// Filesystem type and mount, e.g. "ext4 (/dev/vda on /)".
    let filesystem: String
    private let parent: String
    private let createdParent: Bool

    /// Creates `<parent>/run-<pid>-<ns>`, creating `parent` when absent.
    static func create(under parent: String) throws(BenchError) -> BenchDirectory {
        var createdParent = false
        if mkdir(parent, 0o755) == 0 {
            createdParent = true
        } else if errno != EEXIST {
            throw BenchError("cannot create \(parent): \(errorText(errno))")
        }
        let mount = mountHolding(parent)
        if let mount, ["tmpfs", "ramfs"].contains(mount.type) {
            if createdParent { rmdir(parent) }
            throw BenchError("\(parent) is on \(mount.type), which is memory, not a disk; pass --dir on a disk (e.g. next to the project)")
        }
        let path = parent + "/run-\(getpid())-\(monotonicNs())"
        guard mkdir(path, 0o755) == 0 else { throw BenchError("cannot create \(path): \(errorText(errno))") }
        let filesystem = mount.map { "\($0.type) (\($0.device) on \($0.mountPoint))" } ?? "unknown (not in /proc/self/mounts)"
        return BenchDirectory(path: path, filesystem: filesystem, parent: parent, createdParent: createdParent)
    }

    /// Removes the run directory, and the parent when this run created it and it is empty.
    func remove() {
        removeTree(path)
        if createdParent { rmdir(parent) }
    }
}

/// The mount that holds `path`: the longest mount point in /proc/self/mounts that contains it.
private func mountHolding(_ path: String) -> (device: String, mountPoint: String, type: String)? {
    guard let resolved = realpath(path, nil) else { return nil }
    let absolute = String(cString: resolved)
    free(resolved)
    var best: (device: String, mountPoint: String, type: String)?
    for line in (readTextFile("/proc/self/mounts") ?? "").split(separator: "\n") {
        let fields = line.split(separator: " ")
        guard fields.count >= 3 else { continue }
        let mountPoint = String(fields[1])
        let inside = mountPoint == "/" || absolute == mountPoint || absolute.hasPrefix(mountPoint + "/")
        if inside && mountPoint.count >= (best?.mountPoint.count ?? -1) {
            best = (String(fields[0]), mountPoint, String(fields[2]))
        }
    }
    return best
}

/// Deletes a file or a directory and everything in it; errors are ignored (scratch data).
func removeTree(_ path: String) {
    var st = stat()
    guard lstat(path, &st) == 0 else { return }
    guard (st.st_mode & S_IFMT) == S_IFDIR else {
        unlink(path)
        return
    }
    for name in listDirectory(path) { removeTree(path + "/" + name) }
    rmdir(path)
}

/// Names in a directory, without "." and "..".
func listDirectory(_ path: String) -> [String] {
    guard let handle = opendir(path) else { return [] }
    defer { closedir(handle) }
    var names: [String] = []
    while let entry = readdir(handle) {
        let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
            String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }
