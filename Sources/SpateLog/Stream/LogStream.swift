// A stream: its manifest and its shards. Appends route each record to a shard by
// its partition key; records without a key are spread round-robin. Appends to
// several shards are written first and awaited together, so a batch costs one
// durability wait, not one per shard.

/// Where one appended record went.
public struct AppendedRecord: Sendable, Equatable {
    public var shard: Int
    public var sequence: UInt64
}

/// The outcome of appending a batch to a stream.
public struct StreamAppendResult: Sendable {
    /// Per record, in the order of the batch.
    public var records: [AppendedRecord]
    public var arrivalMs: Int64
}

/// A stream append whose records are written but not yet known durable.
public struct PendingStreamAppend: Sendable {
    let count: Int
    /// Shard of each record (nil: a single-shard stream, or a batch routed by
    /// its caller, whose records are listed shard by shard).
    let route: [Int]?
    /// Per shard, the append made there.
    let pending: [PendingAppend?]

    /// Records of the append per shard.
    public var recordsPerShard: [Int] { pending.map { $0?.result.count ?? 0 } }
}

/// Summary of a stream.
public struct StreamDescription: Sendable, Equatable {
    public var name: String
    public var settings: StreamSettings
    public var createdMs: Int64
    public var shards: [ShardDescription]
    /// Bytes and records of the hot tier.
    public var bytes: Int { shards.reduce(0) { $0 + $1.bytes } }
    public var recordCount: UInt64 { shards.reduce(0) { $0 + $1.recordCount } }
    /// Segments, bytes and records in the archive (zero without one).
    public var archivedSegmentCount: Int { shards.reduce(0) { $0 + ($1.archived?.segmentCount ?? 0) } }
    public var archivedBytes: Int { shards.reduce(0) { $0 + ($1.archived?.bytes ?? 0) } }
    public var archivedRecordCount: UInt64 { shards.reduce(0) { $0 + ($1.archived?.recordCount ?? 0) } }
    /// The oldest arrival time in the archive, over all shards.
    public var archivedEarliestArrivalMs: Int64? { shards.compactMap { $0.archived?.earliestArrivalMs }.min() }
    /// The first problem with the archive any shard reports (unreadable, a failed move).
    public var archiveProblem: String? { shards.lazy.compactMap { $0.archived?.problem }.first }
}

/// One stream of the log.
public final class LogStream: @unchecked Sendable {
    public let name: String
    let path: String
    public let shards: [Shard]
    public let router: PartitionRouter
    private let mutex = PosixMutex()
    private var manifest: StreamManifest
    private var roundRobin = 0

    init(name: String, path: String, manifest: StreamManifest, now: @escaping @Sendable () -> Int64,
         onRecovery: (@Sendable (RecoveryEvent) -> Void)? = nil) throws(LogError) {
        self.name = name
        self.path = path
        self.manifest = manifest
        var shards: [Shard] = []
        for i in 0..<manifest.settings.shardCount {
            shards.append(try Shard(streamName: name, index: i, path: path + "/" + ShardDirectory.shardName(i),
                                    settings: manifest.settings, streamCreatedMs: manifest.createdMs, now: now, onRecovery: onRecovery))
        }
        self.shards = shards
        self.router = PartitionRouter(shardCount: manifest.settings.shardCount)
    }

    public var settings: StreamSettings { mutex.withLock { manifest.settings } }
    public var createdMs: Int64 { mutex.withLock { manifest.createdMs } }

    /// The shard a record with this key goes to (nil key: round-robin).
    func shardIndex(forKey key: UnsafeRawBufferPointer) -> Int {
        if shards.count == 1 { return 0 }
        if key.isEmpty {
            return mutex.withLock {
                roundRobin = (roundRobin + 1) % shards.count
                return roundRobin
            }
        }
        return router.shard(forKey: key)
    }

    /// Appends `batch`, routing each record by its partition key, and returns
    /// once all of it is as durable as the stream's setting promises.
    public func append(_ batch: AppendBatch) throws(LogError) -> StreamAppendResult {
        try waitDurable(try appendWithoutWaiting(batch))
    }

    /// Writes `batch` to its shards without waiting for durability; pass the
    /// result to `waitDurable` before acknowledging. A bulk writer keeps a few
    /// batches in flight this way, so that writing overlaps the fsync.
    public func appendWithoutWaiting(_ batch: AppendBatch) throws(LogError) -> PendingStreamAppend {
        if shards.count == 1 {
            return PendingStreamAppend(count: batch.count, route: nil, pending: [try shards[0].appendWithoutWaiting(batch)])
        }
        let perShard = (0..<shards.count).map { _ in FrameBatch(byteCapacity: batch.frameBytes / shards.count + 1024) }
        var route = [Int](repeating: 0, count: batch.count)
        for i in 0..<batch.count {
            let shard = batch.withRecord(i) { key, _ in shardIndex(forKey: key) }
            route[i] = shard
            try batch.withRecord(i) { (key, payload) throws(LogError) in try perShard[shard].append(key: key, payload: payload) }
        }
        let routed = try appendWithoutWaiting(routed: perShard)
        return PendingStreamAppend(count: routed.count, route: route, pending: routed.pending)
    }

    /// Writes batches already routed by the caller (`perShard[i]` for shard
    /// `i`, routed with `router` or spread as the caller chose) without waiting
    /// for durability. A bulk writer frames on its own threads and routes once;
    /// here each shard only seals and writes. The result lists records shard by shard.
    /// - Precondition: one batch per shard.
    public func appendWithoutWaiting(routed perShard: [FrameBatch]) throws(LogError) -> PendingStreamAppend {
        precondition(perShard.count == shards.count, "one frame batch per shard")
        var pending: [PendingAppend?] = Array(repeating: nil, count: shards.count)
        let count = perShard.reduce(0) { $0 + $1.count }
        for (i, frames) in perShard.enumerated() where !frames.isEmpty {
            do throws(LogError) {
                pending[i] = try shards[i].appendWithoutWaiting(frames)
            } catch {
                // All or nothing where it can be: take back what earlier shards got.
                _ = retract(PendingStreamAppend(count: count, route: nil, pending: pending))
                throw error
            }
        }
        return PendingStreamAppend(count: count, route: nil, pending: pending)
    }

    /// Takes back a written, unacknowledged append from every shard it went to
    /// (see `Shard.retract`); returns, per shard, the records that could not be
    /// taken back (another writer appended after them, a roll sealed them, or
    /// the take-back itself failed: an I/O error, which may leave them written).
    public func retract(_ append: PendingStreamAppend) -> [Int] {
        var left = [Int](repeating: 0, count: shards.count)
        for (i, p) in append.pending.enumerated() {
            guard let p else { continue }
            if (try? shards[i].retract(p)) != true { left[i] = p.result.count }
        }
        return left
    }

    /// Waits until `pending` is durable; returns where each record went.
    public func waitDurable(_ pending: PendingStreamAppend) throws(LogError) -> StreamAppendResult {
        var arrivalMs: Int64 = 0
        for (i, p) in pending.pending.enumerated() {
            guard let p else { continue }
            try shards[i].waitDurable(p)
            arrivalMs = max(arrivalMs, p.result.arrivalMs)
        }
        var records: [AppendedRecord] = []
        records.reserveCapacity(pending.count)
        if let route = pending.route {
            var nextInShard = pending.pending.map { $0?.result.firstSequence ?? 0 }
            for shard in route {
                records.append(AppendedRecord(shard: shard, sequence: nextInShard[shard]))
                nextInShard[shard] += 1
            }
        } else {
            for case let (shard, p?) in pending.pending.enumerated() {
                for k in 0..<UInt64(p.result.count) { records.append(AppendedRecord(shard: shard, sequence: p.result.firstSequence + k)) }
            }
        }
        return StreamAppendResult(records: records, arrivalMs: arrivalMs)
    }

    /// A cursor over shard `shard` starting at `position`.
    public func reader(shard: Int, from position: ReadPosition) throws(LogError) -> ShardReader {
        guard shards.indices.contains(shard) else { throw .shardNotFound(stream: name, shard: shard) }
        return try ShardReader(shardIndex: shard, tiers: shards[shard].currentTiers, shard: shards[shard], from: position)
    }

    /// Sizes, sequence ranges and times of every shard.
    public func describe() throws(LogError) -> StreamDescription {
        var descriptions: [ShardDescription] = []
        for shard in shards { descriptions.append(try shard.describe()) }
        let manifest = mutex.withLock { self.manifest }
        return StreamDescription(name: name, settings: manifest.settings, createdMs: manifest.createdMs, shards: descriptions)
    }

    /// Deletes (or moves to the archive) what retention no longer keeps in the
    /// hot tier; returns segments deleted or archived.
    public func enforceRetention() throws(LogError) -> Int {
        var deleted = 0
        for shard in shards { deleted += try shard.enforceRetention() }
        return deleted
    }

    /// Torn tails recovery cut off since the last call.
    public func takeRecoveryEvents() -> [RecoveryEvent] {
        shards.flatMap { $0.takeRecoveryEvents() }
    }

    func replaceManifest(_ new: StreamManifest) {
        mutex.withLock { manifest = new }
        for shard in shards { shard.update(settings: new.settings) }
    }
}

extension LogStream {
    /// Checks every segment and index of every shard; changes nothing.
    public func check() throws(LogError) -> [ShardCheckReport] {
        var reports: [ShardCheckReport] = []
        for shard in shards { reports.append(try shard.check()) }
        return reports
    }
}
