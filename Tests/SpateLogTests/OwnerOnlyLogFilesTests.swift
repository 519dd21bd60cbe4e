// Everything the log writes is owner-only whatever the umask (issue 19): under
// umask 000, the most permissive, the data directory, `streams`, each stream's
// and shard's directory and the archive's are 0700, and segments, indexes,
// manifests and append locks 0600 — also after segments roll, a settings
// change rewrites the manifest and retention moves segments to the archive.
// And a data directory someone made 0755 is tightened when the log opens it.
//
// The umask is the process's: while the first test runs, files other tests of
// this process create get the modes they ask for, unreduced. The log's own
// files do not care (they are chmod'ed), no other log test looks at modes, and
// the old umask is back before the test ends.

import Foundation
@testable import SpateLog
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct OwnerOnlyLogFilesTests {
    /// Every path under `root` (itself included) with its permission bits and whether it is a directory.
    func modes(under root: String) -> [(path: String, mode: mode_t, isDirectory: Bool)] {
        var st = stat()
        guard lstat(root, &st) == 0 else { return [] }
        let isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
        var found = [(root, st.st_mode & 0o777, isDirectory)]
        if isDirectory {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
                found += modes(under: root + "/" + name)
            }
        }
        return found
    }

    @Test func everythingTheLogWritesIsOwnerOnlyUnderUmask000() throws {
        let directory = TemporaryDirectory()
        let data = directory.path + "/data"
        let archive = directory.path + "/archive"
        let previous = umask(0)
        defer { umask(previous) }
        let clock = ManualClock()
        let store = try LogStore.open(data, options: clock.options)
        let stream = try store.createStream("tx", settings: StreamSettings(
            shardCount: 2, retentionAgeMs: nil, archiveDirectory: archive, segmentBytesMax: 4096))
        for batch in 0..<20 {
            try appendNumbered(stream, count: 100, from: batch * 100)
            clock.advance(byMs: 1000)
        }
        _ = try store.alterStream("tx") { $0.retentionRecords = 300 }
        #expect(try store.enforceRetention() > 0, "retention moved nothing to the archive")
        umask(previous)

        let found = modes(under: data) + modes(under: archive + "/tx")
        let names = found.map { ($0.path as NSString).lastPathComponent }
        #expect(names.contains { $0.hasSuffix(".log") } && names.contains { $0.hasSuffix(".idx") }, "\(names)")
        #expect(names.contains(StreamManifest.fileName) && names.contains("append.lock"), "\(names)")
        #expect(modes(under: archive + "/tx").contains { $0.path.hasSuffix(".log") }, "nothing in the archive")
        for entry in found {
            #expect(entry.mode == (entry.isDirectory ? 0o700 : 0o600), "\(entry.path) is \(String(entry.mode, radix: 8))")
        }
    }

    @Test func aDataDirectoryLeftOpenIsTightenedOnOpen() throws {
        let directory = TemporaryDirectory()
        let data = directory.path + "/data"
        mkdir(data, 0o755)
        chmod(data, 0o755)
        mkdir(data + "/streams", 0o755)
        chmod(data + "/streams", 0o755)
        _ = try LogStore.open(data)
        #expect(modes(under: data).filter(\.isDirectory).map(\.mode) == [0o700, 0o700])
    }
}
