// A stream's archive directory (the `archive` setting): where retention moves
// sealed segments instead of deleting them — the cold tier, Spate's analogue of
// Kinesis' retention into S3.
//
//   <archive>/<stream>/shardId-<n>/<first-sequence>.log   the segment, byte for byte
//   <archive>/<stream>/shardId-<n>/<first-sequence>.idx   its index, moved with it
//
// The layout mirrors the hot log's shard directories, so one archive directory
// may serve several streams, and segments can be moved between archives (or
// back into the hot log) with `mv`. What is decided here:
// - A relative path is resolved against the data directory (not the current
//   directory: `spate serve` and the REPL may start elsewhere, and the archive
//   then sits beside the data by default) and stored absolute in the manifest.
// - The directory is created (with its parents) when a stream is created or
//   altered with it; a path that is not, or cannot become, a writable directory
//   is refused then, with one line. So is a path that is the data directory or
//   lies inside its `streams/` (the hot log itself).
// - The stream's and shards' directories inside are created on the first move;
//   `<archive>/<stream>/stream.created_ms` then names the stream that owns them
//   (see `SegmentArchiver`): an archive holding a dropped stream's segments is
//   refused for a new stream of the same name.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum ArchiveDirectory {
    /// The archive directory of shard `shard` of `stream`.
    static func shardPath(root: String, stream: String, shard: Int) -> String {
        root + "/" + stream + "/" + ShardDirectory.shardName(shard)
    }

    /// `path` as it is stored: absolute, relative paths under `dataDirectory`.
    static func resolve(_ path: String, dataDirectory: String) -> String {
        FileSystem.absolutePath(path, relativeTo: dataDirectory)
    }

    /// Resolves `path`, creates it when missing and checks that the log can
    /// keep the segments of `stream` (created at `createdMs`) there; returns
    /// the absolute path to store. Throws `invalidSettings` with one line
    /// saying what is wrong.
    static func prepare(_ path: String, dataDirectory: String, stream: String, createdMs: Int64) throws(LogError) -> String {
        let absolute = resolve(path, dataDirectory: dataDirectory)
        let shown = path == absolute ? "'\(path)'" : "'\(path)' (\(absolute))"
        let insideHotLog = "archive \(shown) is inside the hot log; give a directory outside \(dataDirectory)/streams"
        // Before anything is created, as written and through symbolic links.
        let data = FileSystem.absolutePath(dataDirectory, relativeTo: ".")
        if isHotLog(absolute, data: data) || isHotLog(throughLinks(absolute), data: throughLinks(data)) {
            throw .invalidSettings(insideHotLog)
        }
        if !FileSystem.exists(absolute) {
            do throws(LogError) {
                try FileSystem.makeDirectoriesDurably(absolute)
            } catch {
                throw .invalidSettings("archive \(shown) cannot be created: \(error.description); give a writable directory")
            }
        }
        guard FileSystem.isDirectory(absolute) else {
            throw .invalidSettings("archive \(shown) is not a directory; give a writable directory")
        }
        guard FileSystem.isWritableDirectory(absolute) else {
            throw .invalidSettings("archive \(shown) is not writable by this user; give a writable directory")
        }
        _ = try SegmentArchiver.checkOwner(absolute + "/" + stream, createdMs: createdMs)
        return absolute
    }

    /// Absolute `path` with the symbolic links of its longest existing prefix resolved.
    private static func throughLinks(_ path: String) -> String {
        var existing = path
        var rest: [Substring] = []
        while !FileSystem.exists(existing) && existing != "/" {
            rest.insert(existing[existing.index(after: existing.lastIndex(of: "/")!)...], at: 0)
            existing = FileSystem.parentOf(existing)
        }
        let real = FileSystem.realPath(existing) ?? existing
        return rest.isEmpty ? real : (real == "/" ? "" : real) + "/" + rest.joined(separator: "/")
    }

    /// Whether `path` is the data directory `data`, its `streams/`, or inside it (both absolute).
    private static func isHotLog(_ path: String, data: String) -> Bool {
        let streams = data + "/streams"
        return path == data || path == streams || path.hasPrefix(streams + "/")
    }
}
