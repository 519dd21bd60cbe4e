// Frames built off the shard (FrameBatch) and sealed by the shard that appends
// them are the same bytes on disk as the shard's own framing of an AppendBatch;
// a FrameBatch enforces the same limits; the memo of partition routes never
// routes differently from the router; the blocking queue hands elements over
// in order between threads and drains after close.

import Foundation
@testable import SpateLog
import Testing

struct FrameBatchTests {
    @Test func framesBuiltOffTheShardReadBackAsTheShardsOwnFraming() throws {
        let dir = TemporaryDirectory()
        let clock = ManualClock()
        let store = try LogStore.open(dir.path, options: clock.options)
        let viaAppendBatch = try store.createStream("a", settings: StreamSettings(shardCount: 2))
        let viaFrames = try store.createStream("b", settings: StreamSettings(shardCount: 2))
        var batch = AppendBatch()
        let perShard = [FrameBatch(byteCapacity: 64), FrameBatch(byteCapacity: 64)]  // grows
        for i in 0..<5_000 {
            let key = Array("user\(i % 37)".utf8)
            let payload = Array(String(repeating: "p", count: i % 300).utf8) + Array("#\(i)".utf8)
            try batch.append(key: key, payload: payload)
            let shard = key.withUnsafeBytes { viaFrames.router.shard(forKey: $0) }
            try withBytes(key) { (k) throws(LogError) in
                try withBytes(payload) { (p) throws(LogError) in try perShard[shard].append(key: k, payload: p) }
            }
        }
        _ = try viaAppendBatch.append(batch)
        _ = try viaFrames.waitDurable(try viaFrames.appendWithoutWaiting(routed: perShard))
        for shard in 0..<2 {
            let expected = try readAll(viaAppendBatch, shard: shard)
            let got = try readAll(viaFrames, shard: shard)
            #expect(got.count == expected.count && got.count > 1_000)
            #expect(got == expected, "shard \(shard): the same sequences, arrival, keys and payloads")
        }
        // The two streams' segment files are byte for byte the same (CRCs included).
        for shard in 0..<2 {
            let a = try Data(contentsOf: URL(fileURLWithPath: shardFile(store, "a", shard: shard, SegmentName.log(0))))
            let b = try Data(contentsOf: URL(fileURLWithPath: shardFile(store, "b", shard: shard, SegmentName.log(0))))
            #expect(a == b)
        }
    }

    @Test func aFrameBatchRefusesWhatTheLogRefusesAndStaysUnchanged() throws {
        let frames = FrameBatch()
        try withBytes(Array("k".utf8)) { (k) throws(LogError) in try withBytes(Array("{}".utf8)) { (p) throws(LogError) in
            try frames.append(key: k, payload: p)
        } }
        let before = (frames.count, frames.byteCount)
        let longKey = [UInt8](repeating: 0x61, count: RecordFrame.partitionKeyBytesMax + 1)
        let bigPayload = [UInt8](repeating: 0x61, count: RecordFrame.recordBytesMax)
        #expect(throws: LogError.self) {
            try withBytes(longKey) { (k) throws(LogError) in try frames.append(key: k, payload: UnsafeRawBufferPointer(start: nil, count: 0)) }
        }
        #expect(throws: LogError.self) {
            try withBytes(Array("k".utf8)) { (k) throws(LogError) in try withBytes(bigPayload) { (p) throws(LogError) in try frames.append(key: k, payload: p) } }
        }
        #expect(frames.count == before.0 && frames.byteCount == before.1)
        frames.removeAll()
        #expect(frames.isEmpty && frames.byteCount == 0)
    }

    @Test func theRouteMemoRoutesExactlyAsTheRouter() {
        for shardCount in [1, 2, 3, 7] {
            let router = PartitionRouter(shardCount: shardCount)
            var memo = PartitionRouteCache(router: router)
            var random = SystemRandomNumberGenerator()
            // Lengths around the memo's 32-byte limit, empty keys, and many repeats.
            let keys: [[UInt8]] = (0..<20_000).map { i in
                let length = i % 41
                return (0..<length).map { _ in UInt8.random(in: 0x30...0x7A, using: &random) }
            } + (0..<20_000).map { Array("user\($0 % 500)".utf8) }
            for key in keys + keys.reversed() {
                let expected = key.withUnsafeBytes { router.shard(forKey: $0) }
                let got = key.withUnsafeBytes { memo.shard(forKey: $0) }
                #expect(got == expected)
                if got != expected { return }
            }
        }
    }

    @Test func aBlockingQueueHandsOverInOrderAndDrainsAfterClose() {
        let queue = BlockingQueue<Int>(capacity: 3)
        let count = 10_000
        nonisolated(unsafe) var received: [Int] = []
        let consumer = JoinableThread {
            while let value = queue.pop() { received.append(value) }
        }
        for i in 0..<count { #expect(queue.push(i)) }
        queue.close()
        consumer.join()
        #expect(received == Array(0..<count))
        #expect(!queue.push(1), "a closed queue refuses pushes")
        #expect(queue.pop() == nil)
        let small = BlockingQueue<Int>(capacity: 1)
        #expect(small.tryPush(1) && !small.tryPush(2))
        #expect(small.tryPop() == 1 && small.tryPop() == nil)
    }
}
