// Reading a whole stream: one cursor per shard, merged by arrival time (ties
// in shard order), so history reads back in the order it arrived. Kinesis gives
// no order across shards; this is the natural one for a person reading a log.
// Records are handed out as views into the shards' read buffers: no allocation
// per record.

import SpateLog

/// A cursor over several shards of a stream, merged by arrival time.
public final class StreamCursor {
    public let stream: LogStream
    private let readers: [ShardReader]
    private let batches: [ReadBatch]
    /// Position of the next unread record in each shard's batch.
    private var heads: [Int]

    init(stream: LogStream, shards: [Int], from position: ReadPosition) throws(LogError) {
        self.stream = stream
        var readers: [ShardReader] = []
        for shard in shards { readers.append(try stream.reader(shard: shard, from: position)) }
        self.readers = readers
        self.batches = readers.map { _ in ReadBatch() }
        self.heads = readers.map { _ in 0 }
    }

    /// Records skipped because retention deleted them before they were read.
    public var recordsSkippedByRetention: UInt64 { readers.reduce(0) { $0 + $1.recordsSkippedByRetention } }

    /// Calls `body` with each record available now, in arrival order, until
    /// `body` returns false or `limit` records were passed; returns how many were
    /// passed. Zero means nothing new for now (call again to follow the stream).
    public func forEach(limit: Int = .max, _ body: (_ shard: Int, _ record: RecordView) throws -> Bool) throws -> Int {
        var passed = 0
        while passed < limit {
            // Refill drained shards, then take the earliest head.
            var best = -1
            var bestArrival = Int64.max
            for i in readers.indices {
                if heads[i] >= batches[i].count {
                    heads[i] = 0
                    _ = try readers[i].read(into: batches[i])
                    if batches[i].isEmpty { continue }
                }
                let arrival = batches[i].descriptors[heads[i]].arrivalMs
                if arrival < bestArrival {
                    best = i
                    bestArrival = arrival
                }
            }
            if best < 0 { break }
            let record = batches[best][heads[best]]
            heads[best] += 1
            passed += 1
            if try !body(readers[best].shardIndex, record) { break }
        }
        return passed
    }
}
