// Moving a shard's sealed segments to its archive directory: what retention
// does instead of deleting when the stream has an archive. Runs only under the
// shard's append lock (`Shard.retireExpiredSegments`), so one process at a time
// moves a shard's segments.
//
// A move, oldest segment first, one segment at a time:
// - same file system: rename the index, then the log, into the archive; fsync
//   the archive directory (the caller fsyncs the hot one).
// - another file system (rename fails with EXDEV; tests force it with
//   `copyOnly`): copy the index, then the log, each to a temporary name
//   (`<name>.tmp-<pid>`, which no listing takes for a segment), fsync it,
//   rename it into place, fsync the archive directory; only then unlink the hot
//   log and its index.
// So at every instant the segment is whole in at least one tier, and a log in
// the archive has its index beside it (or, after a crash between the two
// renames, an index rebuilt from it on read). A crash between the copy and the
// unlink leaves the segment in both tiers: readers take it once (see
// `SegmentTiers`), and the next retention pass finishes the move — it keeps the
// archive copy when it is whole (the size the hot index records) and deletes
// the hot one; a copy of another size is replaced by a fresh one. Temporaries a
// crash left are removed on the first pass of a process.
//
// Spate never deletes an archived segment: retention limits apply to the hot
// tier only, and DROP STREAM leaves the archive as it is. So that the archive
// of a dropped stream is never read as the history of a new stream of the same
// name, `<archive>/<stream>/stream.created_ms` names the stream that owns the
// directory, and `ArchiveDirectory.prepare` refuses an archive owned by another.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct SegmentArchiver {
    /// Name of the file, in `<archive>/<stream>/`, that holds the owning stream's creation time.
    static let ownerFileName = "stream.created_ms"
    static let temporaryMarker = ".tmp-"

    let hot: ShardDirectory
    let tiers: SegmentTiers
    let archive: ShardDirectory
    let archiveRoot: String
    let streamCreatedMs: Int64
    /// Never rename: always copy, fsync and unlink (the path a move to another file system takes).
    let copyOnly: Bool

    init?(tiers: SegmentTiers, streamCreatedMs: Int64, copyOnly: Bool) {
        guard let archive = tiers.archive, let root = tiers.archiveRoot else { return nil }
        self.hot = tiers.hot
        self.tiers = tiers
        self.archive = archive
        self.archiveRoot = root
        self.streamCreatedMs = streamCreatedMs
        self.copyOnly = copyOnly
    }

    /// Path of the directory holding every shard of this stream in the archive.
    var streamArchivePath: String { FileSystem.parentOf(archive.path) }

    /// Makes sure the shard's archive directory exists and belongs to this stream.
    func prepareShardDirectory() throws(LogError) {
        guard FileSystem.isDirectory(archiveRoot) else { throw tiers.unavailable(archiveRoot, ENOENT) }
        try Self.claim(streamArchivePath, createdMs: streamCreatedMs)
        try FileSystem.makeDirectoriesDurably(archive.path)
    }

    /// Creates `<archive>/<stream>/` with its owner file, or checks that an
    /// existing one belongs to the stream created at `createdMs`.
    static func claim(_ streamArchivePath: String, createdMs: Int64) throws(LogError) {
        if try checkOwner(streamArchivePath, createdMs: createdMs) { return }
        try FileSystem.makeDirectoriesDurably(streamArchivePath)
        try FileSystem.replaceAtomically(streamArchivePath + "/" + ownerFileName, with: Array("\(createdMs)\n".utf8))
    }

    /// Throws when `<archive>/<stream>/` holds another stream's segments (its
    /// owner file names another creation time, or it has files and no owner
    /// file); returns whether it is this stream's. Writes nothing.
    static func checkOwner(_ streamArchivePath: String, createdMs: Int64) throws(LogError) -> Bool {
        if let bytes = try? FileSystem.readAll(streamArchivePath + "/" + ownerFileName) {
            guard Int64(String(decoding: bytes, as: UTF8.self).trimmingCharacters(inSet: [" ", "\n", "\r", "\t"])) == createdMs else {
                throw .invalidSettings("the archive \(streamArchivePath) holds segments of another stream of that name (a dropped one?); "
                    + "move that directory aside or give another archive")
            }
            return true
        }
        if FileSystem.isDirectory(streamArchivePath), !(try FileSystem.list(streamArchivePath)).isEmpty {
            throw .invalidSettings("the archive \(streamArchivePath) holds files Spate did not put there; move it aside or give another archive")
        }
        return false
    }

    /// Moves sealed segment `index` (its log and index file) to the archive.
    func move(_ index: SegmentIndex, buffer: UnsafeMutableRawBufferPointer) throws(LogError) {
        let first = index.firstSequence
        if tiers.archiveHas(first) {
            try finishInterruptedMove(first, hotBytes: index.segmentBytes, buffer: buffer)
            return
        }
        if !copyOnly, try moveByRename(first) { return }
        try moveByCopy(first, bytes: index.segmentBytes, buffer: buffer)
    }

    /// rename(2) into the archive; false when the archive is on another file
    /// system (nothing moved then).
    private func moveByRename(_ first: UInt64) throws(LogError) -> Bool {
        do throws(LogError) {
            if FileSystem.exists(hot.indexPath(first)) { _ = try FileSystem.rename(hot.indexPath(first), archive.indexPath(first)) }
            _ = try FileSystem.rename(hot.logPath(first), archive.logPath(first))
        } catch {
            if case .io(_, _, EXDEV) = error { return false }
            throw error
        }
        try FileSystem.syncDirectory(archive.path)
        return true
    }

    /// Copy, fsync, rename into the archive, fsync it; then unlink the hot files.
    private func moveByCopy(_ first: UInt64, bytes: Int, buffer: UnsafeMutableRawBufferPointer) throws(LogError) {
        if let indexBytes = FileSystem.fileSize(hot.indexPath(first)) {
            try copyIntoArchive(hot.indexPath(first), archive.indexPath(first), bytes: indexBytes, buffer: buffer)
        }
        try copyIntoArchive(hot.logPath(first), archive.logPath(first), bytes: bytes, buffer: buffer)
        try FileSystem.syncDirectory(archive.path)
        try removeHotCopy(first)
    }

    private func copyIntoArchive(_ from: String, _ to: String, bytes: Int, buffer: UnsafeMutableRawBufferPointer) throws(LogError) {
        let temporary = to + Self.temporaryMarker + "\(getpid())"
        try FileSystem.remove(temporary)
        try FileSystem.copyDurably(from, to: temporary, bytes: bytes, buffer: buffer)
        guard try FileSystem.rename(temporary, to) else { throw LogError.io("rename", temporary, EEXIST) }
    }

    /// The segment is in both tiers (a crash between copy and unlink): keep
    /// the archive copy when it is whole, else replace it; then unlink the hot one.
    private func finishInterruptedMove(_ first: UInt64, hotBytes: Int, buffer: UnsafeMutableRawBufferPointer) throws(LogError) {
        if FileSystem.fileSize(archive.logPath(first)) != hotBytes {
            try copyIntoArchive(hot.logPath(first), archive.logPath(first), bytes: hotBytes, buffer: buffer)
        }
        if !FileSystem.exists(archive.indexPath(first)), let indexBytes = FileSystem.fileSize(hot.indexPath(first)) {
            try copyIntoArchive(hot.indexPath(first), archive.indexPath(first), bytes: indexBytes, buffer: buffer)
        }
        try FileSystem.syncDirectory(archive.path)
        try removeHotCopy(first)
    }

    /// The log first: a crash in between leaves an orphan index, never a log without one.
    private func removeHotCopy(_ first: UInt64) throws(LogError) {
        try FileSystem.remove(hot.logPath(first))
        try FileSystem.remove(hot.indexPath(first))
    }

    /// Removes the temporaries an interrupted copy left in the shard's archive
    /// directory (only under the append lock, so no copy is in progress).
    func removeTemporaries() {
        guard let names = try? FileSystem.list(archive.path) else { return }
        for name in names where name.contains(Self.temporaryMarker) { try? FileSystem.remove(archive.path + "/" + name) }
    }
}

extension String {
    fileprivate func trimmingCharacters(inSet set: Set<Character>) -> String {
        String(drop(while: { set.contains($0) }).reversed().drop(while: { set.contains($0) }).reversed())
    }
}
