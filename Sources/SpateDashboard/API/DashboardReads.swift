// What the dashboard reads, and how: every catalog read is one SELECT on the
// catalog's query-only connection (Database.catalogQuery), never on the
// connection checkpoints commit on, so a page load cannot delay a job; sizes
// and shard counts come from the log's stream descriptions. Metric series are
// bucketed inside SQLite (GROUP BY bucket), so a 7-day chart moves one row per
// bucket into Swift, not one per minute. Limits: alerts at most 1,000 per
// request; alarm history 20 per alarm. Every list holds only what the
// viewer may see (`access`; the rules are in DashboardReads+Access).

import Spate
import SpateCatalog
import SpateLog

/// The dashboard's reads over one open database, of what the viewer may see.
struct DashboardReads {
    let database: Database
    /// Whose reads: lists leave out what this viewer may not see (DashboardReads+Access).
    var access: DashboardAccess = .everything
    /// What the request's jobs and alarms are about, once read.
    let subjects = DashboardSubjects()

    static let alertsLimitMax = 1_000

    // MARK: metrics

    /// Per value of `dimension`, the bucketed series of metric `name` over `range`.
    /// `perSecond`: sums divided by the bucket's seconds (rates); else the
    /// bucket's sum (counters per bucket) or, for gauges, the largest value.
    /// The dimension values are named (`values`: the streams or jobs listed),
    /// so that SQLite seeks the primary key (name, dimensions, minute_at) to
    /// each series' range instead of scanning the metric's whole week.
    func series(metric name: String, dimension: String, values: [String], range: ChartRange,
                statistic: SeriesStatistic) throws(SpateError) -> [String: [Double?]] {
        guard !values.isEmpty else { return [:] }
        var parameters: [CatalogValue] = [.text(name), .text(dimension), .integer(range.fromMs), .integer(range.bucketMs), .integer(range.toMs)]
        let list = Self.dimensionList(dimension, values, after: &parameters)
        // Buckets of whole, aligned hours (the 7-day range) sum the hourly roll-up: 60 times fewer rows.
        let hourly = range.bucketMs % 3_600_000 == 0 && range.fromMs % 3_600_000 == 0
        let (table, time) = hourly ? ("metric_hours", "hour_at") : ("metrics", "minute_at")
        let sql = """
            SELECT json_extract(dimensions, '$.' || ?2), (\(time) - ?3) / ?4, SUM(sum_value), MAX(max_value), SUM(sample_count), MIN(min_value)
            FROM \(table) WHERE name = ?1 AND dimensions IN (\(list)) AND \(time) >= ?3 AND \(time) < ?5 GROUP BY dimensions, 2
            """
        let rows = try database.catalogQuery(sql: sql, parameters: parameters)
        var out: [String: [Double?]] = [:]
        for row in 0..<rows.rowCount {
            guard case let .text(key) = rows[row, 0], let bucket = rows[row, 1].int, bucket >= 0, bucket < range.bucketCount else { continue }
            let sum = rows[row, 2].double ?? 0, count = rows[row, 4].double ?? 0
            let value: Double
            switch statistic {
            case .ratePerSecond: value = sum / (Double(range.bucketMs) / 1_000)
            case .sum: value = sum
            case .perMinute: value = sum / (Double(range.bucketMs) / 60_000)
            case .maximum: value = rows[row, 3].double ?? 0
            case .minimum: value = rows[row, 5].double ?? 0
            case .average: value = count > 0 ? sum / count : 0
            case .count: value = count
            }
            out[key, default: Array(repeating: nil, count: range.bucketCount)][Int(bucket)] = value
        }
        return out
    }

    /// `?6, ?7, …` for the canonical dimensions of each value, appended to `parameters`.
    static func dimensionList(_ dimension: String, _ values: [String], after parameters: inout [CatalogValue]) -> String {
        values.map { value in
            parameters.append(.text(Catalog.dimensionsJSON([DimensionPair(name: dimension, value: value)])))
            return "?\(parameters.count)"
        }.joined(separator: ", ")
    }

    enum SeriesStatistic {
        case ratePerSecond, perMinute, sum, maximum, minimum, average, count

        init?(alarmStatistic: String) {
            switch alarmStatistic {
            case "SUM": self = .sum
            case "AVG": self = .average
            case "MIN": self = .minimum
            case "MAX": self = .maximum
            case "COUNT": self = .count
            default: return nil
            }
        }
    }

    // MARK: streams

    struct StreamSummary {
        var name: String
        var shards: Int
        var retention: String
        var bytes: Int
        var records: UInt64
        var recordsPerSecond: [Double?]
        var bytesPerSecond: [Double?]
    }

    func streams(range: ChartRange) throws(SpateError) -> [StreamSummary] {
        let names = try database.streamNames().sorted().filter(access.mayRead)
        let records = try series(metric: BuiltinMetric.streamRecordsIn.name, dimension: "stream", values: names, range: range, statistic: .ratePerSecond)
        let bytes = try series(metric: BuiltinMetric.streamBytesIn.name, dimension: "stream", values: names, range: range, statistic: .ratePerSecond)
        let empty = [Double?](repeating: nil, count: range.bucketCount)
        var out: [StreamSummary] = []
        for name in names {
            // A stream deleted between the listing and here is simply not shown.
            guard let description = try? database.describeStream(name) else { continue }
            out.append(StreamSummary(name: name, shards: description.shards.count, retention: Self.retentionText(description.settings),
                                     bytes: description.bytes, records: description.recordCount,
                                     recordsPerSecond: records[name] ?? empty, bytesPerSecond: bytes[name] ?? empty))
        }
        return out
    }

    static func retentionText(_ settings: StreamSettings) -> String {
        var parts: [String] = []
        if let age = settings.retentionAgeMs { parts.append(HumanDuration.format(ms: age)) }
        if let bytes = settings.retentionBytes { parts.append(ValueFormat.bytes(Double(bytes))) }
        if let records = settings.retentionRecords { parts.append("\(records) records") }
        return parts.isEmpty ? "unlimited" : parts.joined(separator: ", ")
    }

    // MARK: jobs

    struct JobSummary {
        var name: String
        var state: String
        var outputKind: String
        var definition: String
        var lastError: String?
        var runningIn: String?
        var checkpointAtMs: Int64?
        var recordsIn: Int64
        var recordsOut: Int64
        var lagRecords: Int64?
        var lagMs: Double?
        /// Anomalies per minute over the last hour.
        var anomalies: [Double?]
    }

    func jobs(named only: String? = nil) throws(SpateError) -> [JobSummary] {
        let nowMs = database.now()
        var sql = """
            SELECT j.name, j.state, j.output_kind, j.definition, j.last_error, j.lease_owner, j.lease_expires_at,
                   c.committed_at, COALESCE(c.records_in, 0), COALESCE(c.records_out, 0)
            FROM jobs j LEFT JOIN checkpoints c ON c.job = j.name
            """
        var parameters: [CatalogValue] = []
        if let only { sql += " WHERE j.name = ?1"; parameters.append(.text(only)) }
        sql += " ORDER BY j.name"
        let rows = try database.catalogQuery(sql: sql, parameters: parameters)
        let jobsAbout = try access.readsEveryStream ? [:] : jobSubjects()
        let visible = (0..<rows.rowCount).filter { row in
            access.readsEveryStream || mayRead(jobsAbout[rows[row, 0].text ?? ""] ?? .everyStream)
        }
        let names = visible.compactMap { rows[$0, 0].text }
        let hour = ChartRange(name: "1h", nowMs: nowMs)!
        let anomalies = try series(metric: BuiltinMetric.jobAnomalies.name, dimension: "job", values: names, range: hour, statistic: .sum)
        let lag = try latestGauge(metric: BuiltinMetric.jobLagMs.name, dimension: "job", values: names, sinceMs: nowMs - 5 * 60_000)
        let lagRecords = try self.lagRecords()
        return visible.map { row in
            let name = rows[row, 0].text ?? ""
            let leaseLive = (rows[row, 6].int ?? Int64.min) >= nowMs
            return JobSummary(name: name, state: rows[row, 1].text ?? "", outputKind: rows[row, 2].text ?? "",
                              definition: rows[row, 3].text ?? "", lastError: rows[row, 4].text,
                              runningIn: leaseLive ? rows[row, 5].text : nil, checkpointAtMs: rows[row, 7].int,
                              recordsIn: rows[row, 8].int ?? 0, recordsOut: rows[row, 9].int ?? 0,
                              lagRecords: lagRecords[name], lagMs: lag[name],
                              anomalies: anomalies[name] ?? Array(repeating: nil, count: hour.bucketCount))
        }
    }

    /// The newest value of a gauge per dimension value, if measured since `sinceMs`.
    func latestGauge(metric name: String, dimension: String, values: [String], sinceMs: Int64) throws(SpateError) -> [String: Double] {
        guard !values.isEmpty else { return [:] }
        var parameters: [CatalogValue] = [.text(name), .text(dimension), .integer(sinceMs / 60_000 * 60_000)]
        let list = Self.dimensionList(dimension, values, after: &parameters)
        // SQLite's bare-column rule: with MAX(), last_value comes from the row holding the maximum.
        let rows = try database.catalogQuery(sql: """
            SELECT json_extract(dimensions, '$.' || ?2), last_value, MAX(minute_at) FROM metrics
            WHERE name = ?1 AND dimensions IN (\(list)) AND minute_at >= ?3 GROUP BY dimensions
            """, parameters: parameters)
        var out: [String: Double] = [:]
        for row in 0..<rows.rowCount { if let key = rows[row, 0].text { out[key] = rows[row, 1].double } }
        return out
    }

    /// Records in each job's input not yet covered by its checkpoint (the log's shard heads minus the checkpoint's offsets).
    func lagRecords() throws(SpateError) -> [String: Int64] {
        let rows = try database.catalogQuery(sql: """
            SELECT job, stream, shard, next_offset FROM checkpoint_offsets WHERE direction = 'input' ORDER BY stream
            """)
        var heads: [String: [UInt64]] = [:]
        var out: [String: Int64] = [:]
        for row in 0..<rows.rowCount {
            guard let job = rows[row, 0].text, let streamName = rows[row, 1].text,
                  let shard = rows[row, 2].int, let next = rows[row, 3].int else { continue }
            if heads[streamName] == nil {
                heads[streamName] = (try? database.describeStream(streamName))?.shards.map(\.nextSequence) ?? []
            }
            guard let streamHeads = heads[streamName], Int(shard) < streamHeads.count else { continue }
            out[job, default: 0] += max(0, Int64(streamHeads[Int(shard)]) - next)
        }
        return out
    }

    // MARK: alerts

    struct AlertFilter {
        var job: String?
        var key: String?
        var state: String?
        var sinceMs: Int64?
        var limit: Int = 100
        /// One alert by id (an action's answer).
        var id: Int64?
    }

    struct AlertRow {
        var id: Int64
        var kind: String
        var source: String?
        var key: String?
        var windowStartMs: Int64?
        var windowEndMs: Int64?
        var score: Double?
        var rowJSON: String
        var explanationJSON: String?
        var createdAtMs: Int64
        var state: String
        var stateChangedAtMs: Int64?
    }

    /// Alerts newest first. Only the filters given become conditions, so each
    /// query can use an index (schema/0006: alerts_by_job, alerts_by_state, alerts_by_key).
    func alerts(_ filter: AlertFilter) throws(SpateError) -> [AlertRow] {
        var conditions: [String] = []
        var parameters: [CatalogValue] = []
        func add(_ column: String, _ comparison: String, _ value: CatalogValue) {
            parameters.append(value)
            conditions.append("\(column) \(comparison) ?\(parameters.count)")
        }
        if let job = filter.job { add("job", "=", .text(job)) }
        if let key = filter.key { add("key", "=", .text(key)) }
        if let state = filter.state { add("state", "=", .text(state)) }
        if let since = filter.sinceMs { add("created_at", ">=", .integer(since)) }
        if let id = filter.id { add("id", "=", .integer(id)) }
        if let visible = try visibleAlertsCondition(&parameters) { conditions.append(visible) }
        let limit = min(max(1, filter.limit), Self.alertsLimitMax)
        let sql = """
            SELECT id, kind, COALESCE(source, job), key, window_start, window_end, score,
                   CASE WHEN json_valid(row_json) THEN row_json ELSE 'null' END,
                   CASE WHEN json_valid(explanation) THEN explanation END,
                   created_at, state, state_changed_at
            FROM alerts\(conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")) ORDER BY id DESC LIMIT \(limit)
            """
        let rows = try database.catalogQuery(sql: sql, parameters: parameters)
        return (0..<rows.rowCount).map { row in
            AlertRow(id: rows[row, 0].int ?? 0, kind: rows[row, 1].text ?? "job", source: rows[row, 2].text, key: rows[row, 3].text,
                     windowStartMs: rows[row, 4].int, windowEndMs: rows[row, 5].int, score: rows[row, 6].double,
                     rowJSON: rows[row, 7].text ?? "null", explanationJSON: rows[row, 8].text,
                     createdAtMs: rows[row, 9].int ?? 0, state: rows[row, 10].text ?? "open", stateChangedAtMs: rows[row, 11].int)
        }
    }

    // MARK: detector scores

    /// A key a job scored: its alerts among the job's newest, and its latest alert.
    struct ScoredKey: Equatable {
        var key: String
        var alerts: Int64
    }

    /// The keys the job page offers: those of the job's newest 500 alerts, most
    /// alerted first, then keys scored in the job's latest minute (at most 50
    /// in all). Both reads are index seeks (alerts_by_job; detector_scores by
    /// job and minute), whatever the number of keys the job scores.
    func scoredKeys(job: String, limit: Int = 50) throws(SpateError) -> [ScoredKey] {
        let alerted = try database.catalogQuery(sql: """
            SELECT key, COUNT(*) FROM (SELECT key FROM alerts WHERE job = ?1 AND key IS NOT NULL ORDER BY id DESC LIMIT 500)
            GROUP BY key ORDER BY 2 DESC, key LIMIT ?2
            """, parameters: [.text(job), .integer(Int64(limit))])
        var keys = (0..<alerted.rowCount).compactMap { row in
            alerted[row, 0].text.map { ScoredKey(key: $0, alerts: alerted[row, 1].int ?? 0) }
        }
        guard keys.count < limit else { return keys }
        let latest = try database.catalogQuery(sql: """
            SELECT key FROM detector_scores WHERE job = ?1
              AND minute_at = (SELECT MAX(minute_at) FROM detector_scores WHERE job = ?1) ORDER BY key LIMIT ?2
            """, parameters: [.text(job), .integer(Int64(limit))])
        let seen = Set(keys.map(\.key))
        for row in 0..<latest.rowCount {
            guard let key = latest[row, 0].text, !seen.contains(key), keys.count < limit else { continue }
            keys.append(ScoredKey(key: key, alerts: 0))
        }
        return keys
    }

    /// One key's scores over a range, per bucket: the highest score, the
    /// threshold that score was held to, and whether any row was flagged.
    struct ScoreSeries: Equatable {
        var scores: [Double?]
        var thresholds: [Double?]
        var flaggedBuckets: Set<Int>
    }

    func scoreSeries(job: String, key: String, range: ChartRange) throws(SpateError) -> ScoreSeries {
        // SQLite gives a bare column the value of the row MAX() picked: the threshold of the highest score.
        let rows = try database.catalogQuery(sql: """
            SELECT (minute_at - ?3) / ?4, MAX(score_max), threshold, SUM(flagged) FROM detector_scores
            WHERE job = ?1 AND key = ?2 AND minute_at >= ?3 AND minute_at < ?5 GROUP BY 1
            """, parameters: [.text(job), .text(key), .integer(range.fromMs), .integer(range.bucketMs), .integer(range.toMs)])
        var series = ScoreSeries(scores: Array(repeating: nil, count: range.bucketCount),
                                 thresholds: Array(repeating: nil, count: range.bucketCount), flaggedBuckets: [])
        for row in 0..<rows.rowCount {
            guard let bucket = rows[row, 0].int, bucket >= 0, bucket < range.bucketCount else { continue }
            series.scores[Int(bucket)] = rows[row, 1].double
            series.thresholds[Int(bucket)] = rows[row, 2].double
            if (rows[row, 3].int ?? 0) > 0 { series.flaggedBuckets.insert(Int(bucket)) }
        }
        return series
    }

    // MARK: alarms

    struct AlarmSummary {
        var name: String
        var metric: String
        var dimensions: String
        var statistic: String
        var periodMs: Int64
        var comparison: String
        var threshold: Double
        var datapointsToAlarm: Int64
        var evaluationPeriods: Int64
        var state: String
        var stateReason: String?
        var stateChangedAtMs: Int64?
        var history: [AlarmChange]
        var range: ChartRange
        var values: [Double?]

        /// The buckets of every evaluation window (N periods) in which at
        /// least M datapoints breach: where the alarm's rule held. A missing
        /// datapoint counts as not breaching (CloudWatch's `missing`).
        var alarmingWindows: Set<Int> {
            let breaching = breachingBuckets, n = Int(max(1, evaluationPeriods)), m = Int(max(1, datapointsToAlarm))
            var windows = Set<Int>()
            for end in values.indices {
                let window = max(0, end - n + 1)...end
                if window.count(where: breaching.contains) >= m { windows.formUnion(window) }
            }
            return windows
        }

        /// The buckets whose value breaches the threshold.
        var breachingBuckets: Set<Int> {
            Set(values.indices.filter { index in
                guard let value = values[index] else { return false }
                switch comparison {
                case ">": return value > threshold
                case ">=": return value >= threshold
                case "<": return value < threshold
                default: return value <= threshold
                }
            })
        }
    }

    struct AlarmChange {
        var oldState: String?
        var newState: String
        var reason: String
        var atMs: Int64
    }

    /// Alarms with their metric over the last 60 periods (at most 7 days) and their newest changes.
    func alarms() throws(SpateError) -> [AlarmSummary] {
        let rows = try database.catalogQuery(sql: """
            SELECT name, metric, dimensions, statistic, period_ms, comparison, threshold, datapoints_to_alarm,
                   evaluation_periods, state, state_reason, state_changed_at FROM alarms ORDER BY name
            """)
        let nowMs = database.now()
        let alarmsAbout = try access.readsEveryStream ? [:] : alarmSubjects(jobs: jobSubjects())
        let visible = (0..<rows.rowCount).filter { access.readsEveryStream || mayRead(alarmsAbout[rows[$0, 0].text ?? ""] ?? .everyStream) }
        return try visible.map { row throws(SpateError) -> AlarmSummary in
            let name = rows[row, 0].text ?? "", metric = rows[row, 1].text ?? "", dimensions = rows[row, 2].text ?? "{}"
            let periodMs = max(60_000, rows[row, 4].int ?? 60_000)
            let range = ChartRange(name: "alarm", endingAtBucketOf: nowMs, bucketMs: periodMs,
                                   bucketCount: Int(max(1, min(60, 7 * 86_400_000 / periodMs))))
            let statistic = rows[row, 3].text ?? "AVG"
            return AlarmSummary(
                name: name, metric: metric, dimensions: dimensions, statistic: statistic, periodMs: periodMs,
                comparison: rows[row, 5].text ?? ">", threshold: rows[row, 6].double ?? 0,
                datapointsToAlarm: rows[row, 7].int ?? 1, evaluationPeriods: rows[row, 8].int ?? 1,
                state: rows[row, 9].text ?? "INSUFFICIENT_DATA", stateReason: rows[row, 10].text, stateChangedAtMs: rows[row, 11].int,
                history: try alarmHistory(name), range: range,
                values: try alarmValues(metric: metric, dimensions: dimensions, statistic: statistic, range: range))
        }
    }

    func alarmHistory(_ alarm: String) throws(SpateError) -> [AlarmChange] {
        let rows = try database.catalogQuery(sql: """
            SELECT old_state, new_state, reason, created_at FROM alarm_history WHERE alarm = ?1 ORDER BY id DESC LIMIT 20
            """, parameters: [.text(alarm)])
        return (0..<rows.rowCount).map { row in
            AlarmChange(oldState: rows[row, 0].text, newState: rows[row, 1].text ?? "", reason: rows[row, 2].text ?? "", atMs: rows[row, 3].int ?? 0)
        }
    }

    /// The alarm's statistic per period; an alarm without dimensions takes every series of its metric.
    func alarmValues(metric: String, dimensions: String, statistic: String, range: ChartRange) throws(SpateError) -> [Double?] {
        var sql = """
            SELECT (minute_at - ?2) / ?3, SUM(sum_value), SUM(sample_count), MIN(min_value), MAX(max_value)
            FROM metrics WHERE name = ?1 AND minute_at >= ?2 AND minute_at < ?4
            """
        var parameters: [CatalogValue] = [.text(metric), .integer(range.fromMs), .integer(range.bucketMs), .integer(range.toMs)]
        if dimensions != "{}" { sql += " AND dimensions = ?5"; parameters.append(.text(dimensions)) }
        let rows = try database.catalogQuery(sql: sql + " GROUP BY 1", parameters: parameters)
        var values = [Double?](repeating: nil, count: range.bucketCount)
        for row in 0..<rows.rowCount {
            guard let bucket = rows[row, 0].int, bucket >= 0, bucket < range.bucketCount else { continue }
            let sum = rows[row, 1].double ?? 0, count = rows[row, 2].double ?? 0
            switch statistic {
            case "SUM": values[Int(bucket)] = sum
            case "MIN": values[Int(bucket)] = rows[row, 3].double
            case "MAX": values[Int(bucket)] = rows[row, 4].double
            case "COUNT": values[Int(bucket)] = count
            default: values[Int(bucket)] = count > 0 ? sum / count : nil
            }
        }
        return values
    }
}

extension CatalogValue {
    var int: Int64? {
        switch self {
        case let .integer(value): return value
        case let .real(value): return value.isFinite ? Int64(exactly: value.rounded(.towardZero)) : nil
        default: return nil
        }
    }

    var double: Double? {
        switch self {
        case let .integer(value): return Double(value)
        case let .real(value): return value
        default: return nil
        }
    }

    var text: String? {
        if case let .text(value) = self { return value }
        return nil
    }
}
