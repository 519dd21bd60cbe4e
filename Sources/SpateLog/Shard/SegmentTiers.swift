// The segments of one shard across its two tiers, as a reader sees them: the
// hot directory `<data>/streams/<stream>/shardId-<n>/` and, when the stream has
// an archive, `<archive>/<stream>/shardId-<n>/` (see `ArchiveDirectory`).
//
// Invariants the writer keeps (`SegmentArchiver`) and this view relies on:
// - A segment only ever moves from hot to archive, and is whole in at least one
//   tier at every instant. So looking in the hot tier first and then in the
//   archive never misses a segment that is moving; listing the hot tier before
//   the archive never misses one either (it may see it twice).
// - A segment present in both tiers (a move interrupted between copy and
//   unlink) is one segment: the listing is a set of first sequences, and a
//   segment is read from the hot copy when it is there, else from the archive.
//   The copies are byte-identical, so a reader that switches copies mid-segment
//   (the hot one was unlinked under it) goes on at the same byte.
// - The active segment is always hot, and always the newest: every archived
//   segment is older than it.
//
// An archive that is configured but missing or unreadable (an unmounted disk)
// is an error when a read needs it — never a silent gap. The error says what to
// do. A shard's own archive directory not existing yet only means that nothing
// has been archived from it.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct SegmentTiers: Sendable {
    let hot: ShardDirectory
    /// The shard's archive directory (nil: the stream has no archive).
    let archive: ShardDirectory?
    /// The stream's archive setting, the directory that must exist.
    let archiveRoot: String?

    init(hotPath: String, archiveRoot: String?, stream: String, shard: Int) {
        hot = ShardDirectory(path: hotPath)
        self.archiveRoot = archiveRoot
        archive = archiveRoot.map { ShardDirectory(path: ArchiveDirectory.shardPath(root: $0, stream: stream, shard: shard)) }
    }

    var hasArchive: Bool { archive != nil }

    /// First sequences of the hot segments, ascending; the last is the active one.
    func hotFirstSequences() throws(LogError) -> [UInt64] { try hot.segmentFirstSequences() }

    /// First sequences of the archived segments, ascending (empty without an
    /// archive, or when nothing of this shard was archived yet). Throws when the
    /// archive directory itself is missing or unreadable.
    func archivedFirstSequences() throws(LogError) -> [UInt64] {
        guard let archive, let archiveRoot else { return [] }
        guard FileSystem.isDirectory(archiveRoot) else { throw unavailable(archiveRoot, ENOENT) }
        if !FileSystem.exists(archive.path) { return [] }
        do throws(LogError) {
            return try FileSystem.list(archive.path).compactMap(SegmentName.parseLog).sorted()
        } catch {
            if case let .io(_, _, code) = error { throw unavailable(archive.path, code) }
            throw error
        }
    }

    /// First sequences of every segment in either tier, ascending, each once.
    func allFirstSequences() throws(LogError) -> [UInt64] {
        let hotFirsts = try hotFirstSequences()  // first: a segment moving meanwhile is then seen at least once
        guard hasArchive else { return hotFirsts }
        let archived = try archivedFirstSequences()
        guard !archived.isEmpty else { return hotFirsts }
        return Array(Set(hotFirsts).union(archived)).sorted()
    }

    /// Whether the archive holds segment `first` (false without an archive).
    func archiveHas(_ first: UInt64) -> Bool {
        archive.map { FileSystem.exists($0.logPath(first)) } ?? false
    }

    /// Whether segment `first` exists in the hot tier, or, with `archiveToo`, in either.
    func exists(_ first: UInt64, archiveToo: Bool) -> Bool {
        FileSystem.exists(hot.logPath(first)) || (archiveToo && archiveHas(first))
    }

    /// Opens segment `first` where it is, hot first; `archived` says which.
    func openLog(_ first: UInt64) throws(LogError) -> (file: LogFile, archived: Bool) {
        do throws(LogError) {
            return (try LogFile.openForReading(hot.logPath(first)), false)
        } catch {
            guard let archive, case .io(_, _, ENOENT) = error else { throw error }
            return (try LogFile.openForReading(archive.logPath(first)), true)
        }
    }

    /// The index of sealed segment `first`, from the tier it is in (hot first).
    func sealedIndex(_ first: UInt64, buffer: UnsafeMutableRawBufferPointer) throws(LogError) -> SegmentIndex {
        do throws(LogError) {
            return try hot.sealedIndex(first, buffer: buffer)
        } catch {
            // Moved to the archive since it was listed (or while it was read).
            guard let archive, archiveHas(first) else { throw error }
            return try archive.sealedIndex(first, buffer: buffer)
        }
    }

    /// The newest arrival time of sealed segment `first` from its index header
    /// (a bisection hint; nil when no index says).
    func sealedArrivalMsMax(_ first: UInt64) -> Int64? {
        hot.sealedArrivalMsMax(first) ?? archive?.sealedArrivalMsMax(first)
    }

    /// The index path of segment `first` in the tier that holds its log.
    func indexPath(_ first: UInt64) -> String {
        if let archive, !FileSystem.exists(hot.logPath(first)), archiveHas(first) { return archive.indexPath(first) }
        return hot.indexPath(first)
    }

    /// The one-line error for an archive the log cannot read.
    func unavailable(_ path: String, _ code: Int32) -> LogError {
        .io("cannot read the archive of stream '\(hot.streamName)' (mount or restore it, or set the stream's archive to 'none' to read the hot log only):",
            path, code)
    }
}
