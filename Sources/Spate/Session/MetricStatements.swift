// SHOW METRICS [LIKE 'job.%']: one row per series (metric × dimensions) with
// its newest minute's value and a sparkline of the last hour, one character a
// minute (▁▂▃▄▅▆▇█, scaled from the hour's minimum to its maximum; a space
// where the minute has no data).

import SpateCatalog
import SpateSQL

extension Session {
    func showMetrics(like pattern: String?, sink: ResultSink) throws(SpateError) {
        let series = try database.metricSeries(like: pattern)
        sink.begin(columns: [
            ResultColumn(name: "metric", type: .string), ResultColumn(name: "dimensions", type: .string),
            ResultColumn(name: "last", type: .double), ResultColumn(name: "at", type: .timestamp),
            ResultColumn(name: "last_hour", type: .string),
        ])
        var summary = QuerySummary()
        for entry in series {
            sink.row([.string(entry.name), .string(entry.dimensions), .double(entry.lastValue), .timestamp(entry.lastMinuteMs),
                      .string(Self.sparkline(entry.hour))])
            summary.rows += 1
        }
        sink.end(summary)
    }

    /// ▁▂▃▄▅▆▇█ for `values` (nil: a space), scaled from their min to their max.
    static func sparkline(_ values: [Double?]) -> String {
        let bars: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
        let present = values.compactMap { $0 }
        guard let low = present.min(), let high = present.max() else { return String(repeating: " ", count: values.count) }
        return String(values.map { value -> Character in
            guard let value else { return " " }
            guard high > low else { return value == 0 ? bars[0] : bars[3] }
            let index = Int(((value - low) / (high - low) * Double(bars.count - 1)).rounded())
            return bars[min(bars.count - 1, max(0, index))]
        })
    }
}
