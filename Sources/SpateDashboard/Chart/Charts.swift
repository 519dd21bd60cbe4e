// The dashboard's charts, in one place: which series each chart shows, in
// which unit, with which threshold. Pages and JSON endpoints both draw here,
// so a chart looks the same on first load and after a live update.

import Spate
import SpateCatalog

enum Charts {
    static func streamRecords(_ stream: DashboardReads.StreamSummary, range: ChartRange) -> SVGChart {
        SVGChart(range: range, series: [TimeSeries(name: "records/s", unit: .recordsPerSecond, values: stream.recordsPerSecond)])
    }

    static func streamBytes(_ stream: DashboardReads.StreamSummary, range: ChartRange) -> SVGChart {
        SVGChart(range: range, series: [TimeSeries(name: "bytes/s", unit: .bytesPerSecond, values: stream.bytesPerSecond)])
    }

    static func jobAnomalies(_ job: DashboardReads.JobSummary, nowMs: Int64) -> SVGChart {
        SVGChart(range: ChartRange(name: "1h", nowMs: nowMs)!, series: [TimeSeries(name: "anomalies", unit: .perMinute, values: job.anomalies)])
    }

    /// A job's series over `range`: records in and out per second, anomalies per minute, lag, late records per minute.
    static func jobSeries(_ job: String, reads: DashboardReads, range: ChartRange) throws(SpateError) -> [TimeSeries] {
        func one(_ metric: BuiltinMetric, _ statistic: DashboardReads.SeriesStatistic, _ unit: ValueUnit, _ label: String) throws(SpateError) -> TimeSeries {
            let values = try reads.series(metric: metric.name, dimension: "job", values: [job], range: range, statistic: statistic)[job]
            return TimeSeries(name: label, unit: unit, values: values ?? Array(repeating: nil, count: range.bucketCount))
        }
        return [
            try one(.jobRecordsIn, .ratePerSecond, .recordsPerSecond, "records in"),
            try one(.jobRecordsOut, .ratePerSecond, .recordsPerSecond, "records out"),
            try one(.jobAnomalies, .perMinute, .perMinute, "anomalies"),
            try one(.jobLagMs, .maximum, .milliseconds, "lag"),
            try one(.jobLateRecords, .perMinute, .perMinute, "late records"),
        ]
    }

    /// Records in and out share a chart (same unit); the others have one each.
    static func jobCharts(_ series: [TimeSeries], range: ChartRange) -> [SVGChart] {
        guard series.count == 5 else { return series.map { SVGChart(range: range, series: [$0]) } }
        return [SVGChart(range: range, series: Array(series[0...1]))] + series[2...].map { SVGChart(range: range, series: [$0]) }
    }

    /// A key's detector score: the score line, the threshold line it was held
    /// to (calibrated thresholds move, so it is a series, not one level), and
    /// the buckets with flagged rows shaded.
    static func scores(_ series: DashboardReads.ScoreSeries, key: String, range: ChartRange) -> SVGChart {
        SVGChart(range: range,
                 series: [TimeSeries(name: "score of \(key)", unit: .score, values: series.scores),
                          TimeSeries(name: "threshold", unit: .score, values: series.thresholds)],
                 markedBuckets: series.flaggedBuckets)
    }

    static func alarm(_ alarm: DashboardReads.AlarmSummary) -> SVGChart {
        SVGChart(range: alarm.range, series: [TimeSeries(name: "\(alarm.statistic)(\(alarm.metric))", unit: .count, values: alarm.values)],
                 threshold: alarm.threshold, markedBuckets: alarm.breachingBuckets, windowBuckets: alarm.alarmingWindows)
    }
}
