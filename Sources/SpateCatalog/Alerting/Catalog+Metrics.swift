// Typed access to `metrics` and `metric_totals` (schema/0003): flushing the
// recorder additively (several processes may flush the same minute), reading
// per-period aggregates for alarms, series for SHOW METRICS, totals for
// Prometheus, and retention. Also the service leases (`service_leases`).

import SpateJSON

/// One minute of a series as read back.
public struct MetricMinute: Sendable, Equatable {
    public var name: String
    public var dimensions: String
    public var minuteMs: Int64
    public var sum: Double
    public var count: Int64
    public var min: Double
    public var max: Double
    public var last: Double
}

/// A period's aggregate over every series an alarm matches.
public struct MetricAggregate: Sendable, Equatable {
    public var sum: Double
    public var count: Int64
    public var min: Double
    public var max: Double

    public init(sum: Double, count: Int64, min: Double, max: Double) {
        self.sum = sum
        self.count = count
        self.min = min
        self.max = max
    }
}

/// A series' running total (Prometheus counters and summaries).
public struct MetricTotal: Sendable, Equatable {
    public var name: String
    public var dimensions: String
    public var sum: Double
    public var count: Int64
}

extension Catalog {
    /// Metric rows older than this are deleted by `deleteMetrics(olderThanMs:)`'s caller: 7 days.
    public static let metricsRetentionMs: Int64 = 7 * 86_400_000

    /// The recorder of this process for this catalog (see MetricsRecorder).
    public var metricsRecorder: MetricsRecorder { metricsRecorderStorage }

    /// Writes what the recorder holds into `metrics` and `metric_totals`, in
    /// one transaction. On failure the samples go back to the recorder.
    public func flushMetrics() throws(CatalogError) {
        let samples = metricsRecorder.take()
        guard !samples.isEmpty else { return }
        do {
            try addMetrics(samples)
        } catch {
            metricsRecorder.add(samples)
            throw error
        }
    }

    /// Adds samples to their minutes (sums and counts add up; min/max widen; last replaces).
    public func addMetrics(_ samples: [MetricSample]) throws(CatalogError) {
        try transaction { database throws(CatalogError) in
            for sample in samples {
                try database.withStatement("""
                    INSERT INTO metrics (name, dimensions, minute_at, sum_value, sample_count, min_value, max_value, last_value)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                    ON CONFLICT (name, dimensions, minute_at) DO UPDATE SET
                        sum_value = sum_value + ?4, sample_count = sample_count + ?5,
                        min_value = MIN(min_value, ?6), max_value = MAX(max_value, ?7), last_value = ?8
                    """) { statement throws(CatalogError) in
                    try statement.bind(
                        sample.name,
                        sample.dimensions,
                        sample.minuteMs,
                        sample.sum,
                        sample.count,
                        sample.min,
                        sample.max,
                        sample.last
                    )
                    try statement.run()
                }
                try database.withStatement("""
                    INSERT INTO metric_hours (name, dimensions, hour_at, sum_value, sample_count, min_value, max_value, last_value, last_minute_at)
                    VALUES (?1, ?2, ?3 / 3600000 * 3600000, ?4, ?5, ?6, ?7, ?8, ?3)
                    ON CONFLICT (name, dimensions, hour_at) DO UPDATE SET
                        sum_value = sum_value + ?4, sample_count = sample_count + ?5,
                        min_value = MIN(min_value, ?6), max_value = MAX(max_value, ?7),
                        last_value = CASE WHEN ?3 >= last_minute_at THEN ?8 ELSE last_value END,
                        last_minute_at = MAX(last_minute_at, ?3)
                    """) { statement throws(CatalogError) in
                    try statement.bind(sample.name, sample.dimensions, sample.minuteMs, sample.sum, sample.count, sample.min, sample.max, sample.last)
                    try statement.run()
                }
                try database.withStatement("""
                    INSERT INTO metric_totals (name, dimensions, sum_value, sample_count) VALUES (?1, ?2, ?3, ?4)
                    ON CONFLICT (name, dimensions) DO UPDATE SET sum_value = sum_value + ?3, sample_count = sample_count + ?4
                    """) { statement throws(CatalogError) in
                    try statement.bind(sample.name, sample.dimensions, sample.sum, sample.count)
                    try statement.run()
                }
            }
        }
    }

    /// Per period of `periodMs` from `fromMs` (`periods` of them): the
    /// aggregate over every series of `metric` whose dimensions include all of
    /// `dimensions`; nil where no row exists (a missing datapoint).
    public func metricAggregates(metric: String, dimensions: [DimensionPair], fromMs: Int64, periodMs: Int64,
                                 periods: Int) throws(CatalogError) -> [MetricAggregate?] {
        precondition(periodMs > 0 && periods > 0, "an alarm's period and count are positive")
        var sql = """
            SELECT (minute_at - ?2) / ?3, SUM(sum_value), SUM(sample_count), MIN(min_value), MAX(max_value)
            FROM metrics WHERE name = ?1 AND minute_at >= ?2 AND minute_at < ?4
            """
        for i in dimensions.indices { sql += " AND json_extract(dimensions, ?\(5 + 2 * i)) = ?\(6 + 2 * i)" }
        sql += " GROUP BY 1"
        return try withDatabase { database throws(CatalogError) in
            var result = [MetricAggregate?](repeating: nil, count: periods)
            try database.withStatement(sql) { statement throws(CatalogError) in
                var values: [CatalogValue] = [.text(metric), .integer(fromMs), .integer(periodMs), .integer(fromMs + periodMs * Int64(periods))]
                for pair in dimensions { values += [.text("$." + JSONStringLiteral.quoted(pair.name)), .text(pair.value)] }
                try statement.bind(values)
                while try statement.step() {
                    let slot = Int(statement.int64(0))
                    guard slot >= 0 && slot < periods else { continue }
                    result[slot] = MetricAggregate(sum: statement.double(1), count: statement.int64(2),
                                                   min: statement.double(3), max: statement.double(4))
                }
            }
            return result
        }
    }

    /// Minutes from `fromMs` on of the series whose name is LIKE `pattern`
    /// (SQL LIKE; nil: all), by name, dimensions and minute.
    public func metricMinutes(like pattern: String?, fromMs: Int64) throws(CatalogError) -> [MetricMinute] {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("""
                SELECT name, dimensions, minute_at, sum_value, sample_count, min_value, max_value, last_value FROM metrics
                WHERE minute_at >= ?1 AND name LIKE ?2 ORDER BY name, dimensions, minute_at
                """) { statement throws(CatalogError) in
                try statement.bind(fromMs, pattern ?? "%")
                var rows: [MetricMinute] = []
                while try statement.step() {
                    rows.append(MetricMinute(name: statement.string(0), dimensions: statement.string(1), minuteMs: statement.int64(2),
                                             sum: statement.double(3), count: statement.int64(4), min: statement.double(5),
                                             max: statement.double(6), last: statement.double(7)))
                }
                return rows
            }
        }
    }

    /// The newest minute of every series whose name is LIKE `pattern`.
    public func latestMetricMinutes(like pattern: String?) throws(CatalogError) -> [MetricMinute] {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("""
                SELECT m.name, m.dimensions, m.minute_at, m.sum_value, m.sample_count, m.min_value, m.max_value, m.last_value
                FROM metrics m JOIN (SELECT name, dimensions, MAX(minute_at) AS newest FROM metrics WHERE name LIKE ?1 GROUP BY name, dimensions) n
                  ON m.name = n.name AND m.dimensions = n.dimensions AND m.minute_at = n.newest
                ORDER BY m.name, m.dimensions
                """) { statement throws(CatalogError) in
                try statement.bind(pattern ?? "%")
                var rows: [MetricMinute] = []
                while try statement.step() {
                    rows.append(MetricMinute(name: statement.string(0), dimensions: statement.string(1), minuteMs: statement.int64(2),
                                             sum: statement.double(3), count: statement.int64(4), min: statement.double(5),
                                             max: statement.double(6), last: statement.double(7)))
                }
                return rows
            }
        }
    }

    /// Every series' running total, by name and dimensions.
    public func metricTotals() throws(CatalogError) -> [MetricTotal] {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("SELECT name, dimensions, sum_value, sample_count FROM metric_totals ORDER BY name, dimensions") { statement throws(CatalogError) in
                var rows: [MetricTotal] = []
                while try statement.step() {
                    rows.append(MetricTotal(name: statement.string(0), dimensions: statement.string(1), sum: statement.double(2), count: statement.int64(3)))
                }
                return rows
            }
        }
    }

    /// The dimensions of a series as pairs (`{"job":"x"}` → [job = x]).
    public func dimensionPairs(_ json: String) throws(CatalogError) -> [DimensionPair] {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("SELECT key, value FROM json_each(?1) ORDER BY key") { statement throws(CatalogError) in
                try statement.bind(json)
                var pairs: [DimensionPair] = []
                while try statement.step() { pairs.append(DimensionPair(name: statement.string(0), value: statement.string(1))) }
                return pairs
            }
        }
    }

    /// Deletes metric minutes (and jobs' score minutes) before `olderThanMs`;
    /// returns how many metric minutes.
    @discardableResult
    public func deleteMetrics(olderThanMs: Int64) throws(CatalogError) -> Int {
        try withDatabase { database throws(CatalogError) in
            let minutes = try database.withStatement("DELETE FROM metrics WHERE minute_at < ?1") { statement throws(CatalogError) in
                try statement.bind(olderThanMs)
                try statement.run()
                return database.changedRowCount
            }
            // An hour goes once all of its minutes have.
            try database.withStatement("DELETE FROM metric_hours WHERE hour_at + 3600000 <= ?1") { statement throws(CatalogError) in
                try statement.bind(olderThanMs)
                try statement.run()
            }
            // Jobs' score series are kept as long as their metrics.
            try database.withStatement("DELETE FROM detector_scores WHERE minute_at < ?1") { statement throws(CatalogError) in
                try statement.bind(olderThanMs)
                try statement.run()
            }
            return minutes
        }
    }

    // MARK: Service leases

    /// Takes (or renews) the lease of `service` for `owner` until
    /// `nowMs + durationMs` when it is free, expired or already `owner`'s.
    public func acquireServiceLease(_ service: String, owner: String, nowMs: Int64, durationMs: Int64) throws(CatalogError) -> Bool {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("""
                INSERT INTO service_leases (service, owner, expires_at) VALUES (?1, ?2, ?3)
                ON CONFLICT (service) DO UPDATE SET owner = ?2, expires_at = ?3 WHERE owner = ?2 OR expires_at < ?4
                """) { statement throws(CatalogError) in
                try statement.bind(service, owner, nowMs + durationMs, nowMs)
                try statement.run()
                return database.changedRowCount > 0
            }
        }
    }

    /// Gives up `owner`'s lease of `service` (no effect when another holds it).
    public func releaseServiceLease(_ service: String, owner: String) throws(CatalogError) {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("DELETE FROM service_leases WHERE service = ?1 AND owner = ?2") { statement throws(CatalogError) in
                try statement.bind(service, owner)
                try statement.run()
            }
        }
    }
}
