// Retention deletes whole sealed segments, oldest first, by age, bytes or record
// count; never the active segment; sequence numbers go on after it.

import Foundation
@testable import SpateLog
import Testing

@Suite struct RetentionTests {
    @Test func byAge() throws {
        let dir = TemporaryDirectory()
        let clock = ManualClock()
        let store = try LogStore.open(dir.path, options: clock.options)
        let stream = try store.createStream("tx", settings: StreamSettings(retentionAgeMs: 3_600_000, segmentAgeMaxMs: 600_000))
        for i in 0..<12 {  // one append every 10 minutes for two hours
            try appendNumbered(stream, count: 10, from: i * 10)
            clock.advance(byMs: 600_000)
        }
        _ = try store.enforceRetention()
        let records = try readAll(stream)
        let oldestKept = try #require(records.first)
        #expect(oldestKept.arrivalMs >= clock.read() - 3_600_000 - 600_000)
        #expect(records.count < 120 && records.count >= 60)
        #expect(records.last?.sequence == 119)
        // Nothing kept that is past retention by more than one segment's age.
        #expect(records.allSatisfy { $0.arrivalMs >= clock.read() - 3_600_000 - 600_000 })
    }

    @Test func byBytesKeepsTheStreamNearTheLimit() throws {
        let dir = TemporaryDirectory()
        let store = try LogStore.open(dir.path)
        let stream = try store.createStream("tx", settings: StreamSettings(retentionBytes: 20_000, segmentBytesMax: 4096))
        for i in 0..<100 { try appendNumbered(stream, count: 20, from: i * 20) }
        let description = try stream.describe()
        #expect(description.bytes <= 20_000 + 4096)
        #expect(description.bytes >= 20_000 - 4096)
        let records = try readAll(stream)
        #expect(records.last?.sequence == 1999)
        #expect(records.first!.sequence == description.shards[0].earliestSequence)
    }

    @Test func byRecordCount() throws {
        let dir = TemporaryDirectory()
        let store = try LogStore.open(dir.path)
        let stream = try store.createStream("tx", settings: StreamSettings(retentionRecords: 500, segmentBytesMax: 4096))
        for i in 0..<100 { try appendNumbered(stream, count: 20, from: i * 20) }
        let count = try readAll(stream).count
        #expect(count <= 500 + 200 && count >= 500)
    }

    @Test func sequencesContinueAfterEverythingOldIsGone() throws {
        let dir = TemporaryDirectory()
        let clock = ManualClock()
        let store = try LogStore.open(dir.path, options: clock.options)
        let stream = try store.createStream("tx", settings: StreamSettings(retentionAgeMs: 1000, segmentAgeMaxMs: 1000))
        try appendNumbered(stream, count: 10)
        clock.advance(byMs: 10_000)
        #expect(try store.enforceRetention() == 1)  // rolled the idle segment, then expired it
        #expect(try readAll(stream).isEmpty)
        let reopened = try LogStore.open(dir.path, options: clock.options)
        let result = try appendNumbered(try reopened.stream("tx"), count: 1)
        #expect(result.records[0].sequence == 10)
    }

    @Test func aReaderPastDeletedSegmentsSkipsToTheOldestKept() throws {
        let dir = TemporaryDirectory()
        let store = try LogStore.open(dir.path)
        let stream = try store.createStream("tx", settings: StreamSettings(segmentBytesMax: 4096))
        try appendNumbered(stream, count: 200)
        let reader = try stream.reader(shard: 0, from: .earliest)
        _ = try store.alterStream("tx") { $0.retentionRecords = 100 }
        for i in 0..<10 { try appendNumbered(stream, count: 20, from: 200 + i * 20) }
        let batch = ReadBatch()
        var sequences: [UInt64] = []
        while try reader.read(into: batch) > 0 { sequences += batch.descriptors.map(\.sequence) }
        #expect(reader.recordsSkippedByRetention > 0)
        #expect(sequences.last == 399)
        // Every record is either read, in order, or counted as skipped.
        #expect(zip(sequences, sequences.dropFirst()).allSatisfy { $0 < $1 })
        #expect(UInt64(sequences.count) + reader.recordsSkippedByRetention == 400)
    }
}
