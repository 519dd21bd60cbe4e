// The hourly roll-up of the per-minute metrics (schema/0007): it always equals
// the minutes grouped by hour — sums, counts, min, max, and the last value of
// the hour's latest minute, whatever order the samples arrive in — and
// retention trims an hour once all of its minutes are gone.

@testable import SpateCatalog
import Testing

@Suite struct MetricHoursTests {
    func rows(_ catalog: Catalog, _ sql: String) throws -> [[CatalogValue]] {
        let result = try catalog.query(sql: sql)
        return result.rows.map(Array.init)
    }

    @Test func hoursEqualTheMinutesGroupedByHour() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        let hour: Int64 = 3_600_000, t0: Int64 = 1_732_392_000_000 // an hour boundary
        var samples: [MetricSample] = []
        // Three hours of minutes for two streams, in a shuffled order, some minutes twice.
        var state: UInt64 = 9
        for i in 0..<400 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let minute = t0 + Int64(state >> 33 % 180) % 180 * 60_000
            let value = Double(i % 37)
            samples.append(MetricSample(name: "stream.records_in", dimensions: #"{"stream":"s\#(i % 2)"}"#, minuteMs: minute,
                                        sum: value, count: 1, min: value, max: value, last: value))
        }
        try catalog.addMetrics(Array(samples[..<200]))
        try catalog.addMetrics(Array(samples[200...]))
        let hours = try rows(catalog, "SELECT name, dimensions, hour_at, sum_value, sample_count, min_value, max_value, last_value FROM metric_hours ORDER BY 1, 2, 3")
        let grouped = try rows(catalog, """
            SELECT m.name, m.dimensions, m.minute_at / 3600000 * 3600000, SUM(m.sum_value), SUM(m.sample_count), MIN(m.min_value), MAX(m.max_value),
                   (SELECT l.last_value FROM metrics l WHERE l.name = m.name AND l.dimensions = m.dimensions
                        AND l.minute_at / 3600000 = m.minute_at / 3600000 ORDER BY l.minute_at DESC LIMIT 1)
            FROM metrics m GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            """)
        #expect(hours.count == 6)
        #expect(hours == grouped)

        // Retention: minutes before t0 + 90 min go; the first hour goes, the second (half kept) stays.
        _ = try catalog.deleteMetrics(olderThanMs: t0 + 90 * 60_000)
        let left = try rows(catalog, "SELECT DISTINCT hour_at FROM metric_hours ORDER BY 1")
        #expect(left == [[.integer(t0 + hour)], [.integer(t0 + 2 * hour)]])
    }
}
