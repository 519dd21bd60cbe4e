// `spate-bench dashboard [--dir DIR] [--quick]`: server time of the dashboard's
// pages and JSON endpoints (Dashboard.respond, no network) over a catalog of
// the size issue 16 budgets for: 20 streams, 50 jobs, 100,000 alerts, 7 days
// of per-minute stream metrics and 24 hours of job metrics (about 760,000
// metric rows), 5 alarms, and a day of one job's score series for 500 keys
// (720,000 rows). Budgets: a page ≤ 50 ms, a JSON endpoint ≤ 20 ms.
// Each request is timed 30 times (10 with --quick) after one warm-up; the
// table gives the median and the slowest. Alerts and metrics are written
// straight into the catalog file in one transaction (jobs make them only by
// running, which would take hours at this size).

import CSQLite
import Spate
import SpateDashboard
import SpateLog
import SpateSQL

#if canImport(Glibc)
import Glibc
#endif

func runDashboardCommand(_ arguments: [String]) -> Never {
    var quick = false
    var parent = "./.bench-data"
    var index = 0
    while index < arguments.count {
        switch arguments[index] {
        case "--quick": quick = true
        case "--dir" where index + 1 < arguments.count: parent = arguments[index + 1]; index += 1
        default: fail("unknown option '\(arguments[index])' for dashboard\nusage: spate-bench dashboard [--dir DIR] [--quick]", code: 2)
        }
        index += 1
    }
    let directory: BenchDirectory
    do { directory = try BenchDirectory.create(under: parent) } catch { fail(error.message) }
    defer { directory.remove() }
    do {
        try runDashboardBenchmark(in: directory.path, repetitions: quick ? 10 : 30)
    } catch {
        directory.remove()
        fail("\(error)")
    }
    directory.remove()
    printPeakMemory()
    exit(0)
}

private final class DiscardSink: ResultSink {
    func begin(columns: [ResultColumn]) {}
    func row(_ values: [Value]) {}
    func end(_ summary: QuerySummary) {}
    func message(_ text: String) {}
}

func runDashboardBenchmark(in parent: String, repetitions: Int) throws {
    let streamCount = 20, jobCount = 50, alertCount = 100_000, alarmCount = 5
    printSection("Dashboard: server time per request, \(streamCount) streams, \(jobCount) jobs, \(alertCount) alerts")
    let path = parent + "/dashboard"
    let database = try Database.open(path)
    let session = Session(database: database)
    var script = ""
    for stream in 0..<streamCount {
        script += "CREATE STREAM s\(stream) (userId STRING, amount DOUBLE) WITH (shards = 2, key = 'userId', retention = '24 hours');\n"
    }
    for job in 0..<jobCount {
        script += "CREATE JOB job\(job) AS SELECT userId, amount, ANOMALY_SCORE(amount) OVER (PARTITION BY userId) AS score FROM s\(job % streamCount) WHERE anomaly;\n"
    }
    for alarm in 0..<alarmCount {
        script += "CREATE ALARM alarm\(alarm) ON METRIC job.anomalies WHERE job = 'job\(alarm)' STATISTIC SUM PERIOD 5 MINUTES WHEN > 3 FOR 2 OF 3 PERIODS;\n"
    }
    try session.execute(script: script, sink: DiscardSink())

    let setupStart = monotonicNs()
    let nowMs = database.now()
    let minuteMs: Int64 = 60_000
    let nowMinute = nowMs / minuteMs * minuteMs
    var rows = 0, scoreRows = 0
    try withCatalogFile(path + "/catalog.sqlite") { handle in
        try exec(handle, "BEGIN")
        try insertRows(handle, "INSERT INTO alerts (job, source, kind, key, score, row_json, created_at, state, explanation) VALUES (?, ?, 'job', ?, ?, ?, ?, ?, ?)") { statement in
            for id in 0..<alertCount {
                let job = "job\(id % jobCount)"
                sqlite3_bind_text(statement, 1, job, -1, transient)
                sqlite3_bind_text(statement, 2, job, -1, transient)
                sqlite3_bind_text(statement, 3, "user\(id % 500)", -1, transient)
                sqlite3_bind_double(statement, 4, 4 + Double(id % 100) / 10)
                sqlite3_bind_text(statement, 5, #"{"userId":"user\#(id % 500)","amount":\#(id % 997).5,"score":5.1}"#, -1, transient)
                sqlite3_bind_int64(statement, 6, nowMs - Int64(alertCount - id) * 6_000)
                // Old alerts are resolved, a few acknowledged, the newest open: what a week of use leaves.
                sqlite3_bind_text(statement, 7, id < alertCount * 9 / 10 ? "resolved" : id % 50 == 0 ? "acknowledged" : "open", -1, transient)
                sqlite3_bind_text(statement, 8, #"{"detector":"ANOMALY_SCORE","grade":0.9999,"inputs":[{"input":"amount","observed":1841.55,"expected":75.06,"low":32.9,"high":117.2,"direction":"high","share":1.0}]}"#, -1, transient)
                guard sqlite3_step(statement) == SQLITE_DONE else { throw BenchFailure("alert insert: \(String(cString: sqlite3_errmsg(handle)))") }
                sqlite3_reset(statement)
            }
        }
        try insertRows(handle, "INSERT INTO metrics (name, dimensions, minute_at, sum_value, sample_count, min_value, max_value, last_value) VALUES (?, ?, ?, ?, 1, ?, ?, ?)") { statement in
            func add(_ name: String, _ dimensions: String, _ minute: Int64, _ value: Double) throws {
                sqlite3_bind_text(statement, 1, name, -1, transient)
                sqlite3_bind_text(statement, 2, dimensions, -1, transient)
                sqlite3_bind_int64(statement, 3, minute)
                for column in 4...7 { sqlite3_bind_double(statement, Int32(column), value) }
                guard sqlite3_step(statement) == SQLITE_DONE else { throw BenchFailure("metric insert: \(String(cString: sqlite3_errmsg(handle)))") }
                sqlite3_reset(statement)
                rows += 1
            }
            for minute in 0..<Int64(7 * 1_440) {
                let at = nowMinute - minute * minuteMs
                for stream in 0..<streamCount {
                    try add("stream.records_in", #"{"stream":"s\#(stream)"}"#, at, Double(6_000 + stream * 10 + Int(minute % 17)))
                    try add("stream.bytes_in", #"{"stream":"s\#(stream)"}"#, at, Double(900_000 + stream * 1_000))
                }
                guard minute < 1_440 else { continue }
                for job in 0..<jobCount {
                    let dimensions = #"{"job":"job\#(job)"}"#
                    try add("job.records_in", dimensions, at, 6_000)
                    try add("job.records_out", dimensions, at, Double(minute % 3))
                    try add("job.anomalies", dimensions, at, Double(minute % 3))
                    try add("job.lag_ms", dimensions, at, Double(minute % 200))
                    try add("job.late_records", dimensions, at, 0)
                }
            }
        }
        // A day of job7's score series for its 500 users: one row per key and minute, as its checkpoints commit them.
        try insertRows(handle, "INSERT INTO detector_scores (job, key, minute_at, score_max, threshold, rows, flagged) VALUES ('job7', ?, ?, ?, ?, 10, ?)") { statement in
            for minute in 0..<Int64(1_440) {
                for user in 0..<500 {
                    sqlite3_bind_text(statement, 1, "user\(user)", -1, transient)
                    sqlite3_bind_int64(statement, 2, nowMinute - minute * minuteMs)
                    let score = 1 + Double((Int(minute) * 7 + user) % 40) / 10
                    sqlite3_bind_double(statement, 3, score)
                    sqlite3_bind_double(statement, 4, 4.5)
                    sqlite3_bind_int64(statement, 5, score > 4.5 ? 1 : 0)
                    guard sqlite3_step(statement) == SQLITE_DONE else { throw BenchFailure("score insert: \(String(cString: sqlite3_errmsg(handle)))") }
                    sqlite3_reset(statement)
                    scoreRows += 1
                }
            }
        }
        // The hourly roll-up that Catalog.addMetrics keeps beside the minutes (written directly here, so rolled up once).
        try exec(handle, """
            INSERT INTO metric_hours (name, dimensions, hour_at, sum_value, sample_count, min_value, max_value, last_value, last_minute_at)
            SELECT name, dimensions, minute_at / 3600000 * 3600000, SUM(sum_value), SUM(sample_count), MIN(min_value), MAX(max_value),
                   MAX(last_value), MAX(minute_at)
            FROM metrics GROUP BY name, dimensions, minute_at / 3600000
            """)
        try exec(handle, "COMMIT")
    }
    printLine("catalog: \(alertCount) alerts, \(rows) metric minutes and \(scoreRows) score minutes (job7: 500 keys, 24 h) written in \(formatNs(monotonicNs() - setupStart))")

    let dashboard = Dashboard(database: database)
    let requests: [(String, String, Double)] = [
        ("page", "/", 50), ("page", "/?range=7d", 50), ("page", "/jobs/job7", 50), ("page", "/alerts", 50),
        ("page", "/alerts?state=acknowledged&job=job0", 50), ("page", "/alarms", 50),
        ("json", "/api/streams?range=1h", 20), ("json", "/api/streams?range=1h&svg=1", 20), ("json", "/api/streams?range=7d", 20),
        ("json", "/api/jobs", 20), ("json", "/api/jobs/job7/metrics?range=1h", 20), ("json", "/api/jobs/job7/metrics?range=24h&svg=1", 20),
        ("json", "/api/alerts", 20), ("json", "/api/alerts?limit=10", 20), ("json", "/api/alerts?job=job7&key=user7", 20),
        ("json", "/api/alerts?state=acknowledged", 20), ("json", "/api/alerts?since=1h", 20), ("json", "/api/alarms?svg=1", 20),
        ("json", "/api/jobs/job7/scores?range=1h&svg=1", 20), ("json", "/api/jobs/job7/scores?range=24h&key=user7&svg=1", 20),
        ("json", "/api/jobs/job7/scores?range=7d&key=user7", 20),
    ]
    let table = Table([Table.Column(title: "request", width: 42, leftAligned: true), Table.Column(title: "bytes", width: 8),
                       Table.Column(title: "median", width: 9), Table.Column(title: "slowest", width: 9),
                       Table.Column(title: "budget", width: 7), Table.Column(title: "", width: 4, leftAligned: true)])
    table.printHeader()
    for (kind, target, budgetMs) in requests {
        let request = DashboardRequest(method: "GET", target: target)
        let first = dashboard.respond(to: request, canWrite: true)
        guard first.status == 200 else { throw BenchFailure("GET \(target): \(first.status) \(String(decoding: first.body, as: UTF8.self))") }
        var samples: [Double] = []
        for _ in 0..<repetitions {
            let start = monotonicNs()
            _ = dashboard.respond(to: request, canWrite: true)
            samples.append(Double(monotonicNs() - start) / 1e6)
        }
        samples.sort()
        let median = samples[samples.count / 2]
        table.printRow(["\(kind) \(target)", "\(first.body.count)", String(format1(median)) + " ms", String(format1(samples.last!)) + " ms",
                        "\(Int(budgetMs)) ms", median <= budgetMs ? "ok" : "OVER"])
    }
}

private func format1(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

private func withCatalogFile(_ path: String, _ body: (OpaquePointer) throws -> Void) throws {
    var handle: OpaquePointer?
    guard sqlite3_open(path, &handle) == SQLITE_OK, let handle else { throw BenchFailure("cannot open \(path)") }
    defer { sqlite3_close(handle) }
    sqlite3_busy_timeout(handle, 10_000)
    try body(handle)
}

private func exec(_ handle: OpaquePointer, _ sql: String) throws {
    guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else { throw BenchFailure("\(sql): \(String(cString: sqlite3_errmsg(handle)))") }
}

private func insertRows(_ handle: OpaquePointer, _ sql: String, _ body: (OpaquePointer) throws -> Void) throws {
    var statement: OpaquePointer?
    guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
        throw BenchFailure("\(sql): \(String(cString: sqlite3_errmsg(handle)))")
    }
    defer { sqlite3_finalize(statement) }
    try body(statement)
}
