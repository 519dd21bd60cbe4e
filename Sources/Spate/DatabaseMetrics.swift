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

    /// The metrics in Prometheus text format.
    public func prometheusText() throws(SpateError) -> String {
        let totals: [MetricTotal], latest: [MetricMinute]
        var labels: [String: String] = [:]
        do {
            try? catalog.flushMetrics()
            totals = try catalog.metricTotals()
            latest = try catalog.latestMetricMinutes(like: nil)
            for dimensions in Set(totals.map(\.dimensions) + latest.map(\.dimensions)) {
                let pairs = try catalog.dimensionPairs(dimensions)
                labels[dimensions] = pairs.isEmpty ? "" : "{" + pairs.map { "\(Self.labelName($0.name))=\"\(Self.labelValue($0.value))\"" }.joined(separator: ",") + "}"
            }
        } catch {
            throw .catalog(error.description)
        }
        var out = ""
        for metric in BuiltinMetric.all {
            let base = "spate_" + metric.name.replacingDots
            switch metric.kind {
            case .counter:
                out += "# HELP \(base)_total \(metric.help)\n# TYPE \(base)_total counter\n"
                for total in totals where total.name == metric.name {
                    out += "\(base)_total\(labels[total.dimensions] ?? "") \(Self.number(total.sum))\n"
                }
            case .gauge:
                out += "# HELP \(base) \(metric.help)\n# TYPE \(base) gauge\n"
                for minute in latest where minute.name == metric.name {
                    out += "\(base)\(labels[minute.dimensions] ?? "") \(Self.number(minute.last))\n"
                }
            case .distribution:
                out += "# HELP \(base) \(metric.help)\n# TYPE \(base) summary\n"
                for total in totals where total.name == metric.name {
                    out += "\(base)_sum\(labels[total.dimensions] ?? "") \(Self.number(total.sum))\n"
                    out += "\(base)_count\(labels[total.dimensions] ?? "") \(total.count)\n"
                }
            }
        }
        out += streamGauges()
        return out
    }

    /// The log's per-stream gauges, in the same text format: what each stream
    /// keeps, the torn tails this process's recovery cut, and whether a segment
    /// of it is corrupt (a corrupt stream is 1, never silently missing).
    private func streamGauges() -> String {
        var records = "", bytes = "", shards = "", cut = "", corrupt = ""
        for name in (try? streamNames()) ?? [] {
            guard let stream = try? self.stream(name) else { continue }  // deleted meanwhile
            let label = "{stream=\"\(Self.labelValue(name))\"}"
            cut += "spate_stream_torn_tails_cut_total\(label) \(stream.shards.reduce(0) { $0 + $1.tornTailsCutTotal })\n"
            let description: StreamDescription
            do throws(SpateError) {
                description = try describeStream(name)
                corrupt += "spate_stream_corrupt\(label) 0\n"
            } catch {
                if case .log(.corruptSegment) = error { corrupt += "spate_stream_corrupt\(label) 1\n" }
                continue
            }
            records += "spate_stream_records\(label) \(description.recordCount)\n"
            bytes += "spate_stream_bytes\(label) \(description.bytes)\n"
            shards += "spate_stream_shards\(label) \(description.shards.count)\n"
        }
        return "# HELP spate_stream_records Records the stream keeps now (after retention).\n# TYPE spate_stream_records gauge\n" + records
            + "# HELP spate_stream_bytes Bytes of segment files the stream keeps now.\n# TYPE spate_stream_bytes gauge\n" + bytes
            + "# HELP spate_stream_shards Shards of the stream.\n# TYPE spate_stream_shards gauge\n" + shards
            + "# HELP spate_stream_torn_tails_cut_total Torn tails recovery cut from the stream's shards in this process.\n"
            + "# TYPE spate_stream_torn_tails_cut_total counter\n" + cut
            + "# HELP spate_stream_corrupt 1 when a segment of the stream is corrupt, truncated or missing (see spate stream check).\n"
            + "# TYPE spate_stream_corrupt gauge\n" + corrupt
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    static func labelName(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
    }

    static func labelValue(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}

extension String {
    fileprivate var replacingDots: String { String(map { $0 == "." ? "_" : $0 }) }
}
