// Metrics of the log, from each stream's describe(): per stream the records
// appended since it was created (a counter: the shards' next offsets), the
// records and bytes it keeps now, and its shard count. Cost: describe() reads
// each shard's sealed segment indexes, so a scrape is O(segments); fine at a
// scrape every few seconds.

import SpateLog

/// Per-stream figures of a log store.
public struct LogMetrics: MetricsSource {
    let log: LogStore

    public init(log: LogStore) { self.log = log }

    public func collect() -> [MetricFamily] {
        var appended: [MetricSample] = [], records: [MetricSample] = [], bytes: [MetricSample] = [], shards: [MetricSample] = []
        for name in (try? log.streamNames()) ?? [] {
            guard let description = try? log.stream(name).describe() else { continue }  // deleted meanwhile
            let labels = [("stream", name)]
            appended.append(MetricSample(labels: labels, value: Double(description.shards.reduce(0) { $0 + $1.nextSequence })))
            records.append(MetricSample(labels: labels, value: Double(description.recordCount)))
            bytes.append(MetricSample(labels: labels, value: Double(description.bytes)))
            shards.append(MetricSample(labels: labels, value: Double(description.shards.count)))
        }
        return [
            MetricFamily(name: "spate_stream_records_appended_total", help: "Records appended to the stream since it was created.", kind: .counter, samples: appended),
            MetricFamily(name: "spate_stream_records", help: "Records the stream keeps now (after retention).", kind: .gauge, samples: records),
            MetricFamily(name: "spate_stream_bytes", help: "Bytes of segment files the stream keeps now.", kind: .gauge, samples: bytes),
            MetricFamily(name: "spate_stream_shards", help: "Shards of the stream.", kind: .gauge, samples: shards),
        ]
    }
}
