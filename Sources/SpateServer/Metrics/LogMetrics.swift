// Metrics of the log, from each stream's describe(): per stream the records
// appended since it was created (a counter: the shards' next offsets), the
// records and bytes it keeps now, and its shard count; the torn tails this
// process's recovery cut; and whether describe() found the stream corrupt (a
// corrupt stream is a gauge of 1, never silently missing from the scrape). Cost: describe() reads
// each shard's sealed segment indexes, so a scrape is O(segments); fine at a
// scrape every few seconds.

import SpateLog

/// Per-stream figures of a log store.
public struct LogMetrics: MetricsSource {
    let log: LogStore

    public init(log: LogStore) { self.log = log }

    public func collect() -> [MetricFamily] {
        var appended: [MetricSample] = [], records: [MetricSample] = [], bytes: [MetricSample] = [], shards: [MetricSample] = []
        var cut: [MetricSample] = [], corrupt: [MetricSample] = []
        for name in (try? log.streamNames()) ?? [] {
            guard let stream = try? log.stream(name) else { continue }  // deleted meanwhile
            let labels = [("stream", name)]
            cut.append(MetricSample(labels: labels, value: Double(stream.shards.reduce(0) { $0 + $1.tornTailsCutTotal })))
            let description: StreamDescription
            do throws(LogError) {
                description = try stream.describe()
                corrupt.append(MetricSample(labels: labels, value: 0))
            } catch {
                if case .corruptSegment = error { corrupt.append(MetricSample(labels: labels, value: 1)) }
                continue
            }
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
            MetricFamily(name: "spate_stream_torn_tails_cut_total", help: "Torn tails recovery cut from the stream's shards in this process.", kind: .counter, samples: cut),
            MetricFamily(name: "spate_stream_corrupt", help: "1 when a segment of the stream is corrupt, truncated or missing (see spate stream check).", kind: .gauge, samples: corrupt),
        ]
    }
}
