// Several writers on one shard: threads of one process sharing a store (group
// commit), and separate stores, which take the cross-process flock exactly as
// separate processes do (a flock belongs to an open file description). Nothing
// may be lost, duplicated, torn or reordered within a writer.

import Foundation
@testable import SpateLog
import Testing

@Suite struct ConcurrencyTests {
    /// Runs `writers` threads, each appending `batches` batches of self-describing
    /// records ("w<writer>:<n>") through the store returned by `storeFor`.
    func runWriters(_ writers: Int, batches: Int, storeFor: (Int) throws -> LogStore) throws {
        let stores = try (0..<writers).map(storeFor)
        let failures = NSLock()
        nonisolated(unsafe) var errors: [String] = []
        DispatchQueue.concurrentPerform(iterations: writers) { w in
            do {
                let stream = try stores[w].stream("tx")
                var n = 0
                for _ in 0..<batches {
                    var batch = AppendBatch()
                    for _ in 0..<Int.random(in: 1...20) {
                        try batch.append(key: "w\(w)", payload: Array("w\(w):\(n)".utf8))
                        n += 1
                    }
                    _ = try stream.append(batch)
                }
            } catch {
                failures.withLock { errors.append("\(error)") }
            }
        }
        #expect(errors.isEmpty)
    }

    func verify(_ store: LogStore, writers: Int) throws {
        let stream = try store.stream("tx")
        var perWriter = [[Int]](repeating: [], count: writers)
        for shard in 0..<stream.shards.count {
            let records = try readAll(stream, shard: shard)
            #expect(records.map(\.sequence) == Array(0..<UInt64(records.count)))
            for record in records {
                let parts = String(decoding: record.payload, as: UTF8.self).dropFirst().split(separator: ":")
                perWriter[Int(parts[0])!].append(Int(parts[1])!)
            }
        }
        for (w, numbers) in perWriter.enumerated() {
            // Each writer's records are all there, once, in the order it wrote them.
            #expect(numbers == Array(0..<numbers.count), "writer \(w)")
            #expect(!numbers.isEmpty)
        }
    }

    @Test(arguments: [Durability.batch, .always, .none])
    func threadsSharingOneStore(durability: Durability) throws {
        let dir = TemporaryDirectory()
        let store = try LogStore.open(dir.path)
        try store.createStream("tx", settings: StreamSettings(shardCount: 2, durability: durability, segmentBytesMax: 8192))
        try runWriters(4, batches: 60) { _ in store }
        try verify(store, writers: 4)
    }

    @Test func separateStoresLikeSeparateProcesses() throws {
        let dir = TemporaryDirectory()
        try LogStore.open(dir.path).createStream("tx", settings: StreamSettings(shardCount: 1, segmentBytesMax: 4096))
        try runWriters(3, batches: 80) { _ in try LogStore.open(dir.path) }
        try verify(try LogStore.open(dir.path), writers: 3)
    }

    @Test func readerFollowsWhileOthersWrite() throws {
        let dir = TemporaryDirectory()
        let store = try LogStore.open(dir.path)
        try store.createStream("tx", settings: StreamSettings(segmentBytesMax: 4096))
        let reader = try LogStore.open(dir.path).stream("tx").reader(shard: 0, from: .earliest)
        let done = NSLock()
        nonisolated(unsafe) var finished = false
        let writer = Thread {
            try? runWriters(2, batches: 100) { _ in try LogStore.open(dir.path) }
            done.withLock { finished = true }
        }
        writer.start()
        let batch = ReadBatch()
        var seen = 0
        var lastSequence: UInt64?
        while true {
            let isFinished = done.withLock { finished }
            let n = try reader.read(into: batch)
            for d in batch.descriptors {
                if let lastSequence { #expect(d.sequence == lastSequence + 1) }
                lastSequence = d.sequence
            }
            seen += n
            if n == 0 && isFinished { break }
        }
        let total = try readAll(try store.stream("tx")).count
        #expect(seen == total && total > 0)
    }
}
