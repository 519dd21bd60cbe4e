// Every JSON endpoint of the dashboard over a database with known contents:
// the numbers a user would read off the page (rates, lag, counts, states),
// the filters of /api/alerts, errors for bad parameters, and the alert
// actions (ACK / RESOLVE through a Session) with their guards.

import Foundation
import Testing
@testable import SpateDashboard

@Suite struct APIEndpointTests {
    let f: DashboardFixture

    init() throws {
        f = try DashboardFixture()
        try f.run("""
            CREATE STREAM tx (userId STRING, amount DOUBLE) WITH (shards = 3, key = 'userId', retention = '24 hours');
            CREATE JOB spikes AS SELECT userId, amount, ANOMALY_SCORE(amount) OVER (PARTITION BY userId) AS score FROM tx WHERE anomaly;
            """)
    }

    @Test func streamsGivePerSecondRatesPerMinuteWithGapsAsNull() throws {
        try f.metric("stream.records_in", "stream", "tx", minuteMs: DashboardFixture.minute(ago: 2), sum: 600)
        try f.metric("stream.bytes_in", "stream", "tx", minuteMs: DashboardFixture.minute(ago: 2), sum: 60_000)
        let json = try f.json("/api/streams?range=1h")
        let stream = try #require((json["streams"] as? [[String: Any]])?.first)
        #expect(stream["name"] as? String == "tx")
        #expect(stream["shards"] as? Int == 3)
        #expect(stream["retention"] as? String == "24h")
        let records = try #require(stream["recordsPerSecond"] as? [Any])
        #expect(records.count == 60)
        #expect(records[57] as? Double == 10)          // 600 records in the minute two before now's
        #expect(records[58] is NSNull)                  // nothing measured: a gap
        #expect((stream["bytesPerSecond"] as? [Any])?[57] as? Double == 1_000)
        #expect(stream["recordsChart"] == nil)
    }

    @Test func longerRangesAddUpTheirBuckets() throws {
        for ago in [0, 1, 2] as [Int64] { try f.metric("stream.records_in", "stream", "tx", minuteMs: DashboardFixture.minute(ago: ago), sum: 300) }
        let json = try f.json("/api/streams?range=6h&svg=1")
        #expect(json["bucketMs"] as? Int == 300_000)
        let stream = try #require((json["streams"] as? [[String: Any]])?.first)
        let values = try #require(stream["recordsPerSecond"] as? [Any])
        #expect(values.count == 72)
        // 10:30 is the first minute of the last 5-minute bucket; 10:28, 10:29 are in the one before.
        #expect(values[71] as? Double == 1)
        #expect(values[70] as? Double == 2)
        #expect((stream["recordsChart"] as? String)?.contains(#"data-points="2""#) == true)
    }

    @Test func unknownRangeIsABadRequest() {
        let response = f.get("/api/streams?range=2h")
        #expect(response.status == 400)
        #expect((response.json["error"] as? String)?.contains("1h, 6h, 24h, 7d") == true)
    }

    @Test func jobsShowStateCheckpointCountsLagAndAnomalies() throws {
        f.write("""
            INSERT INTO checkpoints (job, sequence, committed_at, records_in, records_out) VALUES ('spikes', 4, \(DashboardFixture.nowMs - 5_000), 1200, 7);
            """)
        try f.metric("job.anomalies", "job", "spikes", minuteMs: DashboardFixture.minute(ago: 1), sum: 4)
        try f.metric("job.lag_ms", "job", "spikes", minuteMs: DashboardFixture.minute(ago: 1), sum: 250)
        let json = try f.json("/api/jobs")
        let job = try #require((json["jobs"] as? [[String: Any]])?.first)
        #expect(job["name"] as? String == "spikes")
        #expect(job["state"] as? String == "running")
        #expect(job["runningIn"] is NSNull)             // no process holds its lease
        #expect(job["recordsIn"] as? Int == 1200)
        #expect(job["recordsOut"] as? Int == 7)
        #expect(job["checkpointAtMs"] as? Int64 == DashboardFixture.nowMs - 5_000)
        #expect(job["lagMs"] as? Double == 250)
        #expect(job["anomaliesLastMinute"] as? Double == 4)
        #expect((job["anomaliesPerMinute"] as? [Any])?.count == 60)
    }

    @Test func lagRecordsAreTheRecordsPastTheCheckpoint() throws {
        try f.run("INSERT INTO tx (userId, amount) VALUES ('a', 1), ('b', 2), ('c', 3), ('d', 4), ('e', 5);")
        f.write("""
            INSERT INTO checkpoints (job, sequence, committed_at) VALUES ('spikes', 1, \(DashboardFixture.nowMs));
            INSERT INTO checkpoint_offsets (job, direction, stream, shard, next_offset) VALUES
              ('spikes', 'input', 'tx', 0, 0), ('spikes', 'input', 'tx', 1, 0), ('spikes', 'input', 'tx', 2, 0);
            """)
        let job = try #require((try f.json("/api/jobs")["jobs"] as? [[String: Any]])?.first)
        #expect(job["lagRecords"] as? Int == 5)
    }

    @Test func jobMetricsGiveEverySeriesAndChartsOnRequest() throws {
        try f.metric("job.records_in", "job", "spikes", minuteMs: DashboardFixture.minute(ago: 0), sum: 120)
        try f.metric("job.records_in", "job", "other", minuteMs: DashboardFixture.minute(ago: 0), sum: 999_999)
        let json = try f.json("/api/jobs/spikes/metrics?range=1h&svg=1")
        let series = try #require(json["series"] as? [[String: Any]])
        #expect(series.map { $0["name"] as? String } == ["records in", "records out", "anomalies", "lag", "late records"])
        #expect(series[0]["unit"] as? String == "records/s")
        #expect((series[0]["values"] as? [Any])?.last as? Double == 2)
        #expect((json["charts"] as? [String])?.count == 4)
        #expect(f.get("/api/jobs/nope/metrics").status == 404)
    }

    @Test func jobScoresOfferTheAlertedKeysAndChartAKeysScoreThresholdAndFlags() throws {
        // u2 alerted twice, u1 once; u3 only scored in the latest minute.
        f.insertAlert(job: "spikes", key: "u1", score: 9, createdMs: DashboardFixture.minute(ago: 3))
        f.insertAlert(job: "spikes", key: "u2", score: 8, createdMs: DashboardFixture.minute(ago: 2))
        f.insertAlert(job: "spikes", key: "u2", score: 7, createdMs: DashboardFixture.minute(ago: 1))
        for (key, ago, score, threshold, flagged) in [("u2", 2, 8.0, 4.0, 1), ("u2", 1, 7.5, 4.5, 1), ("u2", 0, 1.0, 4.5, 0),
                                                      ("u1", 3, 9.0, 5.0, 1), ("u3", 0, 2.0, 6.0, 0)] {
            f.write("""
                INSERT INTO detector_scores (job, key, minute_at, score_max, threshold, rows, flagged)
                VALUES ('spikes', '\(key)', \(DashboardFixture.minute(ago: Int64(ago))), \(score), \(threshold), 6, \(flagged));
                """)
        }
        let json = try f.json("/api/jobs/spikes/scores?range=1h&svg=1")
        let keys = try #require(json["keys"] as? [[String: Any]])
        #expect(keys.map { $0["key"] as? String } == ["u2", "u1", "u3"])
        #expect(keys.map { $0["alerts"] as? Int } == [2, 1, 0])
        #expect(json["key"] as? String == "u2", "the most alerted key by default")
        let scores = try #require(json["scores"] as? [Any])
        #expect(scores.count == 60)
        #expect(scores.suffix(3).map { $0 as? Double } == [8, 7.5, 1])
        #expect((json["thresholds"] as? [Any])?.suffix(3).map { $0 as? Double } == [4, 4.5, 4.5])
        #expect(json["flaggedBuckets"] as? [Int] == [57, 58])
        let chart = try #require(json["chart"] as? String)
        #expect(chart.contains(#"data-points="6""#) && chart.components(separatedBy: #"class="mark""#).count == 3)

        let u1 = try f.json("/api/jobs/spikes/scores?range=1h&key=u1")
        #expect((u1["scores"] as? [Any])?.compactMap { $0 as? Double } == [9])
        #expect(u1["chart"] == nil, "charts only with svg=1")
        #expect(f.get("/api/jobs/nope/scores").status == 404)
        #expect(f.get("/api/jobs/spikes/scores?range=2y").status == 400)
    }

    @Test func aJobWithoutScoresSaysSo() throws {
        let json = try f.json("/api/jobs/spikes/scores")
        #expect((json["keys"] as? [Any])?.isEmpty == true)
        #expect(json["key"] is NSNull)
        let page = String(decoding: f.get("/jobs/spikes").body, as: UTF8.self)
        #expect(page.contains("no scores yet"))
    }

    @Test func alertsFilterByJobKeyStateAndTimeNewestFirst() throws {
        let now = DashboardFixture.nowMs
        f.insertAlert(job: "spikes", key: "user1", score: 5, createdMs: now - 7_200_000)
        f.insertAlert(job: "spikes", key: "user2", score: 6, createdMs: now - 60_000, state: "acknowledged")
        f.insertAlert(job: "other", key: "user1", score: 7, createdMs: now - 30_000,
                      explanation: #"{"detector":"ZSCORE","grade":0.99,"inputs":[{"input":"amount","observed":900,"expected":40}]}"#)
        func ids(_ query: String) throws -> [Int] {
            try #require(try f.json("/api/alerts" + query)["alerts"] as? [[String: Any]]).compactMap { $0["id"] as? Int }
        }
        #expect(try ids("") == [3, 2, 1])
        #expect(try ids("?job=spikes") == [2, 1])
        #expect(try ids("?key=user1") == [3, 1])
        #expect(try ids("?state=acknowledged") == [2])
        #expect(try ids("?since=1h") == [3, 2])
        #expect(try ids("?since=\(now - 45_000)") == [3])
        #expect(try ids("?job=spikes&key=user1&state=open") == [1])
        #expect(try ids("?limit=1") == [3])
        let newest = try #require((try f.json("/api/alerts?limit=1")["alerts"] as? [[String: Any]])?.first)
        #expect((newest["row"] as? [String: Any])?["amount"] as? Double == 7)
        #expect((newest["explanation"] as? [String: Any])?["detector"] as? String == "ZSCORE")
        #expect(f.get("/api/alerts?state=closed").status == 400)
        #expect(f.get("/api/alerts?since=yesterday").status == 400)
    }

    @Test func alarmsGiveStateThresholdValuesPerPeriodAndHistory() throws {
        try f.run("CREATE ALARM many ON METRIC job.anomalies WHERE job = 'spikes' STATISTIC SUM PERIOD 1 MINUTE WHEN > 3 FOR 1 OF 1 PERIODS;")
        try f.metric("job.anomalies", "job", "spikes", minuteMs: DashboardFixture.minute(ago: 1), sum: 5)
        try f.metric("job.anomalies", "job", "other", minuteMs: DashboardFixture.minute(ago: 1), sum: 100)
        let json = try f.json("/api/alarms?svg=1")
        let alarm = try #require((json["alarms"] as? [[String: Any]])?.first)
        #expect(alarm["name"] as? String == "many")
        #expect(alarm["state"] as? String == "INSUFFICIENT_DATA")
        #expect(alarm["threshold"] as? Double == 3)
        let values = try #require(alarm["values"] as? [Any])
        #expect(values.count == 60)
        #expect(values[58] as? Double == 5)             // only the alarm's own dimensions
        #expect((alarm["history"] as? [[String: Any]])?.first?["newState"] as? String == "INSUFFICIENT_DATA")
        let chart = try #require(alarm["chart"] as? String)
        #expect(chart.contains(#"class="threshold""#))
        #expect(chart.contains(#"class="mark""#))       // the breaching minute is shaded
    }

    /// 2 of 3: the breaching minutes are shaded, and the band marks every window of 3 periods holding 2 breaches.
    @Test func alarmChartsBandTheWindowsWhereMOfNHeld() throws {
        try f.run("CREATE ALARM two ON METRIC job.anomalies WHERE job = 'spikes' STATISTIC SUM PERIOD 1 MINUTE WHEN > 3 FOR 2 OF 3 PERIODS;")
        // Buckets 50, 52 breach (a window 50…52 holds 2 of 3); 56 breaches alone; 51, 53…55 do not.
        for (ago, sum) in [(9, 5.0), (8, 1.0), (7, 6.0), (6, 0.0), (5, 0.0), (4, 0.0), (3, 9.0)] {
            try f.metric("job.anomalies", "job", "spikes", minuteMs: DashboardFixture.minute(ago: Int64(ago)), sum: sum)
        }
        let alarm = try #require((try f.json("/api/alarms?svg=1")["alarms"] as? [[String: Any]])?.first)
        #expect(alarm["breachingBuckets"] as? [Int] == [50, 52, 56])
        #expect(alarm["alarmingBuckets"] as? [Int] == [50, 51, 52])
        let chart = try #require(alarm["chart"] as? String)
        #expect(chart.components(separatedBy: #"<rect class="window""#).count - 1 == 3)
        #expect(chart.components(separatedBy: #"<rect class="mark""#).count - 1 == 3)
    }

    @Test func acknowledgeAndResolveChangeTheAlertInTheCatalog() throws {
        f.insertAlert(job: "spikes", key: "user1", score: 5, createdMs: DashboardFixture.nowMs)
        let acked = f.post("/api/alerts/1/ack")
        #expect(acked.status == 200)
        #expect(acked.json["state"] as? String == "acknowledged")
        #expect((try f.json("/api/alerts")["alerts"] as? [[String: Any]])?.first?["state"] as? String == "acknowledged")
        #expect(f.post("/api/alerts/1/resolve").json["state"] as? String == "resolved")
        #expect(f.post("/api/alerts/42/ack").status == 404)
    }

    @Test func actionsNeedWriteAccessAndTheDashboardHeader() throws {
        f.insertAlert(job: "spikes", key: "user1", score: 5, createdMs: DashboardFixture.nowMs)
        #expect(f.post("/api/alerts/1/ack", canWrite: false).status == 403)
        #expect(f.post("/api/alerts/1/ack", header: false).status == 403)
        #expect((try f.json("/api/alerts")["alerts"] as? [[String: Any]])?.first?["state"] as? String == "open")
    }
}
