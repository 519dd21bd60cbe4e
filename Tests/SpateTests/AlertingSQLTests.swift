// Channels, alarms and metrics through SQL: CREATE / SHOW / DROP / TEST
// CHANNEL, CREATE ALARM's checks, an alarm evaluated over synthetic metric
// minutes (state change → history, alert, deliveries), SHOW METRICS with its
// sparkline, the Prometheus text, and the catalog tables readable with SELECT.

import Foundation
@testable import Spate
import SpateAlerts
import SpateCatalog
import SpateSQL
import Testing

@Suite struct AlertingSQLTests {
    @Test func channelsAreCreatedShownTestedAndDropped() throws {
        let f = try AlertingFixture()
        let file = f.directory.path + "/alerts.jsonl"
        try f.run("CREATE CHANNEL audit TYPE FILE WITH (path = '\(file)', rate_limit = 10);")
        try f.run("CREATE CHANNEL IF NOT EXISTS audit TYPE STDOUT;")
        let tested = try f.run("TEST CHANNEL audit;")
        #expect(tested.messages.first?.hasPrefix("channel audit: sample alert delivered in") == true)
        let line = try String(contentsOfFile: file, encoding: .utf8)
        #expect(line.hasPrefix("{\"idempotency_key\":\"spate-test-audit-") && line.hasSuffix("}\n"))
        let shown = try f.run("SHOW CHANNELS;")
        #expect(shown.rows.first?[0..<4] == [.string("audit"), .string("FILE"), .string(file), .bigint(10)])
        let selected = try f.run("SELECT name, type, timeout_ms, max_attempts FROM channels;")
        #expect(selected.rows == [[.string("audit"), .string("file"), .bigint(5_000), .bigint(8)]])
        try f.run("DROP CHANNEL audit;")
        #expect(try f.run("SHOW CHANNELS;").rows.isEmpty)
        #expect(throws: SpateError.self) { try f.run("DROP CHANNEL audit;") }
    }

    @Test func badChannelsAreRefusedWithAReason() throws {
        let f = try AlertingFixture()
        func message(_ sql: String) -> String {
            do { try f.run(sql); return "" } catch { return "\(error)" }
        }
        #expect(message("CREATE CHANNEL w TYPE WEBHOOK WITH (url = 'ftp://example.com/x');").contains("url must be https://host[:port]/path or http://"))
        #expect(message("CREATE CHANNEL w TYPE WEBHOOK WITH (url = 'https://example.com/x', format = 'teams');").contains("format must be one of 'json', 'slack', 'pagerduty'"))
        #expect(message("CREATE CHANNEL w TYPE WEBHOOK WITH (url = 'https://example.com/x', format = 'pagerduty');").contains("needs WITH (routing_key = '…')"))
        #expect(message("CREATE CHANNEL w TYPE WEBHOOK WITH (url = 'https://example.com/x', routing_key = 'r');").contains("for format = 'pagerduty' only"))
        #expect(message("CREATE CHANNEL w TYPE WEBHOOK WITH (url = 'https://example.com/x', ca_file = '/no/such/ca.pem');").contains("not a readable file"))
        #expect(message("CREATE CHANNEL w TYPE WEBHOOK WITH (url = 'http://example.com/x', ca_file = '/etc/hostname');").contains("ca_file is for https:// URLs only"))
        #expect(message("CREATE CHANNEL w TYPE WEBHOOK;").contains("needs WITH (url = '…')"))
        #expect(message("CREATE CHANNEL e TYPE EXEC WITH (command = 'sendmail');").contains("absolute path"))
        #expect(message("CREATE CHANNEL e TYPE EXEC WITH (command = '/no/such/program');").contains("not an executable"))
        #expect(message("CREATE CHANNEL s TYPE STDOUT WITH (timout = '1 second');").contains("did you mean timeout?"))
        #expect(message("CREATE CHANNEL s TYPE STDOUT WITH (rate_limit = 0);").contains("rate_limit"))
        #expect(message("TEST CHANNEL nope;").contains("does not exist"))
    }

    @Test func testChannelReportsAFailure() throws {
        let f = try AlertingFixture()
        let port = try unusedPort()
        try f.run("CREATE CHANNEL down TYPE WEBHOOK WITH (url = 'http://127.0.0.1:\(port)/x', timeout = '1 second');")
        #expect(throws: SpateError.self) { try f.run("TEST CHANNEL down;") }
    }

    @Test func createAlarmChecksMetricDimensionAndPeriod() throws {
        let f = try AlertingFixture()
        func message(_ sql: String) -> String {
            do { try f.run(sql); return "" } catch { return "\(error)" }
        }
        #expect(message("CREATE ALARM a ON METRIC job.anomalis STATISTIC SUM PERIOD 1 MINUTE WHEN > 1 FOR 1 OF 1 PERIODS;").contains("did you mean job.anomalies?"))
        #expect(message("CREATE ALARM a ON METRIC job.anomalies WHERE stream = 'x' STATISTIC SUM PERIOD 1 MINUTE WHEN > 1 FOR 1 OF 1 PERIODS;").contains("dimension job"))
        #expect(message("CREATE ALARM a ON METRIC job.anomalies STATISTIC SUM PERIOD 90 SECONDS WHEN > 1 FOR 1 OF 1 PERIODS;").contains("whole number of minutes"))
        let created = try f.run("CREATE ALARM a ON METRIC job.anomalies WHERE job = 'fraud' STATISTIC SUM PERIOD 1 MINUTE WHEN >= 3 FOR 2 OF 3 PERIODS NOTIFY ops;")
        #expect(created.messages == ["created alarm a: SUM(job.anomalies WHERE job = 'fraud') >= 3 for 2 of 3 periods of 1 MINUTE (state INSUFFICIENT_DATA until evaluated)"])
        let shown = try f.run("SHOW ALARMS;")
        #expect(shown.rows.first?[0..<2] == [.string("a"), .string("INSUFFICIENT_DATA")])
        #expect(shown.rows.first?[3] == .string("MISSING"))
    }

    @Test func anAlarmChangesStateOverMetricMinutesAndNotifies() throws {
        let f = try AlertingFixture()
        let file = f.directory.path + "/alarms.jsonl"
        try f.run("""
            CREATE CHANNEL pager TYPE FILE WITH (path = '\(file)');
            CREATE ALARM lagging ON METRIC job.lag_ms WHERE job = 'fraud' STATISTIC MAX PERIOD 1 MINUTE
              WHEN > 1000 FOR 2 OF 3 PERIODS MISSING AS NOT_BREACHING NOTIFY pager;
            """)
        let now = f.clock.now
        let minute = now / 60_000 * 60_000
        let dims = Catalog.dimensionsJSON([DimensionPair(name: "job", value: "fraud")])
        let other = Catalog.dimensionsJSON([DimensionPair(name: "job", value: "other")])
        // Periods ending 1, 2, 3 minutes before the current one: 5 s, 9 s of lag (breaching), and another job's (ignored).
        func sample(_ at: Int64, _ value: Double, _ dimensions: String) -> MetricSample {
            MetricSample(name: "job.lag_ms", dimensions: dimensions, minuteMs: at, sum: value, count: 1, min: value, max: value, last: value)
        }
        try f.database.catalog.addMetrics([sample(minute - 3 * 60_000, 5_000, dims), sample(minute - 2 * 60_000, 9_000, dims),
                                           sample(minute - 60_000, 0, other)])
        var options = AlarmOptions()
        options.evaluationDelayMs = 0
        let service = AlarmService(catalog: f.database.catalog, owner: "test", nowMs: { f.clock.now }, options: options)
        #expect(try service.evaluateAll(nowMs: now) == ["lagging"])
        #expect(try service.evaluateAll(nowMs: now) == [])  // once per period
        let alarm = try f.run("SELECT state, evaluated_until FROM alarms;")
        #expect(alarm.rows == [[.string("ALARM"), .bigint(minute)]])
        let history = try f.run("SELECT old_state, new_state, datapoints FROM alarm_history WHERE alarm = 'lagging' ORDER BY id;")
        #expect(history.rows.count == 2)
        #expect(history.rows.last?[0..<2] == [.string("INSUFFICIENT_DATA"), .string("ALARM")])
        #expect(history.rows.last?[2] == .string("[null,null,5000.0,9000.0,null]"))
        let alert = try f.run("SELECT kind, source, job FROM alerts;")
        #expect(alert.rows == [[.string("alarm"), .string("lagging"), .null]])
        #expect(try f.deliveries().map { $0[0] } == [.text("pager")])
        // One period below the threshold: still 2 of the last 3 (9000, 10 and 5000 before) → ALARM.
        try f.database.catalog.addMetrics([sample(minute, 10, dims)])
        #expect(try service.evaluateAll(nowMs: now + 60_000) == [])
        // Two: 1 of the last 3 → OK.
        try f.database.catalog.addMetrics([sample(minute + 60_000, 10, dims)])
        #expect(try service.evaluateAll(nowMs: now + 120_000) == ["lagging"])
        #expect(try f.run("SHOW ALARMS;").rows.first?[1] == .string("OK"))
        // Delivered as JSON lines to the FILE channel (once their time has come).
        f.clock.advance(120_000)
        let delivery = f.deliveryService()
        delivery.start()
        #expect(try f.eventually { try f.deliveries("state = 'delivered'").count == 2 })
        delivery.stop()
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].contains("\"message\":\"alarm lagging is ALARM\"") && lines[1].contains("\"new_state\":\"OK\""))
    }

    @Test func showMetricsDrawsTheLastHourAndPrometheusTextHasCountersAndGauges() throws {
        let f = try AlertingFixture()
        let recorder = f.database.catalog.metricsRecorder
        let now = f.database.now()
        for (i, value) in [1.0, 4, 8].enumerated() {
            recorder.record("job.records_in", "job", "fraud", value, atMs: now - Int64(2 - i) * 60_000)
        }
        recorder.record("job.lag_ms", "job", "fraud", 250, atMs: now)
        recorder.record("channel.latency_ms", "channel", "ops", 12, atMs: now)
        recorder.record("channel.latency_ms", "channel", "ops", 8, atMs: now)
        try f.database.catalog.flushMetrics()
        let shown = try f.run("SHOW METRICS LIKE 'job.%';")
        #expect(shown.rows.map { $0[0] } == [.string("job.lag_ms"), .string("job.records_in")])
        #expect(shown.rows[1][1] == .string("{\"job\":\"fraud\"}") && shown.rows[1][2] == .double(8))
        guard case let .string(spark) = shown.rows[1][4] else { Issue.record("no sparkline"); return }
        #expect(spark.count == 60 && spark.hasSuffix("▁▄█"))
        let text = try f.database.prometheusText()
        #expect(text.contains("# TYPE spate_job_records_in_total counter\nspate_job_records_in_total{job=\"fraud\"} 13\n"))
        #expect(text.contains("# TYPE spate_job_lag_ms gauge\nspate_job_lag_ms{job=\"fraud\"} 250\n"))
        #expect(text.contains("spate_channel_latency_ms_sum{channel=\"ops\"} 20\nspate_channel_latency_ms_count{channel=\"ops\"} 2\n"))
        #expect(text.contains("# HELP spate_stream_records_in_total Records appended to the stream."))
        let rows = try f.run("SELECT name, sum_value, sample_count FROM metrics WHERE name = 'channel.latency_ms';")
        #expect(rows.rows == [[.string("channel.latency_ms"), .double(20), .bigint(2)]])
    }

    @Test func spateMetricsPrintsPrometheusText() throws {
        let f = try AlertingFixture()
        try f.run("CREATE STREAM s (x BIGINT);")
        let result = try Spate.run(["metrics", "--data", f.directory.path + "/data"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("# TYPE spate_job_lag_ms gauge"))
    }
}
