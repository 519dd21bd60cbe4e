// Reading a whole stream: one cursor per shard, merged by arrival time (ties in
// shard order), so history reads back in the order it arrived. Kinesis gives
// no order across shards; this is the natural one for a person reading a log.
// Records are handed out as views into the shards' read buffers: no allocation
// per record.

/// Where a bounded cursor stops.
public enum CursorEnd: Sendable, Equatable {
    /// The end of each shard when the cursor was made.
    case now
    /// The last record that arrived at or before this time (Unix ms).
    case arrival(Int64)
    /// Per shard (in the cursor's order), the sequence it stops before: a
    /// range of a shard, one worker's share of a query split by sequence.
    case sequences([UInt64])
}

/// A cursor over several shards of a stream, merged by arrival time.
public final class StreamCursor {
    public let stream: LogStream
    private let readers: [ShardReader]
    private let batches: [ReadBatch]
    /// Position of the next unread record in each shard's batch.
    @exclusivity(unchecked) private var heads: [Int]
    /// Per reader, the sequence it stops before (nil: no end).
    private let endSequences: [UInt64?]
    /// Records that arrived after this time are past the end (nil: no end).
    private let endArrivalMs: Int64?
    @exclusivity(unchecked) private var finished: [Bool]

    /// A cursor over `shards` of `stream` from `position`. With `end`, it stops
    /// at the end of each shard as it is now (`.now`) or at an arrival time.
    public convenience init(stream: LogStream, shards: [Int], from position: ReadPosition, end: CursorEnd? = nil) throws(LogError) {
        try self.init(stream: stream, shards: shards, from: shards.map { _ in position }, end: end)
    }

    /// A cursor whose shard `shards[i]` starts at `positions[i]` (a job resuming
    /// from its checkpoint).
    public init(stream: LogStream, shards: [Int], from positions: [ReadPosition], end: CursorEnd? = nil) throws(LogError) {
        precondition(positions.count == shards.count, "one position per shard")
        self.stream = stream
        var readers: [ShardReader] = []
        for (shard, position) in zip(shards, positions) { readers.append(try stream.reader(shard: shard, from: position)) }
        self.readers = readers
        self.batches = readers.map { _ in ReadBatch() }
        self.heads = readers.map { _ in 0 }
        switch end {
        case .none:
            endSequences = readers.map { _ in nil }
            endArrivalMs = nil
        case .now:
            var ends: [UInt64?] = []
            for shard in shards { ends.append(try stream.shards[shard].describeHot().nextSequence) }
            endSequences = ends
            endArrivalMs = nil
        case let .arrival(ms):
            endSequences = readers.map { _ in nil }
            endArrivalMs = ms
        case let .sequences(ends):
            precondition(ends.count == shards.count, "one end per shard")
            endSequences = ends
            endArrivalMs = nil
        }
        finished = zip(readers, endSequences).map { reader, end in end.map { reader.nextSequence >= $0 } ?? false }
    }

    /// Per shard (in the order given at init), the sequence of the next record
    /// this cursor will hand out: where a checkpoint resumes.
    public var nextSequences: [UInt64] {
        readers.indices.map { i in heads[i] < batches[i].count ? batches[i].descriptors[heads[i]].sequence : readers[i].nextSequence }
    }

    /// Per shard (in order), whether it has reached the cursor's end.
    public var finishedShards: [Bool] { finished }

    /// The shard indexes this cursor reads, in order.
    public var shardIndexes: [Int] { readers.map(\.shardIndex) }

    /// Whether every shard has reached the cursor's end (never, without an end).
    public var isAtEnd: Bool { finished.allSatisfy { $0 } }

    /// Records skipped because retention deleted them before they were read.
    public var recordsSkippedByRetention: UInt64 { readers.reduce(0) { $0 + $1.recordsSkippedByRetention } }

    /// Per shard whose reader stopped before a bad tail of its active segment
    /// (a write in progress, or a torn tail the next append cuts): what and where.
    public var tailProblems: [(shard: Int, problem: String)] {
        readers.compactMap { reader in reader.tailProblem.map { (reader.shardIndex, $0) } }
    }

    /// A shard with no more records now, read to an arrival-time end: it is done
    /// when the time has passed (no later append can arrive before it).
    private func readerIsDrained(_ i: Int) -> Bool {
        guard let end = endArrivalMs else { return false }
        return wallClockMs() > end
    }

    /// Calls `body` with each record available now, in arrival order, until
    /// `body` returns false or `limit` records were passed; returns how many were
    /// passed. Zero means nothing new for now (call again to follow the stream).
    public func forEach(limit: Int = .max, _ body: (_ shard: Int, _ record: RecordView) throws -> Bool) throws -> Int {
        if readers.count == 1 { return try forEachOfOneShard(limit: limit, body) }
        var passed = 0
        while passed < limit {
            // Refill drained shards, then take the earliest head.
            var best = -1
            var bestArrival = Int64.max
            for i in readers.indices where !finished[i] {
                if heads[i] >= batches[i].count {
                    heads[i] = 0
                    _ = try readers[i].read(into: batches[i])
                    if batches[i].isEmpty {
                        if let end = endSequences[i], readers[i].nextSequence >= end { finished[i] = true }
                        if readerIsDrained(i) { finished[i] = true }
                        continue
                    }
                }
                let head = batches[i].descriptors[heads[i]]
                if let end = endSequences[i], head.sequence >= end { finished[i] = true; continue }
                if let end = endArrivalMs, head.arrivalMs > end { finished[i] = true; continue }
                let arrival = head.arrivalMs
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

    /// `forEach` for a one-shard cursor: no merge, a tight loop over each batch
    /// (measured: the merge bookkeeping per record was a tenth of a query's time).
    private func forEachOfOneShard(limit: Int, _ body: (_ shard: Int, _ record: RecordView) throws -> Bool) throws -> Int {
        var passed = 0
        let reader = readers[0], batch = batches[0], shard = reader.shardIndex
        let endSequence = endSequences[0], endArrival = endArrivalMs ?? .max
        while passed < limit && !finished[0] {
            if heads[0] >= batch.count {
                heads[0] = 0
                _ = try reader.read(into: batch)
                if batch.isEmpty {
                    if let endSequence, reader.nextSequence >= endSequence { finished[0] = true }
                    if readerIsDrained(0) { finished[0] = true }
                    break
                }
            }
            let base = UnsafeRawPointer(batch.buffer.baseAddress!)
            var head = heads[0]
            var stop = false
            try batch.descriptors.withUnsafeBufferPointer { descriptors in
                while head < descriptors.count && passed < limit {
                    let d = descriptors[head]
                    if let endSequence, d.sequence >= endSequence { finished[0] = true; return }
                    if d.arrivalMs > endArrival { finished[0] = true; return }
                    head += 1
                    passed += 1
                    let record = RecordView(
                        sequence: d.sequence, arrivalMs: d.arrivalMs,
                        partitionKey: UnsafeRawBufferPointer(start: base + Int(d.keyStart), count: Int(d.keyCount)),
                        payload: UnsafeRawBufferPointer(start: base + Int(d.payloadStart), count: Int(d.payloadCount)))
                    if try !body(shard, record) { stop = true; return }
                }
            }
            heads[0] = head
            if stop { break }
        }
        return passed
    }
}
