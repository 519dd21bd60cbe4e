// Recovery: a torn or corrupt tail of the active segment is cut at the last good
// record and reported; corruption inside a sealed segment is an error naming the
// file and the offset; a damaged index is rebuilt, never trusted.

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
            let store = try LogStore.open(dir.path)
            let stream = try store.stream("tx")
            let records = try readAll(stream)
            // The last frame ("k9", "r19") is 31 bytes: cutting exactly that leaves
            // no torn tail, cutting more tears the one before.
            let expectedLost = cut <= 31 ? 1 : 2
            #expect(payloadStrings(records) == (0..<(20 - expectedLost)).map { "r\($0)" }, "cut \(cut)")
            let events = store.takeRecoveryEvents()
            #expect(events.count == (cut == 31 ? 0 : 1), "cut \(cut) reported")
            // The log accepts appends after the cut, with sequences continuing.
            let result = try appendNumbered(stream, count: 1, from: 100)
            #expect(result.records[0].sequence == UInt64(20 - expectedLost))
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
        let store = try LogStore.open(dir.path)
        let stream = try store.stream("tx")
        #expect(payloadStrings(try readAll(stream)) == (0..<9).map { "r\($0)" })
        let events = store.takeRecoveryEvents()
        #expect(events.first?.reason == "CRC mismatch")
        #expect(try fileSize(segment) == events.first?.validEnd)
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
        #expect(try Data(contentsOf: URL(fileURLWithPath: index0)) == original)
        try flipBit(index0, at: 70)
        #expect(try readAll(stream, from: .atSequence(78)).first?.sequence == 78)
        #expect(try Data(contentsOf: URL(fileURLWithPath: index0)) == original)
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
        #expect(store.takeRecoveryEvents().first?.truncatedBytes == 4096)
    }
}
