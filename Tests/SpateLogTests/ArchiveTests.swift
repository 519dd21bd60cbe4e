// Archive retention: a stream with an archive moves the sealed segments that
// retention no longer keeps hot to `<archive>/<stream>/<shard>/` (log and index),
// by rename or, across file systems, by copy + fsync + unlink; reads from before
// the hot log go through the archive and on into the hot log with every record
// once, byte for byte, with its sequence number. Also: a segment a crash left in
// both tiers, an archive that went missing, and archive paths that are refused.

import Foundation
@testable import SpateLog
import Testing

@Suite struct ArchiveTests {
    /// A data directory, an archive directory beside it, and a one-shard stream
    /// of 4 KiB segments that archives and (until told) keeps everything.
    struct Fixture {
        let data = TemporaryDirectory()
        let archiveRoot: ScratchDirectory
        let clock = ManualClock()
        let store: LogStore
        let stream: LogStream

        init(copyOnly: Bool = false, shards: Int = 1, archiveUnder parent: String? = nil) throws {
            archiveRoot = ScratchDirectory(under: parent ?? NSTemporaryDirectory())
            store = try LogStore.open(data.path, options: clock.options)
            stream = try store.createStream("tx", settings: StreamSettings(
                shardCount: shards, retentionAgeMs: nil, archiveDirectory: archiveRoot.path, segmentBytesMax: 4096))
            for shard in stream.shards { shard.archiveCopyOnly = copyOnly }
        }

        /// `count` records in batches of 20, the clock moving a second per batch.
        func append(_ count: Int, from start: Int = 0) throws {
            for i in stride(from: start, to: start + count, by: 20) {
                try appendNumbered(stream, count: min(20, start + count - i), from: i)
                clock.advance(byMs: 1000)
            }
        }

        /// Lowers the record limit and applies retention now.
        @discardableResult
        func retain(records: Int64) throws -> Int {
            _ = try store.alterStream("tx") { $0.retentionRecords = records }
            return try store.enforceRetention()
        }

        var archivePath: String { archiveRoot.path + "/tx/" + ShardDirectory.shardName(0) }
        var hotPath: String { data.path + "/streams/tx/" + ShardDirectory.shardName(0) }

        func names(_ path: String, _ suffix: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(suffix) }.sorted()
        }
    }

    @Test(arguments: [false, true])
    func retentionMovesSealedSegmentsWithTheirIndexes(copyOnly: Bool) throws {
        let f = try Fixture(copyOnly: copyOnly)
        try f.append(2000)
        let hotBefore = f.names(f.hotPath, ".log")
        let moved = try f.retain(records: 300)
        #expect(moved > 0)
        let archivedLogs = f.names(f.archivePath, ".log")
        let hotLogs = f.names(f.hotPath, ".log")
        #expect(archivedLogs.count == moved)
        // Every archived log has its index beside it, and is gone from the hot tier.
        #expect(f.names(f.archivePath, ".idx") == archivedLogs.map { $0.replacingOccurrences(of: ".log", with: ".idx") })
        #expect(Set(archivedLogs).isDisjoint(with: hotLogs))
        #expect(f.names(f.hotPath, ".idx").allSatisfy { !archivedLogs.contains($0.replacingOccurrences(of: ".idx", with: ".log")) })
        #expect((archivedLogs + hotLogs).sorted() == hotBefore)
        // The oldest ones moved, and no temporary is left behind.
        #expect(archivedLogs.last! < hotLogs.first!)
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.archivePath).allSatisfy { !$0.contains(".tmp-") })
        // The limit bounds the hot tier only; nothing was deleted.
        let description = try f.stream.describe()
        #expect(description.recordCount <= 300 + 200)
        #expect(description.recordCount + description.archivedRecordCount == 2000)
        #expect(description.archivedSegmentCount == moved)
        #expect(description.shards[0].archived?.earliestSequence == 0)
        #expect(description.archiveProblem == nil)
    }

    @Test(arguments: [false, true])
    func readingFromEarliestCrossesTheArchiveIntoTheHotLog(copyOnly: Bool) throws {
        let f = try Fixture(copyOnly: copyOnly)
        try f.append(2000)
        let before = try readAll(f.stream)
        #expect(before.count == 2000)
        #expect(try f.retain(records: 300) > 0)
        let after = try readAll(f.stream)
        // Byte for byte: sequence, arrival time, key and payload of every record, in order.
        #expect(after == before)
        #expect(after.map(\.sequence) == Array(0..<2000))
        // Appends go on with the next sequence; reads still see everything.
        try f.append(100, from: 2000)
        let more = try readAll(f.stream)
        #expect(more.count == 2100 && more.map(\.sequence) == Array(0..<2100))
    }

    @Test func seekingByTimeOrSequenceLandsInTheArchive() throws {
        let f = try Fixture()
        try f.append(2000)  // 100 batches, one second apart
        let before = try readAll(f.stream)
        #expect(try f.retain(records: 300) > 0)
        let oldestHot = try f.stream.describe().shards[0].earliestSequence
        #expect(oldestHot > 500)
        // A time in the archive: the first record that arrived at or after it.
        let t = before[410].arrivalMs
        let fromTime = try readAll(f.stream, from: .atTime(t))
        #expect(fromTime.first == before.first(where: { $0.arrivalMs >= t }))
        #expect(fromTime == Array(before.drop(while: { $0.arrivalMs < t })))
        // A time before everything: all of it.
        #expect(try readAll(f.stream, from: .atTime(0)) == before)
        // A sequence in the archive, and one just after it.
        #expect(try readAll(f.stream, from: .atSequence(123)) == Array(before[123...]))
        #expect(try readAll(f.stream, from: .afterSequence(123)) == Array(before[124...]))
        // A time and a sequence in the hot tier still start there.
        #expect(try readAll(f.stream, from: .atSequence(oldestHot + 5)) == Array(before[Int(oldestHot + 5)...]))
        let hotTime = before[1990].arrivalMs
        #expect(try readAll(f.stream, from: .atTime(hotTime)) == Array(before.drop(while: { $0.arrivalMs < hotTime })))
    }

    /// A writable directory on another file system than the temporary
    /// directory (tmpfs `/dev/shm` on Linux), where rename(2) fails with EXDEV.
    static let otherFileSystem: String? = {
        var tmp = stat(), shm = stat()
        guard stat(NSTemporaryDirectory(), &tmp) == 0, stat("/dev/shm", &shm) == 0, tmp.st_dev != shm.st_dev,
              access("/dev/shm", W_OK) == 0 else { return nil }
        return "/dev/shm"
    }()

    @Test(.enabled(if: otherFileSystem != nil, "needs a writable directory on another file system, such as /dev/shm"))
    func aMoveToAnotherFileSystemCopiesAndReadsBackTheSame() throws {
        let f = try Fixture(archiveUnder: Self.otherFileSystem!)
        try f.append(2000)
        let before = try readAll(f.stream)
        let hotBefore = f.names(f.hotPath, ".log")
        #expect(try f.retain(records: 300) > 0)  // rename fails with EXDEV: copied, fsynced, unlinked
        let archived = f.names(f.archivePath, ".log")
        #expect(!archived.isEmpty && (archived + f.names(f.hotPath, ".log")).sorted() == hotBefore)
        #expect(f.names(f.archivePath, ".idx").count == archived.count)
        #expect(try readAll(f.stream) == before)
    }

    @Test(arguments: [false, true])
    func aReaderInsideASegmentThatMovesFollowsIt(copyOnly: Bool) throws {
        let f = try Fixture(copyOnly: copyOnly)
        try f.append(2000)
        let before = try readAll(f.stream)
        let reader = try f.stream.reader(shard: 0, from: .earliest)
        let batch = ReadBatch()
        var read: [LogRecord] = []
        _ = try reader.read(into: batch, maxRecords: 7)
        read += (0..<batch.count).map { batch[$0].copy() }
        #expect(try f.retain(records: 300) > 0)
        while try reader.read(into: batch, maxRecords: 50) > 0 { read += (0..<batch.count).map { batch[$0].copy() } }
        #expect(read == before)
        #expect(reader.recordsSkippedByRetention == 0)
    }

    @Test func aSegmentLeftInBothTiersIsReadOnceAndTheNextPassFinishesTheMove() throws {
        let f = try Fixture()
        try f.append(600)
        let before = try readAll(f.stream)
        // A crash between the copy and the unlink: the oldest sealed segment is
        // whole in the archive (with the owner file the first move writes) and still hot.
        let fm = FileManager.default
        try fm.createDirectory(atPath: f.archivePath, withIntermediateDirectories: true)
        try Data("\(f.stream.createdMs)\n".utf8).write(to: URL(fileURLWithPath: f.archiveRoot.path + "/tx/stream.created_ms"))
        let first = try #require(f.names(f.hotPath, ".log").first)
        let firstIndex = first.replacingOccurrences(of: ".log", with: ".idx")
        try fm.copyItem(atPath: f.hotPath + "/" + first, toPath: f.archivePath + "/" + first)
        try fm.copyItem(atPath: f.hotPath + "/" + firstIndex, toPath: f.archivePath + "/" + firstIndex)
        try fm.copyItem(atPath: f.hotPath + "/" + first, toPath: f.archivePath + "/" + first + ".tmp-99999")  // a copy cut short
        // Read once, from either copy.
        #expect(try readAll(f.stream) == before)
        #expect(try readAll(f.stream, from: .atSequence(3)) == Array(before[3...]))
        #expect(try f.stream.describe().archivedSegmentCount == 0)  // counted hot while it is hot
        // No limit is exceeded, yet the next pass finishes the move.
        #expect(try f.store.enforceRetention() == 1)
        #expect(!fm.fileExists(atPath: f.hotPath + "/" + first) && !fm.fileExists(atPath: f.hotPath + "/" + firstIndex))
        #expect(fm.fileExists(atPath: f.archivePath + "/" + first) && fm.fileExists(atPath: f.archivePath + "/" + firstIndex))
        #expect(!fm.fileExists(atPath: f.archivePath + "/" + first + ".tmp-99999"))
        #expect(try readAll(f.stream) == before)
    }

    @Test func aDuplicateWhoseArchiveCopyIsShortIsCopiedAgain() throws {
        let f = try Fixture()
        try f.append(600)
        let before = try readAll(f.stream)
        let fm = FileManager.default
        try fm.createDirectory(atPath: f.archivePath, withIntermediateDirectories: true)
        try Data("\(f.stream.createdMs)\n".utf8).write(to: URL(fileURLWithPath: f.archiveRoot.path + "/tx/stream.created_ms"))
        let first = try #require(f.names(f.hotPath, ".log").first)
        let whole = try Data(contentsOf: URL(fileURLWithPath: f.hotPath + "/" + first))
        try whole.prefix(100).write(to: URL(fileURLWithPath: f.archivePath + "/" + first))
        #expect(try f.store.enforceRetention() == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: f.archivePath + "/" + first)) == whole)
        #expect(try readAll(f.stream) == before)
    }

    @Test func aMissingArchiveIsAnErrorThatSaysWhatToDo() throws {
        let f = try Fixture()
        try f.append(2000)
        #expect(try f.retain(records: 300) > 0)
        let aside = f.archiveRoot.path + "-aside"
        try FileManager.default.moveItem(atPath: f.archiveRoot.path, toPath: aside)
        defer { try? FileManager.default.moveItem(atPath: aside, toPath: f.archiveRoot.path) }
        let error = try #require(logError { _ = try readAll(f.stream) })
        #expect(error.description.contains("cannot read the archive of stream 'tx'"), "\(error)")
        #expect(error.description.contains("'none'"), "\(error)")
        #expect(!error.description.contains("\n"))
        // What the hot tier holds is still readable without it, and appends go on.
        let oldestHot = try f.stream.describe().shards[0].earliestSequence
        #expect(try readAll(f.stream, from: .atSequence(oldestHot)).count == Int(2000 - oldestHot))
        try f.append(400, from: 2000)
        let description = try f.stream.describe()
        #expect(description.archiveProblem?.contains("cannot read the archive") == true)
    }

    @Test func retentionMovesNothingWhileTheArchiveIsMissingAndEnforcementSaysWhy() throws {
        let f = try Fixture()
        try f.append(600)
        try FileManager.default.removeItem(atPath: f.archiveRoot.path)
        #expect(throws: LogError.self) { try f.retain(records: 100) }
        #expect(try readAll(f.stream, from: .latest).isEmpty)
        #expect(f.names(f.hotPath, ".log").count > 1)  // nothing deleted instead
        try FileManager.default.createDirectory(atPath: f.archiveRoot.path, withIntermediateDirectories: true)
        #expect(try f.store.enforceRetention() > 0)
        #expect(try readAll(f.stream).count == 600)
    }

    @Test func settingsSurviveTheManifestAndOldManifestsStillLoad() throws {
        let settings = StreamSettings(shardCount: 2, archiveDirectory: "/mnt/cold/spate")
        let manifest = StreamManifest(settings: settings, createdMs: 42)
        #expect(try StreamManifest.decode(manifest.encoded(), path: "m") == manifest)
        let old = "format = 1\nshards = 1\nretention_age_ms = 86400000\ndurability = batch\nsegment_bytes_max = 67108864\nsegment_age_max_ms = 3600000\ncreated_ms = 1\n"
        #expect(try StreamManifest.decode(Array(old.utf8), path: "m").settings.archiveDirectory == nil)
        #expect(throws: LogError.self) { try StreamSettings(archiveDirectory: "a\nb").validate() }
    }

    @Test func archivePathsAreResolvedAndCheckedWhenSet() throws {
        let data = TemporaryDirectory()
        let store = try LogStore.open(data.path)
        // Relative: under the data directory, created, stored absolute.
        let relative = try store.createStream("a", settings: StreamSettings(archiveDirectory: "cold/archive"))
        let expected = FileSystem.absolutePath(data.path + "/cold/archive", relativeTo: "/")
        #expect(relative.settings.archiveDirectory == expected)
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: data.path + "/cold/archive", isDirectory: &isDirectory) && isDirectory.boolValue)
        // Not a directory, inside the hot log, or the data directory: refused, nothing created.
        #expect(FileManager.default.createFile(atPath: data.path + "/file", contents: Data()))
        for bad in [data.path + "/file", data.path + "/file/sub", "streams", "streams/a/a", "."] {
            let error = logError { try store.createStream("b", settings: StreamSettings(archiveDirectory: bad)) }
            #expect(error?.isInvalidSettings == true && error?.description.contains("archive") == true, "archive '\(bad)': \(String(describing: error))")
            #expect(!store.streamExists("b"))
        }
        #expect(!FileManager.default.fileExists(atPath: data.path + "/streams/a/a"))  // refused before anything was made
        // Through a symbolic link into the hot log: refused too.
        try FileManager.default.createSymbolicLink(atPath: data.path + "/link", withDestinationPath: data.path + "/streams")
        #expect(logError { try store.createStream("b", settings: StreamSettings(archiveDirectory: "link/x")) }?.isInvalidSettings == true)
        #expect(!FileManager.default.fileExists(atPath: data.path + "/streams/x"))
        // ALTER checks the same way, and changes nothing when it refuses.
        #expect(throws: LogError.self) { _ = try store.alterStream("a") { $0.archiveDirectory = data.path + "/file" } }
        #expect(try store.stream("a").settings.archiveDirectory == expected)
    }

    @Test func aDroppedStreamsArchiveIsNotTakenForANewStreamsHistory() throws {
        let f = try Fixture()
        try f.append(2000)
        #expect(try f.retain(records: 300) > 0)
        try f.store.deleteStream("tx")
        // The archive stays: Spate never deletes archived segments.
        #expect(!f.names(f.archivePath, ".log").isEmpty)
        f.clock.advance(byMs: 1000)
        let error = logError { try f.store.createStream("tx", settings: StreamSettings(archiveDirectory: f.archiveRoot.path)) }
        #expect(error?.description.contains("another stream of that name") == true, "\(String(describing: error))")
    }

    @Test func alteringTheArchiveOnAndOff() throws {
        let data = TemporaryDirectory()
        let archive = TemporaryDirectory()
        let store = try LogStore.open(data.path)
        let stream = try store.createStream("tx", settings: StreamSettings(retentionAgeMs: nil, segmentBytesMax: 4096))
        try appendNumbered(stream, count: 1000)
        let before = try readAll(stream)
        _ = try store.alterStream("tx") { $0.archiveDirectory = archive.path; $0.retentionRecords = 300 }
        #expect(try store.enforceRetention() > 0)
        #expect(try readAll(stream) == before)
        // Off again: retention deletes, and reads start at the hot tier.
        _ = try store.alterStream("tx") { $0.archiveDirectory = nil; $0.retentionRecords = 100 }
        #expect(try store.enforceRetention() > 0)
        let kept = try readAll(stream)
        #expect(kept.count < 300 && kept == Array(before.suffix(kept.count)))
    }

    @Test func everyShardArchivesToItsOwnDirectory() throws {
        let f = try Fixture(shards: 2)
        try f.append(3000)
        let before = (0..<2).map { try! readAll(f.stream, shard: $0) }
        _ = try f.store.alterStream("tx") { $0.retentionRecords = 600 }
        #expect(try f.store.enforceRetention() > 0)
        for shard in 0..<2 {
            let path = f.archiveRoot.path + "/tx/" + ShardDirectory.shardName(shard)
            #expect(!f.names(path, ".log").isEmpty)
            #expect(try readAll(f.stream, shard: shard) == before[shard])
        }
        // A cursor over both shards, bounded now, sees all of it.
        let cursor = try StreamCursor(stream: f.stream, shards: [0, 1], from: .earliest, end: .now)
        var count = 0
        _ = try cursor.forEach { _, _ in count += 1; return true }
        #expect(count == 3000)
    }
}

/// The log error `body` throws (nil when it throws none, or another kind).
private func logError(_ body: () throws -> Void) -> LogError? {
    do {
        try body()
        return nil
    } catch {
        return error as? LogError
    }
}

extension LogError {
    fileprivate var isInvalidSettings: Bool {
        if case .invalidSettings = self { return true }
        return false
    }
}

/// A fresh directory under `parent`, removed on deinit (`TemporaryDirectory`,
/// on any file system).
final class ScratchDirectory: Sendable {
    let path: String

    init(under parent: String) {
        var template = Array((parent + "/spate-archive-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
