// Delivery through real channels: webhooks to an HTTP listener on 127.0.0.1
// (failures, timeouts, retries with the same idempotency key, giving up, a
// blocked channel that does not hold up another, the rate limit's summary),
// and alerts of a running job reaching its channels, with ALTER JOB … SET
// (notify = …) applying to the next alerts. Alerts enter the outbox the way
// jobs put them there: Catalog.commitCheckpoint.

import SpateJSON
import Foundation
@testable import Spate
import SpateAlerts
import SpateCatalog
import SpateRuntime
import SpateSQL
import Synchronization
import Testing

final class TestClock: @unchecked Sendable {
    private let offset = Atomic<Int64>(0)
    func advance(_ ms: Int64) { offset.add(ms, ordering: .relaxed) }
    var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) + offset.load(ordering: .relaxed) }
}

final class AlertingFixture: @unchecked Sendable {
    let directory = TemporaryDirectory()
    let clock = TestClock()
    let database: Database
    let session: Session

    init() throws {
        database = try Database.open(directory.path + "/data")
        session = Session(database: database)
    }

    @discardableResult
    func run(_ sql: String) throws -> CollectingSink {
        let sink = CollectingSink()
        try session.execute(script: sql, sink: sink)
        return sink
    }

    /// Commits `count` alerts of job `job` (made if needed, notifying `notify`) through a checkpoint.
    func raiseAlerts(_ count: Int, job: String = "j", notify: String) throws {
        let catalog = database.catalog
        if try catalog.job(named: job) == nil {
            try catalog.createJob(JobRecord(name: job, definition: "CREATE JOB \(job) AS SELECT 1", outputKind: .alerts,
                                            optionsJSON: "{\"notify\":\(JSONStringLiteral.quoted(notify))}", createdMs: clock.now, updatedMs: clock.now))
        }
        #expect(try catalog.acquireLease(job: job, owner: "test", nowMs: clock.now, durationMs: 60_000))
        let alerts = (0..<count).map { i in
            NewAlert(job: job, key: "k\(i)", windowStartMs: nil, windowEndMs: nil, score: nil, rowJSON: "{\"i\":\(i)}", createdMs: clock.now)
        }
        let committed = try catalog.commitCheckpoint(
            job: job, owner: "test", nowMs: clock.now, leaseDurationMs: 60_000,
            checkpoint: CheckpointData(recordsIn: 0, recordsOut: Int64(count), inputOffsets: [], outputOffsets: [], operatorStates: [:]),
            alerts: alerts, results: [])
        #expect(committed)
        try catalog.releaseLease(job: job, owner: "test")
    }

    func deliveryService(backoffMs: Int64 = 50) -> DeliveryService {
        var options = DeliveryOptions()
        options.scanIntervalMs = 20
        options.backoffBaseMs = backoffMs
        options.backoffMaxMs = backoffMs * 4
        let clock = self.clock
        return DeliveryService(catalog: database.catalog, owner: "test-delivery", nowMs: { clock.now }, options: options)
    }

    func deliveries(_ condition: String = "1 = 1") throws -> [[CatalogValue]] {
        try database.catalog.query(sql: "SELECT channel, state, attempts, idempotency_key, last_error FROM deliveries WHERE \(condition) ORDER BY id").rows.map(Array.init)
    }

    /// Waits until `condition` holds (bounded).
    func eventually(_ seconds: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(20_000)
        }
        return try condition()
    }
}

@Suite struct AlertingDeliveryTests {
    @Test func failedAttemptsAreRetriedWithTheSameIdempotencyKey() throws {
        let f = try AlertingFixture()
        let listener = try HTTPListener { index in (index < 2 ? 500 : 200, 0) }
        try f.run("CREATE CHANNEL ops TYPE WEBHOOK WITH (url = '\(listener.url)', headers = 'X-Team: fraud; X-Env: test');")
        try f.raiseAlerts(1, notify: "ops")
        let service = f.deliveryService()
        service.start()
        defer { service.stop() }
        let requests = listener.waitFor(3)
        #expect(requests.count == 3)
        #expect(try f.eventually { try f.deliveries("state = 'delivered'").count == 1 })
        let row = try f.deliveries()[0]
        #expect(row[1] == .text("delivered") && row[2] == .integer(3))
        guard case let .text(key) = row[3] else { Issue.record("no key"); return }
        #expect(requests.allSatisfy { $0.idempotencyKey == key })
        #expect(requests.allSatisfy { $0.body.contains("\"idempotency_key\":\"\(key)\"") && $0.body.contains("\"row\":{\"i\":0}") })
        #expect(requests[0].headers["x-team"] == "fraud" && requests[0].headers["x-env"] == "test")
        #expect(requests[0].requestLine == "POST /hook HTTP/1.1")
    }

    @Test func aTimeoutIsAFailedAttemptAndTheRetrySucceeds() throws {
        let f = try AlertingFixture()
        let listener = try HTTPListener { index in (200, index == 0 ? 1_500 : 0) }
        try f.run("CREATE CHANNEL slow TYPE WEBHOOK WITH (url = '\(listener.url)', timeout = '300 ms');")
        try f.raiseAlerts(1, notify: "slow")
        let service = f.deliveryService()
        service.start()
        defer { service.stop() }
        #expect(try f.eventually { try f.deliveries("state = 'delivered'").count == 1 })
        #expect(try f.deliveries()[0][2] == .integer(2))
        let requests = listener.waitFor(2)
        #expect(Set(requests.compactMap(\.idempotencyKey)).count == 1)
    }

    @Test func afterMaxAttemptsTheDeliveryIsFailedVisiblyAndCounted() throws {
        let f = try AlertingFixture()
        let listener = try HTTPListener { _ in (500, 0) }
        try f.run("CREATE CHANNEL broken TYPE WEBHOOK WITH (url = '\(listener.url)', max_attempts = 3);")
        try f.raiseAlerts(1, notify: "broken")
        let service = f.deliveryService()
        service.start()
        #expect(try f.eventually { try f.deliveries("state = 'failed'").count == 1 })
        service.stop()
        #expect(listener.requests.count == 3)
        let failed = try f.run("SELECT channel, attempts, last_error FROM deliveries WHERE state = 'failed';")
        #expect(failed.rows == [[.string("broken"), .bigint(3), .string("HTTP 500 from \(listener.url)")]])
        try f.database.catalog.flushMetrics()
        let counted = try f.run("SELECT name, sum_value FROM metrics WHERE name IN ('channel.failures', 'channel.given_up') ORDER BY name;")
        #expect(counted.rows == [[.string("channel.failures"), .double(3)], [.string("channel.given_up"), .double(1)]])
        let shown = try f.run("SHOW CHANNELS;")
        #expect(shown.rows.first?[6] == .bigint(1))
    }

    @Test func aBlockedChannelDoesNotHoldUpAnother() throws {
        let f = try AlertingFixture()
        let release = Atomic<Bool>(false)
        let blocked = try HTTPListener { _ in
            while !release.load(ordering: .relaxed) { usleep(10_000) }
            return (200, 0)
        }
        let fast = try HTTPListener()
        try f.run("""
            CREATE CHANNEL stuck TYPE WEBHOOK WITH (url = '\(blocked.url)', timeout = '30 seconds');
            CREATE CHANNEL quick TYPE WEBHOOK WITH (url = '\(fast.url)');
            """)
        try f.raiseAlerts(3, notify: "stuck,quick")
        let service = f.deliveryService()
        service.start()
        #expect(fast.waitFor(3).count == 3)
        #expect(try f.eventually { try f.deliveries("channel = 'quick' AND state = 'delivered'").count == 3 })
        #expect(try f.deliveries("channel = 'stuck' AND state = 'delivered'").isEmpty)
        release.store(true, ordering: .relaxed)
        #expect(try f.eventually { try f.deliveries("channel = 'stuck' AND state = 'delivered'").count == 3 })
        service.stop()
    }

    @Test func alertsOverTheRateLimitAreFoldedIntoOneSummary() throws {
        let f = try AlertingFixture()
        let listener = try HTTPListener()
        try f.run("CREATE CHANNEL ops TYPE WEBHOOK WITH (url = '\(listener.url)', rate_limit = 2);")
        // Start at the beginning of a minute, so all five fall in one window.
        f.clock.advance(60_000 - f.clock.now % 60_000 + 1_000)
        try f.raiseAlerts(5, notify: "ops")
        let service = f.deliveryService()
        service.start()
        defer { service.stop() }
        #expect(try f.eventually { try f.deliveries("state = 'suppressed'").count == 3 })
        #expect(try f.deliveries("state = 'delivered'").count == 2)
        f.clock.advance(60_000)  // the minute is over: one summary
        let requests = listener.waitFor(3)
        #expect(requests.count == 3)
        #expect(requests.last?.body.contains("\"kind\":\"summary\"") == true)
        #expect(requests.last?.body.contains("3 more alerts suppressed") == true)
        usleep(200_000)
        #expect(listener.requests.count == 3)
        let summaries = try f.run("SELECT kind, source FROM alerts WHERE kind = 'summary';")
        #expect(summaries.rows == [[.string("summary"), .string("ops")]])
    }

    @Test func aRunningJobsAlertsReachItsChannelsAndAlterJobChangesThem() throws {
        let f = try AlertingFixture()
        let first = try HTTPListener(), second = try HTTPListener()
        try f.run("""
            CREATE STREAM tx (userId STRING, amount DOUBLE);
            CREATE CHANNEL a TYPE WEBHOOK WITH (url = '\(first.url)');
            CREATE CHANNEL b TYPE WEBHOOK WITH (url = '\(second.url)');
            CREATE JOB big WITH (alerts = true, notify = 'a') AS SELECT userId, amount FROM tx SINCE EARLIEST WHERE amount > 100;
            INSERT INTO tx (userId, amount) VALUES ('u1', 500);
            """)
        var options = JobRunnerOptions()
        options.scanIntervalMs = 50
        var alerting = AlertingOptions()
        alerting.delivery.scanIntervalMs = 20
        let runner = f.database.startJobRunner(options: options, alerting: alerting)
        defer { runner.stop() }
        let got = first.waitFor(1)
        #expect(got.count == 1)
        #expect(got.first?.body.contains("\"job\":\"big\"") == true && got.first?.body.contains("\"amount\":500") == true)
        try f.run("ALTER JOB big SET (notify = 'b'); INSERT INTO tx (userId, amount) VALUES ('u2', 700);")
        let later = second.waitFor(1)
        #expect(later.count == 1 && later.first?.body.contains("\"amount\":700") == true)
        #expect(first.requests.count == 1)
    }
}
