// The facade's metrics: series for SHOW METRICS, and the Prometheus text
// exposition format (version 0.0.4) that `spate metrics` prints and the HTTP
// endpoint serves at /metrics. Names: `spate_` + the metric's name with dots
// as underscores; counters end in `_total` (running totals that never go down:
// metric_totals), gauges are the newest minute's value, distributions are
// summaries (`_sum`, `_count`). The dimension is the label: {job="x"}.
// Then the log's gauges per stream, read now: the records and bytes the stream
// keeps (after retention) and its shards. This is the ONE metrics text: the
// HTTP endpoint serves exactly it at /metrics (every family has HELP and TYPE;
// records put into a stream are `spate_stream_records_in_total`, once).

import SpateCatalog
import SpateLog

/// One series for SHOW METRICS.
public struct MetricSeries: Sendable, Equatable {
    public var name: String
    public var dimensions: String
    /// The newest minute's value: a counter's sum, a gauge's last, a distribution's average.
    public var lastValue: Double
    public var lastMinuteMs: Int64
    /// The last 60 minutes, oldest first (nil: no data that minute).
    public var hour: [Double?]
}

extension Database {
    /// Every series whose name is LIKE `pattern` (nil: all).
    public func metricSeries(like pattern: String?) throws(SpateError) -> [MetricSeries] {
        let nowMinute = now() / 60_000 * 60_000
        let fromMs = nowMinute - 59 * 60_000
        let latest: [MetricMinute], recent: [MetricMinute]
        do {
            latest = try catalog.latestMetricMinutes(like: pattern)
            recent = try catalog.metricMinutes(like: pattern, fromMs: fromMs)
        } catch {
            throw .catalog(error.description)
        }
        var hours: [String: [Double?]] = [:]
        for minute in recent {
            let slot = Int((minute.minuteMs - fromMs) / 60_000)
            guard slot >= 0 && slot < 60 else { continue }
            hours[minute.name + "\u{0}" + minute.dimensions, default: Array(repeating: nil, count: 60)][slot] = Self.minuteValue(minute)
        }
        return latest.map { minute in
            MetricSeries(name: minute.name, dimensions: minute.dimensions, lastValue: Self.minuteValue(minute), lastMinuteMs: minute.minuteMs,
                         hour: hours[minute.name + "\u{0}" + minute.dimensions] ?? Array(repeating: nil, count: 60))
        }
    }

    static func minuteValue(_ minute: MetricMinute) -> Double {
        switch BuiltinMetric.named(minute.name)?.kind ?? .counter {
        case .counter: return minute.sum
        case .gauge: return minute.last
        case .distribution: return minute.count > 0 ? minute.sum / Double(minute.count) : 0
        }
    }

    /// The metrics in Prometheus text format (PrometheusText): what `spate
    /// metrics` prints and /metrics serves.
    public func prometheusText() throws(SpateError) -> String {
        PrometheusText.render(try metricFamilies())
    }

    /// Every metric family: the catalog's built-in metrics, then the log's per-stream gauges.
    public func metricFamilies() throws(SpateError) -> [MetricFamily] {
        let totals: [MetricTotal], latest: [MetricMinute]
        var labels: [String: [MetricFamily.Label]] = [:]
        do {
            try? catalog.flushMetrics()
            totals = try catalog.metricTotals()
            latest = try catalog.latestMetricMinutes(like: nil)
            for dimensions in Set(totals.map(\.dimensions) + latest.map(\.dimensions)) {
                labels[dimensions] = try catalog.dimensionPairs(dimensions).map { MetricFamily.Label($0.name, $0.value) }
            }
        } catch {
            throw .catalog(error.description)
        }
        var families = BuiltinMetric.all.map { metric -> MetricFamily in
            let base = "spate_" + metric.name.replacingDots
            switch metric.kind {
            case .counter:
                return MetricFamily(name: base + "_total", help: metric.help, kind: .counter, samples: totals.filter { $0.name == metric.name }.map {
                    MetricFamily.Sample(labels: labels[$0.dimensions] ?? [], value: $0.sum)
                })
            case .gauge:
                return MetricFamily(name: base, help: metric.help, kind: .gauge, samples: latest.filter { $0.name == metric.name }.map {
                    MetricFamily.Sample(labels: labels[$0.dimensions] ?? [], value: $0.last)
                })
            case .distribution:
                return MetricFamily(name: base, help: metric.help, kind: .summary, samples: totals.filter { $0.name == metric.name }.map {
                    MetricFamily.Sample(labels: labels[$0.dimensions] ?? [], value: $0.sum, count: $0.count)
                })
            }
        }
        families += streamFamilies()
        return families
    }

    /// The log's per-stream gauges, read now: what each stream keeps, the torn
    /// tails this process's recovery cut, and whether a segment of it is
    /// corrupt (a corrupt stream is 1, never silently missing). Cost:
    /// describe() reads each shard's sealed segment indexes, O(segments) a scrape.
    private func streamFamilies() -> [MetricFamily] {
        var records = MetricFamily(name: "spate_stream_records", help: "Records the stream keeps now (after retention).", kind: .gauge)
        var bytes = MetricFamily(name: "spate_stream_bytes", help: "Bytes of segment files the stream keeps now.", kind: .gauge)
        var shards = MetricFamily(name: "spate_stream_shards", help: "Shards of the stream.", kind: .gauge)
        var cut = MetricFamily(name: "spate_stream_torn_tails_cut_total", help: "Torn tails recovery cut from the stream's shards in this process.",
                               kind: .counter)
        var corrupt = MetricFamily(name: "spate_stream_corrupt",
                                   help: "1 when a segment of the stream is corrupt, truncated or missing (see spate stream check).", kind: .gauge)
        for name in (try? streamNames()) ?? [] {
            guard let stream = try? self.stream(name) else { continue }  // deleted meanwhile
            let label = [MetricFamily.Label("stream", name)]
            cut.samples.append(.init(labels: label, value: Double(stream.shards.reduce(0) { $0 + $1.tornTailsCutTotal })))
            let description: StreamDescription
            do throws(SpateError) {
                description = try describeStream(name)
                corrupt.samples.append(.init(labels: label, value: 0))
            } catch {
                if case .log(.corruptSegment) = error { corrupt.samples.append(.init(labels: label, value: 1)) }
                continue
            }
            records.samples.append(.init(labels: label, value: Double(description.recordCount)))
            bytes.samples.append(.init(labels: label, value: Double(description.bytes)))
            shards.samples.append(.init(labels: label, value: Double(description.shards.count)))
        }
        return [records, bytes, shards, cut, corrupt]
    }
}

extension String {
    fileprivate var replacingDots: String { String(map { $0 == "." ? "_" : $0 }) }
}
