// The metrics service. Every second it flushes this process's recorder into
// the catalog (additive, so every process flushes its own: jobs and deliveries
// record where they run). Once a minute, while holding the 'metrics' service
// lease (one process counts, so nothing is counted twice), it samples:
// - per stream, records_in and bytes_in, from the log's describe() — appends
//   come from every process (spate put, INSERT, the HTTP endpoint, embedding
//   programs), and the log layer knows no metrics, so sampling the shards'
//   heads is the one place that sees them all. The delta since the previous
//   sample is booked to the previous sample's minute. bytes_in is the growth
//   of the segments (framing included); when retention removed segments in
//   between, it is estimated as records × the shard's average record size.
//   The first sample after start is only a baseline (nothing is booked).
// - per running job, lag_ms: the age of the oldest record it has not read
//   (0 when caught up), like Kinesis' iterator age.
// And it deletes metric minutes older than the retention (7 days).

import SpateCatalog
import SpateLog
import Synchronization

/// Tunables of the metrics service.
public struct MetricsOptions: Sendable {
    public var flushIntervalMs = 1_000
    public var leaseDurationMs: Int64 = 10_000
    public var retentionMs: Int64 = Catalog.metricsRetentionMs

    public init() {}
}

public final class MetricsService: @unchecked Sendable {
    static let lease = "metrics"
    let catalog: Catalog
    let log: LogStore
    let owner: String
    let nowMs: @Sendable () -> Int64
    let options: MetricsOptions
    private let loop = ServiceLoop()
    /// Per stream, per shard: (next sequence, bytes, earliest sequence) at the last sample.
    private var previous: [String: [(next: UInt64, bytes: Int, earliest: UInt64)]] = [:]
    private var previousMs: Int64 = 0
    private var sampledMinute: Int64 = -1
    let events: ServiceLogEvents

    public init(catalog: Catalog, log: LogStore, owner: String, nowMs: @escaping @Sendable () -> Int64, options: MetricsOptions = MetricsOptions(),
                logOutput: JobLogOutput? = nil) {
        self.catalog = catalog
        self.log = log
        self.owner = owner
        self.nowMs = nowMs
        self.options = options
        events = ServiceLogEvents(service: Self.lease, catalog: catalog, nowMs: nowMs, output: logOutput)
    }

    public func start() {
        loop.start(intervalMs: options.flushIntervalMs, round: { [self] in
            tick(nowMs: nowMs())
        }, closing: { [self] in
            try? catalog.flushMetrics()
            try? catalog.releaseServiceLease(Self.lease, owner: owner)
            events.released(owner: owner)
            try? catalog.flushJobLog(nowMs: nowMs())
        })
    }

    public func stop() { loop.stop() }

    /// One round: sample at a new minute (with the lease), then flush the
    /// metrics and this process's job log entries.
    public func tick(nowMs now: Int64) {
        let minute = now / 60_000
        if minute != sampledMinute {
            let held = (try? catalog.acquireServiceLease(Self.lease, owner: owner, nowMs: now, durationMs: options.leaseDurationMs)) == true
            events.lease(held: held, owner: owner)
            if held {
                sampledMinute = minute
                sampleStreams(nowMs: now)
                sampleLag(nowMs: now)
                _ = try? catalog.deleteMetrics(olderThanMs: now - options.retentionMs)
            }
        }
        do { try catalog.flushMetrics() } catch { events.roundFailed(error) }
        try? catalog.flushJobLog(nowMs: now)
    }

    func sampleStreams(nowMs now: Int64) {
        guard let names = try? log.streamNames() else { return }
        var current: [String: [(next: UInt64, bytes: Int, earliest: UInt64)]] = [:]
        let recorder = catalog.metricsRecorder
        for name in names {
            guard let description = try? log.stream(name).describe() else { continue }
            let shards = description.shards.map { (next: $0.nextSequence, bytes: $0.bytes, earliest: $0.earliestSequence) }
            current[name] = shards
            guard let before = previous[name], before.count == shards.count else { continue }
            var records: UInt64 = 0, bytes = 0
            for (old, new) in zip(before, shards) {
                let added = new.next >= old.next ? new.next - old.next : 0
                records += added
                if new.earliest == old.earliest && new.bytes >= old.bytes {
                    bytes += new.bytes - old.bytes
                } else {
                    let kept = max(1, new.next - new.earliest)
                    bytes += Int(Double(added) * Double(new.bytes) / Double(kept))
                }
            }
            recorder.record(BuiltinMetric.streamRecordsIn.name, "stream", name, Double(records), atMs: previousMs)
            recorder.record(BuiltinMetric.streamBytesIn.name, "stream", name, Double(bytes), atMs: previousMs)
        }
        previous = current
        previousMs = now
    }

    func sampleLag(nowMs now: Int64) {
        guard let jobs = try? catalog.jobs() else { return }
        let batch = ReadBatch()
        for job in jobs where job.state == .running {
            guard let checkpoint = try? catalog.checkpoint(job: job.name) else { continue }
            var lagMs: Int64 = 0
            for offset in checkpoint.inputOffsets {
                guard let stream = try? log.stream(offset.stream), offset.shard < stream.shards.count,
                      let head = try? stream.shards[offset.shard].describe().nextSequence, UInt64(offset.nextOffset) < head,
                      let reader = try? stream.reader(shard: offset.shard, from: .atSequence(UInt64(offset.nextOffset))),
                      let n = try? reader.read(into: batch, maxRecords: 1), n > 0 else { continue }
                lagMs = max(lagMs, now - batch[0].arrivalMs)
            }
            catalog.metricsRecorder.record(BuiltinMetric.jobLagMs.name, "job", job.name, Double(max(0, lagMs)), atMs: now)
        }
    }
}
