// The JSON endpoints behind the pages (documented in README.md, "Dashboard"):
//
//     GET /api/streams?range=1h           streams: shards, retention, size, records/s and bytes/s per bucket
//     GET /api/jobs                       jobs: state, lag, records in/out, anomalies per minute (last hour), checkpoint
//     GET /api/jobs/NAME/metrics?range=1h one job's series: records in/out per second, anomalies, lag, late records
//     GET /api/alerts?job=&key=&state=&since=&limit=   alerts newest first, with row and explanation
//     GET /api/alarms                     alarms: state, threshold, the metric per period, state history
//
// Times are Unix ms (UTC); series are arrays with one value per bucket
// (`fromMs`, `bucketMs`), null where no data was recorded. `svg=1` adds each
// chart drawn (SVGChart), so the page's script redraws charts without a chart
// library of its own. Every answer is one JSON object.

import Spate

struct APIEndpoints {
    let reads: DashboardReads
    let nowMs: Int64

    func range(_ request: DashboardRequest) throws(DashboardFailure) -> ChartRange {
        let name = request.parameter("range") ?? "1h"
        guard let range = ChartRange(name: name, nowMs: nowMs) else {
            throw .badRequest("range '\(name)' is not one of \(ChartRange.names.joined(separator: ", "))")
        }
        return range
    }

    static func rangeJSON(_ range: ChartRange, into object: inout JSONObject) {
        object.string("range", range.name)
        object.int("fromMs", range.fromMs)
        object.int("toMs", range.toMs)
        object.int("bucketMs", range.bucketMs)
    }

    // MARK: /api/streams

    func streams(_ request: DashboardRequest) throws(DashboardFailure) -> String {
        let range = try self.range(request)
        let streams = try DashboardFailure.catalog { () throws(SpateError) in try reads.streams(range: range) }
        let withSVG = request.parameter("svg") == "1"
        var object = JSONObject()
        Self.rangeJSON(range, into: &object)
        object.raw("streams", JSONOut.array(streams.map { stream in
            var item = JSONObject()
            item.string("name", stream.name)
            item.int("shards", Int64(stream.shards))
            item.string("retention", stream.retention)
            item.int("bytes", Int64(stream.bytes))
            item.int("records", Int64(clamping: stream.records))
            item.raw("recordsPerSecond", JSONOut.series(stream.recordsPerSecond))
            item.raw("bytesPerSecond", JSONOut.series(stream.bytesPerSecond))
            if withSVG {
                item.string("recordsChart", Charts.streamRecords(stream, range: range).render())
                item.string("bytesChart", Charts.streamBytes(stream, range: range).render())
            }
            return item.json
        }))
        return object.json
    }

    // MARK: /api/jobs

    func jobs(_ request: DashboardRequest) throws(DashboardFailure) -> String {
        let jobs = try DashboardFailure.catalog { () throws(SpateError) in try reads.jobs() }
        var object = JSONObject()
        object.raw("jobs", JSONOut.array(jobs.map(Self.jobJSON)))
        return object.json
    }

    static func jobJSON(_ job: DashboardReads.JobSummary) -> String {
        var item = JSONObject()
        item.string("name", job.name)
        item.string("state", job.state)
        item.string("output", job.outputKind)
        item.string("runningIn", job.runningIn)
        item.string("lastError", job.lastError)
        item.int("lagRecords", job.lagRecords)
        item.number("lagMs", job.lagMs)
        item.int("recordsIn", job.recordsIn)
        item.int("recordsOut", job.recordsOut)
        item.number("anomaliesLastMinute", job.anomalies.last(where: { $0 != nil }) ?? nil)
        item.raw("anomaliesPerMinute", JSONOut.series(job.anomalies))
        item.int("checkpointAtMs", job.checkpointAtMs)
        return item.json
    }

    /// Job `name`, or 404 (403 when the viewer may not see it).
    private func job(named name: String) throws(DashboardFailure) -> DashboardReads.JobSummary {
        try reads.job(named: name)
    }

    // MARK: /api/jobs/NAME/metrics

    func jobMetrics(_ name: String, _ request: DashboardRequest) throws(DashboardFailure) -> String {
        let range = try self.range(request)
        let job = try self.job(named: name)
        let series = try DashboardFailure.catalog { () throws(SpateError) in try Charts.jobSeries(job.name, reads: reads, range: range) }
        var object = JSONObject()
        object.string("job", job.name)
        Self.rangeJSON(range, into: &object)
        object.raw("series", JSONOut.array(series.map { line in
            var item = JSONObject()
            item.string("name", line.name)
            item.string("unit", line.unit.rawValue)
            item.raw("values", JSONOut.series(line.values))
            return item.json
        }))
        if request.parameter("svg") == "1" {
            object.raw("charts", JSONOut.array(Charts.jobCharts(series, range: range).map { JSONOut.string($0.render()) }))
        }
        return object.json
    }

    // MARK: /api/jobs/NAME/scores

    /// The keys the job scored (`keys`), and for `key` (default: the first of
    /// them) its score, threshold and flagged buckets over the range.
    func jobScores(_ name: String, _ request: DashboardRequest) throws(DashboardFailure) -> String {
        let range = try self.range(request)
        let job = try self.job(named: name)
        let keys = try DashboardFailure.catalog { () throws(SpateError) in try reads.scoredKeys(job: job.name) }
        var object = JSONObject()
        object.string("job", job.name)
        Self.rangeJSON(range, into: &object)
        object.raw("keys", JSONOut.array(keys.map { key in
            var item = JSONObject()
            item.string("key", key.key)
            item.int("alerts", key.alerts)
            return item.json
        }))
        guard let key = request.parameter("key") ?? keys.first?.key else {
            object.string("key", nil)
            return object.json
        }
        let series = try DashboardFailure.catalog { () throws(SpateError) in try reads.scoreSeries(job: job.name, key: key, range: range) }
        object.string("key", key)
        object.raw("scores", JSONOut.series(series.scores))
        object.raw("thresholds", JSONOut.series(series.thresholds))
        object.raw("flaggedBuckets", JSONOut.array(series.flaggedBuckets.sorted().map { String($0) }))
        if request.parameter("svg") == "1" { object.string("chart", Charts.scores(series, key: key, range: range).render()) }
        return object.json
    }

    // MARK: /api/alerts

    func alerts(_ request: DashboardRequest, canWrite: Bool) throws(DashboardFailure) -> String {
        let filter = try Self.alertFilter(request, nowMs: nowMs)
        let alerts = try DashboardFailure.catalog { () throws(SpateError) in try reads.alerts(filter) }
        var object = JSONObject()
        object.bool("canWrite", canWrite)
        object.raw("alerts", JSONOut.array(alerts.map(Self.alertJSON)))
        return object.json
    }

    static func alertFilter(_ request: DashboardRequest, nowMs: Int64) throws(DashboardFailure) -> DashboardReads.AlertFilter {
        var filter = DashboardReads.AlertFilter(job: request.parameter("job"), key: request.parameter("key"), state: request.parameter("state"))
        if let state = filter.state, !["open", "acknowledged", "resolved"].contains(state) {
            throw .badRequest("state '\(state)' is not open, acknowledged or resolved")
        }
        if let since = request.parameter("since") {
            guard let sinceMs = Self.instant(since, nowMs: nowMs) else {
                throw .badRequest("since '\(since)' is neither Unix ms nor a duration ago such as 15m, 2h, 7d")
            }
            filter.sinceMs = sinceMs
        }
        if let limit = request.parameter("limit") {
            guard let count = Int(limit), count > 0 else { throw .badRequest("limit '\(limit)' is not a positive number") }
            filter.limit = min(count, DashboardReads.alertsLimitMax)
        }
        return filter
    }

    /// Unix ms, or a duration before now: "90s", "15m", "2h", "7d".
    static func instant(_ text: String, nowMs: Int64) -> Int64? {
        if let ms = Int64(text) { return ms }
        guard let unit = text.last, let count = Int64(text.dropLast()), count >= 0 else { return nil }
        let unitMs: Int64
        switch unit {
        case "s": unitMs = 1_000
        case "m": unitMs = 60_000
        case "h": unitMs = 3_600_000
        case "d": unitMs = 86_400_000
        default: return nil
        }
        return nowMs - count * unitMs
    }

    static func alertJSON(_ alert: DashboardReads.AlertRow) -> String {
        var item = JSONObject()
        item.int("id", alert.id)
        item.string("kind", alert.kind)
        item.string("source", alert.source)
        item.string("key", alert.key)
        item.int("windowStartMs", alert.windowStartMs)
        item.int("windowEndMs", alert.windowEndMs)
        item.number("score", alert.score)
        item.raw("row", alert.rowJSON)
        item.raw("explanation", alert.explanationJSON ?? "null")
        item.int("createdAtMs", alert.createdAtMs)
        item.string("state", alert.state)
        item.int("stateChangedAtMs", alert.stateChangedAtMs)
        return item.json
    }

    // MARK: /api/alarms

    func alarms(_ request: DashboardRequest) throws(DashboardFailure) -> String {
        let alarms = try DashboardFailure.catalog { () throws(SpateError) in try reads.alarms() }
        let withSVG = request.parameter("svg") == "1"
        var object = JSONObject()
        object.raw("alarms", JSONOut.array(alarms.map { alarm in
            var item = JSONObject()
            item.string("name", alarm.name)
            item.string("metric", alarm.metric)
            item.raw("dimensions", alarm.dimensions)
            item.string("statistic", alarm.statistic)
            item.int("periodMs", alarm.periodMs)
            item.string("comparison", alarm.comparison)
            item.number("threshold", alarm.threshold)
            item.int("datapointsToAlarm", alarm.datapointsToAlarm)
            item.int("evaluationPeriods", alarm.evaluationPeriods)
            item.string("state", alarm.state)
            item.string("stateReason", alarm.stateReason)
            item.int("stateChangedAtMs", alarm.stateChangedAtMs)
            item.int("fromMs", alarm.range.fromMs)
            item.raw("values", JSONOut.series(alarm.values))
            item.raw("breachingBuckets", JSONOut.array(alarm.breachingBuckets.sorted().map { String($0) }))
            item.raw("alarmingBuckets", JSONOut.array(alarm.alarmingWindows.sorted().map { String($0) }))
            item.raw("history", JSONOut.array(alarm.history.map { change in
                var entry = JSONObject()
                entry.string("oldState", change.oldState)
                entry.string("newState", change.newState)
                entry.string("reason", change.reason)
                entry.int("atMs", change.atMs)
                return entry.json
            }))
            if withSVG { item.string("chart", Charts.alarm(alarm).render()) }
            return item.json
        }))
        return object.json
    }
}

/// Why a dashboard request failed: the status and a message for the user.
enum DashboardFailure: Error {
    case badRequest(String)
    case notFound(String)
    case forbidden(String)
    case catalog(String)

    var status: Int {
        switch self {
        case .badRequest: return 400
        case .notFound: return 404
        case .forbidden: return 403
        case .catalog: return 503
        }
    }

    var message: String {
        switch self {
        case let .badRequest(text), let .notFound(text), let .forbidden(text), let .catalog(text): return text
        }
    }

    static func catalog<R>(_ body: () throws(SpateError) -> R) throws(DashboardFailure) -> R {
        do { return try body() } catch { throw .catalog(error.description) }
    }
}
