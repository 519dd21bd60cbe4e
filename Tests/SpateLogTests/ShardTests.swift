// Appending and reading back: order, sequence numbers, arrival times, rolling,
// and every iterator position.

import Foundation
@testable import SpateLog
import Testing

@Suite struct ShardTests {
    @Test func appendedRecordsReadBackInOrderWithIncreasingSequences() throws {
        let dir = TemporaryDirectory()
        let store = try LogStore.open(dir.path)
        let stream = try store.createStream("tx")
        let first = try appendNumbered(stream, count: 500)
        #expect(first.records.map(\.sequence) == Array(0..<500))
        try appendNumbered(stream, count: 500, from: 500)
        let records = try readAll(stream)
        #expect(payloadStrings(records) == (0..<1000).map { "r\($0)" })
        #expect(records.map(\.sequence) == Array(0..<1000))
        #expect(records[3].partitionKeyString == "k3")
    }

    /// A read asks for the read-ahead (256 KiB) first; records larger than
    /// that, between small ones and at every offset, must still read back whole.
    @Test func recordsLargerThanTheReadAheadReadBackWhole() throws {
        let dir = TemporaryDirectory()
        let store = try LogStore.open(dir.path)
        let stream = try store.createStream("big")
        var expected: [[UInt8]] = []
        var batch = AppendBatch()
        for i in 0..<40 {
            let size = i % 3 == 0 ? ReadBatch.readAheadBytes + 1 + i * 9_973 : (i % 3 == 1 ? (1 << 20) - 1 : 17 + i)  // the largest record: key + payload ≤ 1 MiB
            let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i) }
            expected.append(payload)
            try batch.append(key: "k", payload: payload)
            if batch.count == 4 {
                _ = try stream.append(batch)
                batch.removeAll()
            }
        }
        if !batch.isEmpty { _ = try stream.append(batch) }
        let records = try readAll(stream)
        #expect(records.count == expected.count)
        #expect(records.map(\.payload) == expected)
        #expect(records.map(\.sequence) == Array(0..<UInt64(expected.count)))
    }

    @Test func recordsSurviveReopening() throws {
        let dir = TemporaryDirectory()
        do {
            let store = try LogStore.open(dir.path)
            try appendNumbered(try store.createStream("tx"), count: 100)
        }
        let store = try LogStore.open(dir.path)
        let stream = try store.stream("tx")
        try appendNumbered(stream, count: 10, from: 100)
        #expect(payloadStrings(try readAll(stream)) == (0..<110).map { "r\($0)" })
        #expect(store.takeRecoveryEvents().isEmpty)
    }

    @Test func segmentsRollAtTheSizeLimitAndGetIndexes() throws {
        let dir = TemporaryDirectory()
        let store = try LogStore.open(dir.path)
        let stream = try store.createStream("tx", settings: StreamSettings(segmentBytesMax: 4096))
        for i in 0..<100 { try appendNumbered(stream, count: 10, from: i * 10) }
        let logs = try segmentNames(store, "tx")
        #expect(logs.count > 5)
        for log in logs.dropLast() {
            let idx = shardFile(store, "tx", log.replacingOccurrences(of: ".log", with: ".idx"))
            #expect(FileManager.default.fileExists(atPath: idx), "sealed \(log) has an index")
            let size = try #require(FileManager.default.attributesOfItem(atPath: shardFile(store, "tx", log))[.size] as? Int)
            #expect(size <= 4096)
        }
        #expect(payloadStrings(try readAll(stream)) == (0..<1000).map { "r\($0)" })
    }

    @Test func segmentsRollAtTheAgeLimit() throws {
        let dir = TemporaryDirectory()
        let clock = ManualClock()
        let store = try LogStore.open(dir.path, options: clock.options)
        let stream = try store.createStream("tx", settings: StreamSettings(segmentAgeMaxMs: 60_000))
        try appendNumbered(stream, count: 5)
        clock.advance(byMs: 59_999)
        try appendNumbered(stream, count: 5, from: 5)
        #expect(try segmentNames(store, "tx").count == 1)
        clock.advance(byMs: 1)
        try appendNumbered(stream, count: 5, from: 10)
        #expect(try segmentNames(store, "tx") == ["00000000000000000000.log", "00000000000000000010.log"])
    }

    @Test func arrivalTimesNeverDecreaseEvenWhenTheClockDoes() throws {
        let dir = TemporaryDirectory()
        let clock = ManualClock()
        let store = try LogStore.open(dir.path, options: clock.options)
        let stream = try store.createStream("tx")
        try appendNumbered(stream, count: 1)
        clock.advance(byMs: -5000)
        try appendNumbered(stream, count: 1, from: 1)
        let records = try readAll(stream)
        #expect(records[1].arrivalMs == records[0].arrivalMs)
    }

    @Test func everyReadPosition() throws {
        let dir = TemporaryDirectory()
        let clock = ManualClock()
        let store = try LogStore.open(dir.path, options: clock.options)
        let stream = try store.createStream("tx", settings: StreamSettings(segmentBytesMax: 8192))
        // 50 appends of 40 records, one second apart, across many segments.
        for i in 0..<50 {
            try appendNumbered(stream, count: 40, from: i * 40)
            clock.advance(byMs: 1000)
        }
        let start = clock.read() - 50_000
        #expect(try readAll(stream, from: .earliest).count == 2000)
        #expect(try readAll(stream, from: .latest).isEmpty)
        for target in [0, 1, 39, 40, 777, 1999] as [UInt64] {
            #expect(try readAll(stream, from: .atSequence(target)).first?.sequence == target)
            #expect(try readAll(stream, from: .afterSequence(target)).first?.sequence == (target == 1999 ? nil : target + 1))
        }
        #expect(try readAll(stream, from: .atSequence(5000)).isEmpty)
        // Appends at start + k seconds got sequences 40k..<40k+40.
        for k in [0, 1, 17, 49] as [Int64] {
            #expect(try readAll(stream, from: .atTime(start + k * 1000)).first?.sequence == UInt64(k * 40))
            #expect(try readAll(stream, from: .atTime(start + k * 1000 - 500)).first?.sequence == UInt64(k * 40))
        }
        #expect(try readAll(stream, from: .atTime(start + 60_000)).isEmpty)
        #expect(try readAll(stream, from: .atTime(0)).count == 2000)
    }

    @Test func latestReaderSeesOnlyNewRecords() throws {
        let dir = TemporaryDirectory()
        let store = try LogStore.open(dir.path)
        let stream = try store.createStream("tx", settings: StreamSettings(segmentBytesMax: 4096))
        try appendNumbered(stream, count: 100)
        let reader = try stream.reader(shard: 0, from: .latest)
        let batch = ReadBatch()
        #expect(try reader.read(into: batch) == 0)
        try appendNumbered(stream, count: 300, from: 100)
        var seen: [String] = []
        while try reader.read(into: batch) > 0 {
            for i in 0..<batch.count { seen.append(String(decoding: batch[i].payload, as: UTF8.self)) }
        }
        #expect(seen == (100..<400).map { "r\($0)" })
    }

    @Test func keysRouteToShardsAndShardsKeepOrder() throws {
        let dir = TemporaryDirectory()
        let store = try LogStore.open(dir.path)
        let stream = try store.createStream("tx", settings: StreamSettings(shardCount: 3))
        let result = try appendNumbered(stream, count: 300)
        var union: [String] = []
        for shard in 0..<3 {
            let records = try readAll(stream, shard: shard)
            #expect(records.map(\.sequence) == Array(0..<UInt64(records.count)))
            for record in records {
                #expect(stream.router.shard(forKey: record.partitionKeyString) == shard)
            }
            // Within a shard, the batch's order is kept.
            let numbers = payloadStrings(records).map { Int($0.dropFirst())! }
            #expect(numbers == numbers.sorted())
            union += payloadStrings(records)
        }
        #expect(Set(union) == Set((0..<300).map { "r\($0)" }))
        #expect(result.records.count == 300)
        #expect(result.records[0].shard == stream.router.shard(forKey: "k0"))
    }

    @Test func recordsWithoutKeySpreadRoundRobin() throws {
        let dir = TemporaryDirectory()
        let store = try LogStore.open(dir.path)
        let stream = try store.createStream("tx", settings: StreamSettings(shardCount: 2))
        var batch = AppendBatch()
        for i in 0..<10 { try batch.append(key: [], payload: Array("\(i)".utf8)) }
        _ = try stream.append(batch)
        #expect(try readAll(stream, shard: 0).count == 5)
        #expect(try readAll(stream, shard: 1).count == 5)
    }

    @Test func describeReportsSizesAndRanges() throws {
        let dir = TemporaryDirectory()
        let clock = ManualClock()
        let store = try LogStore.open(dir.path, options: clock.options)
        let stream = try store.createStream("tx", settings: StreamSettings(shardCount: 2, segmentBytesMax: 4096))
        try appendNumbered(stream, count: 400)
        let description = try stream.describe()
        #expect(description.recordCount == 400)
        #expect(description.shards.map(\.name) == ["shardId-000000000000", "shardId-000000000001"])
        #expect(description.shards.allSatisfy { $0.earliestArrivalMs == clock.read() && $0.latestArrivalMs == clock.read() })
        #expect(description.bytes == description.shards.reduce(0) { $0 + $1.bytes })
        #expect(description.shards[0].segmentCount > 1)
    }

    @Test func streamLifecycleAndNames() throws {
        let dir = TemporaryDirectory()
        let store = try LogStore.open(dir.path)
        try store.createStream("b")
        try store.createStream("a.x-y_z")
        #expect(try store.streamNames() == ["a.x-y_z", "b"])
        #expect(throws: LogError.streamExists("b")) { try store.createStream("b") }
        #expect(throws: LogError.self) { try store.createStream("bad/name") }
        #expect(throws: LogError.self) { try store.createStream("") }
        #expect(throws: LogError.self) { try store.createStream("s", settings: StreamSettings(shardCount: 0)) }
        try store.deleteStream("b")
        #expect(try store.streamNames() == ["a.x-y_z"])
        #expect(throws: LogError.streamNotFound("b")) { try store.stream("b") }
        #expect(throws: LogError.streamNotFound("b")) { try store.deleteStream("b") }
    }

    @Test func alteredSettingsAreSeenByAnotherOpenStore() throws {
        let dir = TemporaryDirectory()
        let one = try LogStore.open(dir.path), two = try LogStore.open(dir.path)
        try one.createStream("tx")
        #expect(try two.stream("tx").settings.durability == .batch)
        _ = try one.alterStream("tx") { $0.durability = .always; $0.retentionRecords = 10 }
        #expect(try two.stream("tx").settings.durability == .always)
        #expect(try two.stream("tx").settings.retentionRecords == 10)
        #expect(throws: LogError.self) { _ = try one.alterStream("tx") { $0.shardCount = 4 } }
    }
}

/// A written, unacknowledged append can be taken back while it is the last
/// thing in its shard (a bulk ingest that failed later), never once another
/// append follows it.
@Suite struct RetractTests {
    @Test func anUnacknowledgedAppendIsTakenBackOnlyWhileItIsLast() throws {
        let dir = TemporaryDirectory()
        let store = try LogStore.open(dir.path)
        let stream = try store.createStream("tx", settings: StreamSettings(shardCount: 2))
        try appendNumbered(stream, count: 10)
        var batch = AppendBatch()
        for i in 10..<20 { try batch.append(key: "k\(i % 10)", payload: Array("r\(i)".utf8)) }
        let pending = try stream.appendWithoutWaiting(batch)
        #expect(stream.retract(pending) == [0, 0])
        #expect((try readAll(stream, shard: 0) + readAll(stream, shard: 1)).count == 10)
        let again = try stream.appendWithoutWaiting(batch)
        try appendNumbered(stream, count: 10, from: 20)  // another append follows it
        #expect(stream.retract(again).reduce(0, +) == 10)
        #expect((try readAll(stream, shard: 0) + readAll(stream, shard: 1)).count == 30)
    }
}
