// The metrics Spate measures, registered in one place: name, kind, dimension
// and help text. `SHOW METRICS`, the Prometheus text (`spate metrics`,
// /metrics) and the recorders all go by this list. Adding a metric touches
// this file and the one place that records it.
//
// Kinds: a counter's minute is the sum of its increments (Prometheus: a
// `_total` counter over all time, from `metric_totals`); a gauge's minute is
// its last value; a distribution (a duration) keeps sum, count, min and max
// per minute (Prometheus: a summary's `_sum` and `_count`).

/// How a metric's values combine.
public enum MetricKind: String, Sendable {
    case counter, gauge, distribution
}

/// A metric Spate records.
public struct BuiltinMetric: Sendable {
    public var name: String
    public var kind: MetricKind
    /// The dimension that tells series apart: stream, job or channel.
    public var dimension: String
    public var help: String

    public static let streamRecordsIn = BuiltinMetric(name: "stream.records_in", kind: .counter, dimension: "stream",
                                                      help: "Records appended to the stream.")
    public static let streamBytesIn = BuiltinMetric(name: "stream.bytes_in", kind: .counter, dimension: "stream",
                                                    help: "Bytes appended to the stream's segments (framing included).")
    public static let jobRecordsIn = BuiltinMetric(name: "job.records_in", kind: .counter, dimension: "job",
                                                   help: "Records the job read.")
    public static let jobRecordsOut = BuiltinMetric(name: "job.records_out", kind: .counter, dimension: "job",
                                                    help: "Rows the job produced (alerts, results or stream records).")
    public static let jobAnomalies = BuiltinMetric(name: "job.anomalies", kind: .counter, dimension: "job",
                                                   help: "Alerts the job raised.")
    public static let jobLateRecords = BuiltinMetric(name: "job.late_records", kind: .counter, dimension: "job",
                                                     help: "Records that arrived after their window closed (dropped).")
    public static let jobLagMs = BuiltinMetric(name: "job.lag_ms", kind: .gauge, dimension: "job",
                                               help: "Age in ms of the oldest record the job has not yet read (0 when caught up).")
    public static let jobCheckpointMs = BuiltinMetric(name: "job.checkpoint_ms", kind: .distribution, dimension: "job",
                                                      help: "Duration of the job's checkpoint transactions in ms.")
    public static let channelDeliveries = BuiltinMetric(name: "channel.deliveries", kind: .counter, dimension: "channel",
                                                        help: "Alerts delivered on the channel.")
    public static let channelFailures = BuiltinMetric(name: "channel.failures", kind: .counter, dimension: "channel",
                                                      help: "Delivery attempts that failed (each retry counts).")
    public static let channelGivenUp = BuiltinMetric(name: "channel.given_up", kind: .counter, dimension: "channel",
                                                     help: "Deliveries marked failed after their last attempt.")
    public static let channelSuppressed = BuiltinMetric(name: "channel.suppressed", kind: .counter, dimension: "channel",
                                                        help: "Alerts folded into a summary by the channel's rate limit.")
    public static let channelLatencyMs = BuiltinMetric(name: "channel.latency_ms", kind: .distribution, dimension: "channel",
                                                       help: "Duration in ms of each successful delivery attempt.")

    public static let all: [BuiltinMetric] = [
        streamRecordsIn, streamBytesIn, jobRecordsIn, jobRecordsOut, jobAnomalies, jobLateRecords, jobLagMs, jobCheckpointMs,
        channelDeliveries, channelFailures, channelGivenUp, channelSuppressed, channelLatencyMs,
    ]

    /// The metric called `name`, if Spate records it.
    public static func named(_ name: String) -> BuiltinMetric? { all.first { $0.name == name } }
}
