// Bulk append: how close a bulk producer gets to the raw disk. Each writer thread
// appends large batches and keeps up to `bulkBatchesInFlightMax` of them in
// flight: it writes a batch with `Shard.appendWithoutWaiting` and awaits the
// oldest with `waitDurable` only when the window is full. `LogStream` has no
// pipelined append, so the writer routes records to shards itself, with the
// stream's router (keys hashed once, before timing), as `LogStream.append` does.
//
// One writer appends to a 1-shard stream; two writers share one 2-shard stream,
// each splitting every batch between the two shards. Every configuration gets a
// fresh stream, deleted afterwards, with a global sync() in between so one
// configuration's write-back does not land in the next one's time. A full run
// repeats each configuration three times (this virtual disk varies by 2x from
// one minute to the next) and prints the run with the median time, with the
// range of disk MB/s over the runs.

import SpateLog

#if canImport(Glibc)
import Glibc
#endif

/// One row of the bulk table.
private struct BulkConfiguration {
    var payloadBytes: Int
    var durability: Durability
    var writerCount: Int
    var shardCount: Int { writerCount }
    var batchRecords: Int { payloadBytes >= 1024 ? 1_024 : 8_192 }
}

/// What one configuration measured.
private struct BulkResult {
    var recordCount: Int
    var payloadBytes: Int
    var frameBytes: Int
    var seconds: Double
    var batchLatencies: Percentiles
}

func runBulkAppend(in directory: String, scale: Scale, raw: RawDiskFigures) throws(LogError) {
    printSection("""
        Bulk append: ~\(scale.bulkPayloadBytes >> 20) MiB of payload per run, median of \(scale.bulkRuns) run(s) per row; batches of 8,192 records (1 KiB: 1,024), \
        up to \(scale.bulkBatchesInFlightMax) in flight per writer; keys user0..user499; 64 MiB segments
          disk MB/s counts whole frames (26 B + key + payload); % raw = disk MB/s / raw sequential write;
          latency = one batch, from appendWithoutWaiting to the return of its waitDurable;
          durability none never syncs: its figures are page-cache speed, not the disk's
        """)
    let table = Table([
        .init(title: "payload", width: 7),
        .init(title: "durability", width: 10, leftAligned: true),
        .init(title: "writers", width: 7),
        .init(title: "shards", width: 6),
        .init(title: "records/s", width: 11),
        .init(title: "payload MB/s", width: 12),
        .init(title: "disk MB/s", width: 9),
        .init(title: "% raw", width: 6),
        .init(title: "disk MB/s range", width: 15),
        .init(title: "batch p50", width: 9),
        .init(title: "batch p99", width: 9),
    ])
    table.printHeader()
    let store = try LogStore.open(directory + "/bulk")
    for payloadBytes in [100, 1024] {
        let source = RecordSource(payloadBytes: payloadBytes, seed: UInt64(payloadBytes))
        for durability in [Durability.batch, .always, .none] {
            for writerCount in [1, 2] {
                let configuration = BulkConfiguration(payloadBytes: payloadBytes, durability: durability, writerCount: writerCount)
                var runs: [BulkResult] = []
                for _ in 0..<scale.bulkRuns {
                    runs.append(try measureBulk(configuration, store: store, source: source, scale: scale))
                }
                runs.sort { $0.seconds < $1.seconds }
                let result = runs[runs.count / 2]
                let diskMBPerSecond = Double(result.frameBytes) / 1e6 / result.seconds
                let range = runs.count < 2 ? "-" : fixed(Double(runs.last!.frameBytes) / 1e6 / runs.last!.seconds, 0)
                    + "-" + fixed(Double(runs[0].frameBytes) / 1e6 / runs[0].seconds, 0)
                table.printRow([
                    payloadBytes >= 1024 ? "\(payloadBytes >> 10) KiB" : "\(payloadBytes) B",
                    durability.rawValue,
                    "\(writerCount)",
                    "\(configuration.shardCount)",
                    groupedRate(Double(result.recordCount) / result.seconds),
                    fixed(Double(result.payloadBytes) / 1e6 / result.seconds, 1),
                    fixed(diskMBPerSecond, 1),
                    fixed(100 * diskMBPerSecond / raw.sequentialMBPerSecond, 0) + "%",
                    range,
                    result.batchLatencies.text(0.5),
                    result.batchLatencies.text(0.99),
                ])
            }
        }
    }
}

private func measureBulk(_ configuration: BulkConfiguration, store: LogStore, source: RecordSource,
                         scale: Scale) throws(LogError) -> BulkResult {
    let name = "bulk-\(configuration.payloadBytes)-\(configuration.durability.rawValue)-\(configuration.writerCount)w"
    let stream = try store.createStream(name, settings: StreamSettings(
        shardCount: configuration.shardCount, durability: configuration.durability))
    let shardOfKey = source.shardOfKey(stream.router)
    let writerCount = configuration.writerCount
    let batchPayloadBytes = configuration.batchRecords * configuration.payloadBytes
    let batchesTotal = (scale.bulkPayloadBytes + batchPayloadBytes - 1) / batchPayloadBytes
    let batchesPerWriter = max(1, (batchesTotal + writerCount - 1) / writerCount)

    // Everything a writer needs, allocated and grown before the clock starts.
    let batches = PerThread<[AppendBatch]>(count: writerCount, initial: [])
    for w in 0..<writerCount {
        batches[w] = try preparedBatches(count: configuration.shardCount, records: configuration.batchRecords, source: source)
    }
    let latencies = (0..<writerCount).map { _ in LatencySamples(capacity: batchesPerWriter) }
    let frameBytes = PerThread<Int>(count: writerCount, initial: 0)
    let errors = PerThread<LogError?>(count: writerCount, initial: nil)
    sync()

    let start = monotonicNs()
    runOnThreads(writerCount) { w in
        do throws(LogError) {
            var writer = BulkWriter(stream: stream, source: source, shardOfKey: shardOfKey,
                                    batchRecords: configuration.batchRecords, inFlightMax: scale.bulkBatchesInFlightMax,
                                    batches: batches[w], latencies: latencies[w])
            frameBytes[w] = try writer.run(firstRecord: w * batchesPerWriter * configuration.batchRecords,
                                           batchCount: batchesPerWriter)
        } catch {
            errors[w] = error
        }
    }
    let elapsed = seconds(from: start, to: monotonicNs())
    if let error = errors.all.compactMap({ $0 }).first { throw error }

    let recordCount = writerCount * batchesPerWriter * configuration.batchRecords
    let description = try stream.describe()
    precondition(description.recordCount == UInt64(recordCount), "the stream holds every record appended")
    try store.deleteStream(name)
    return BulkResult(recordCount: recordCount, payloadBytes: recordCount * configuration.payloadBytes,
                      frameBytes: frameBytes.all.reduce(0, +), seconds: elapsed, batchLatencies: Percentiles(latencies))
}

/// One empty batch per shard, each already grown to hold a whole batch.
private func preparedBatches(count: Int, records: Int, source: RecordSource) throws(LogError) -> [AppendBatch] {
    var batches = [AppendBatch](repeating: AppendBatch(), count: count)
    for shard in 0..<count {
        var one = [AppendBatch()]
        _ = try source.fill(&one, shardOfKey: [Int](repeating: 0, count: RecordSource.keyCount), records: 0..<records)
        one[0].removeAll()
        batches[shard] = one[0]
    }
    return batches
}

/// The loop of one bulk writer: fill, write without waiting, await the oldest
/// batch when the window is full.
private struct BulkWriter {
    let stream: LogStream
    let source: RecordSource
    let shardOfKey: [Int]
    let batchRecords: Int
    let inFlightMax: Int
    var batches: [AppendBatch]
    let latencies: LatencySamples

    /// Pending appends of each in-flight batch (one per shard it touched), a ring.
    private var window: [[PendingAppend?]]
    private var startedNs: [UInt64]
    private var oldest = 0
    private var inFlight = 0

    init(stream: LogStream, source: RecordSource, shardOfKey: [Int], batchRecords: Int, inFlightMax: Int,
         batches: [AppendBatch], latencies: LatencySamples) {
        self.stream = stream
        self.source = source
        self.shardOfKey = shardOfKey
        self.batchRecords = batchRecords
        self.inFlightMax = inFlightMax
        self.batches = batches
        self.latencies = latencies
        window = Array(repeating: Array(repeating: nil, count: stream.shards.count), count: inFlightMax)
        startedNs = Array(repeating: 0, count: inFlightMax)
    }

    /// Appends `batchCount` batches starting at record `firstRecord`; returns the frame bytes written.
    mutating func run(firstRecord: Int, batchCount: Int) throws(LogError) -> Int {
        var frameBytes = 0
        for b in 0..<batchCount {
            if inFlight == inFlightMax { try awaitOldest() }
            let first = firstRecord + b * batchRecords
            frameBytes += try source.fill(&batches, shardOfKey: shardOfKey, records: first..<first + batchRecords)
            let slot = (oldest + inFlight) % inFlightMax
            startedNs[slot] = monotonicNs()
            for shard in batches.indices where !batches[shard].isEmpty {
                window[slot][shard] = try stream.shards[shard].appendWithoutWaiting(batches[shard])
                batches[shard].removeAll()
            }
            inFlight += 1
        }
        while inFlight > 0 { try awaitOldest() }
        return frameBytes
    }

    private mutating func awaitOldest() throws(LogError) {
        for shard in window[oldest].indices {
            guard let pending = window[oldest][shard] else { continue }
            try stream.shards[shard].waitDurable(pending)
            window[oldest][shard] = nil
        }
        latencies.record(monotonicNs() - startedNs[oldest])
        oldest = (oldest + 1) % inFlightMax
        inFlight -= 1
    }
}
