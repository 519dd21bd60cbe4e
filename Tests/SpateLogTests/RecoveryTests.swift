// Recovery: a torn tail of the active segment (bad bytes with no valid record
// after them) is cut at the last good record by the next writer, and reported;
// readers leave it alone. A bad record followed by good ones, and corruption
// inside a sealed segment, are errors naming the file and the offset; a damaged
// index is rebuilt in memory, never trusted, and never rewritten by a reader.

import Foundation
@testable import SpateLog
import Testing

@Suite struct RecoveryTests {
    func truncate(_ path: String, by bytes: Int) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        let size = try handle.seekToEnd()
        try handle.truncate(atOffset: size - UInt64(bytes))
        try handle.close()
    }

    func flipBit(_ path: String, at offset: Int) throws {
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[offset] ^= 0x10
        try data.write(to: URL(fileURLWithPath: path))
    }

    func fileSize(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    }

    @Test func tornTailIsCutAtEveryPossibleLength() throws {
        // Each frame here is 8 + 18 + 2 + 2..3 bytes; cut 1..40 bytes off the end.
        for cut in 1...40 {
            let dir = TemporaryDirectory()
            do {
                let store = try LogStore.open(dir.path)
                try appendNumbered(try store.createStream("tx"), count: 20)
            }
            let segment = shardFile(try LogStore.open(dir.path), "tx", "00000000000000000000.log")
            try truncate(segment, by: cut)
            let torn = try fileSize(segment)
            let store = try LogStore.open(dir.path)
            let stream = try store.stream("tx")
            let records = try readAll(stream)
            // The last frame ("k9", "r19") is 31 bytes: cutting exactly that leaves
            // no torn tail, cutting more tears the one before.
            let expectedLost = cut <= 31 ? 1 : 2
            #expect(payloadStrings(records) == (0..<(20 - expectedLost)).map { "r\($0)" }, "cut \(cut)")
            #expect(try fileSize(segment) == torn, "a reader cuts nothing")
            #expect(store.takeRecoveryEvents().isEmpty)
            // The next append cuts the tail, says so, and continues the sequences.
            let result = try appendNumbered(stream, count: 1, from: 100)
            #expect(result.records[0].sequence == UInt64(20 - expectedLost))
            let events = store.takeRecoveryEvents()
            #expect(events.count == (cut == 31 ? 0 : 1), "cut \(cut) reported")
        }
    }

    @Test func corruptTailRecordIsCutAndReported() throws {
        let dir = TemporaryDirectory()
        do {
            let store = try LogStore.open(dir.path)
            try appendNumbered(try store.createStream("tx"), count: 10)
        }
        let segment = shardFile(try LogStore.open(dir.path), "tx", "00000000000000000000.log")
        let size = try fileSize(segment)
        try flipBit(segment, at: size - 2)  // inside the last record's payload
        let reported = Reported()
        let store = try LogStore.open(dir.path, options: LogOptions(onRecovery: { reported.add($0) }))
        let stream = try store.stream("tx")
        #expect(payloadStrings(try readAll(stream)) == (0..<9).map { "r\($0)" })
        #expect(try fileSize(segment) == size)
        try appendNumbered(stream, count: 1, from: 50)
        let events = store.takeRecoveryEvents()
        #expect(events.first?.reason == "CRC mismatch")
        #expect(reported.events == events, "reported the moment it is cut")
        #expect(try fileSize(segment) == events.first!.validEnd + 31)
        #expect(payloadStrings(try readAll(stream)) == (0..<9).map { "r\($0)" } + ["r50"])
    }

    @Test func aCorruptRecordFollowedByGoodOnesIsAnErrorAndNeverCut() throws {
        let dir = TemporaryDirectory()
        do {
            let store = try LogStore.open(dir.path)
            try appendNumbered(try store.createStream("tx"), count: 10)
        }
        let segment = shardFile(try LogStore.open(dir.path), "tx", "00000000000000000000.log")
        let size = try fileSize(segment)
        try flipBit(segment, at: 3 * 30 + 20)  // inside r3; r4…r9 follow
        let store = try LogStore.open(dir.path)
        let stream = try store.stream("tx")
        let reader = try stream.reader(shard: 0, from: .earliest)
        let batch = ReadBatch()
        #expect(throws: LogError.self) { while try reader.read(into: batch) > 0 {} }
        do {
            try appendNumbered(stream, count: 1)
            Issue.record("an append over corruption must fail")
        } catch let error as LogError {
            #expect(error.description.contains(segment) && error.description.contains("at byte 90"), "\(error)")
            #expect(error.description.contains("valid records follow"))
        }
        #expect(try fileSize(segment) == size, "nothing was cut")
        #expect(store.takeRecoveryEvents().isEmpty)
    }

    @Test func corruptionInASealedSegmentIsAnErrorNamingFileAndOffset() throws {
        let dir = TemporaryDirectory()
        let store = try LogStore.open(dir.path)
        let stream = try store.createStream("tx", settings: StreamSettings(segmentBytesMax: 4096))
        try appendNumbered(stream, count: 500)
        let sealed = shardFile(store, "tx", "00000000000000000000.log")
        let frame = 8 + 18 + 2 + 2  // "k0" + "r0"
        try flipBit(sealed, at: 3 * frame + 20)  // inside the fourth record (r3)
        let reader = try stream.reader(shard: 0, from: .earliest)
        let batch = ReadBatch()
        var good = 0
        #expect(throws: LogError.corruptSegment(path: sealed, position: 3 * frame, reason: "CRC mismatch")) {
            while try reader.read(into: batch) > 0 { good += batch.count }
        }
        #expect(good == 3)
        let error = LogError.corruptSegment(path: sealed, position: 3 * frame, reason: "CRC mismatch")
        #expect(error.description.contains(sealed) && error.description.contains("byte 90"))
    }

    @Test func missingOrDamagedIndexIsRebuilt() throws {
        let dir = TemporaryDirectory()
        let store = try LogStore.open(dir.path)
        let stream = try store.createStream("tx", settings: StreamSettings(segmentBytesMax: 4096))
        try appendNumbered(stream, count: 500)
        let index0 = shardFile(store, "tx", "00000000000000000000.idx")
        let original = try Data(contentsOf: URL(fileURLWithPath: index0))
        try FileManager.default.removeItem(atPath: index0)
        #expect(try readAll(stream, from: .atSequence(77)).first?.sequence == 77)
        #expect(!FileManager.default.fileExists(atPath: index0), "a reader writes no index")
        #expect(try stream.check()[0].problems.map(\.reason).first?.hasPrefix("index missing") == true)
        try stream.shards[0].repair()
        #expect(try Data(contentsOf: URL(fileURLWithPath: index0)) == original)
        try flipBit(index0, at: 70)
        #expect(try readAll(stream, from: .atSequence(78)).first?.sequence == 78)
        #expect(try stream.check()[0].problems.map(\.reason).first?.hasPrefix("index damaged") == true)
        try stream.shards[0].repair()
        #expect(try Data(contentsOf: URL(fileURLWithPath: index0)) == original)
        #expect(try stream.check()[0].isSound)
    }

    @Test func garbageAfterTheLastRecordIsCut() throws {
        let dir = TemporaryDirectory()
        do {
            let store = try LogStore.open(dir.path)
            try appendNumbered(try store.createStream("tx"), count: 5)
        }
        let segment = shardFile(try LogStore.open(dir.path), "tx", "00000000000000000000.log")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: segment))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(repeating: 0, count: 4096))  // a preallocated, unwritten tail
        try handle.close()
        let store = try LogStore.open(dir.path)
        #expect(payloadStrings(try readAll(try store.stream("tx"))) == (0..<5).map { "r\($0)" })
        try appendNumbered(try store.stream("tx"), count: 1, from: 5)
        #expect(store.takeRecoveryEvents().first?.truncatedBytes == 4096)
        #expect(payloadStrings(try readAll(try store.stream("tx"))) == (0..<6).map { "r\($0)" })
    }
}

/// Recovery events as `LogOptions.onRecovery` hands them out.
final class Reported: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [RecoveryEvent] = []
    func add(_ event: RecoveryEvent) { lock.withLock { list.append(event) } }
    var events: [RecoveryEvent] { lock.withLock { list } }
}

@Suite struct DamagedSealedSegmentTests {
    @Test func aTruncatedSealedSegmentIsReportedButDoesNotStopAppendsOrRolls() throws {
        let dir = TemporaryDirectory()
        let store = try LogStore.open(dir.path)
        let stream = try store.createStream("tx", settings: StreamSettings(retentionRecords: 100_000, segmentBytesMax: 4096))
        try appendNumbered(stream, count: 500)
        let sealed = shardFile(store, "tx", "00000000000000000000.log")
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: sealed))
        try handle.truncate(atOffset: 1000)
        try handle.close()
        // Appends that roll segments (and run retention) go on.
        try appendNumbered(stream, count: 500, from: 500)
        #expect(try segmentNames(store, "tx").count > 4)
        // Readers and the check report the damage, naming the file.
        #expect(throws: LogError.self) { _ = try readAll(stream) }
        let report = try stream.check()[0]
        #expect(!report.isSound)
        #expect(report.problems.contains { $0.path == sealed })
    }
}
