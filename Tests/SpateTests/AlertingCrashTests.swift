// No alert is lost when `spate run` is killed between an alert's commit and
// its delivery: the webhook's receiver is down at first, so the alert sits in
// the outbox (attempted, pending); `spate run` is killed with SIGKILL; the
// receiver comes up; a new `spate run` delivers the alert with the same
// idempotency key as the row had before the kill.

import Foundation
import Spate
import SpateCatalog
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct AlertingCrashTests {
    @Test func anAlertCommittedBeforeAKillIsDeliveredAfterRestartWithTheSameKey() throws {
        let f = try AlertingFixture()
        let data = f.directory.path + "/data"
        let port = try unusedPort()
        try f.run("""
            CREATE STREAM tx (userId STRING, amount DOUBLE);
            CREATE CHANNEL hook TYPE WEBHOOK WITH (url = 'http://127.0.0.1:\(port)/hook', timeout = '1 second');
            CREATE JOB big WITH (alerts = true, notify = 'hook') AS SELECT userId, amount FROM tx SINCE EARLIEST WHERE amount > 100;
            INSERT INTO tx (userId, amount) VALUES ('u1', 5), ('u2', 900);
            """)
        let (first, _, _) = try Spate.start(["run", "--data", data, "--lease", "2"])
        // Committed and attempted at least once (the receiver is down), not delivered.
        let attempted = try f.eventually(60) { try !f.deliveries("attempts >= 1 AND state = 'pending'").isEmpty }
        #expect(attempted)
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let before = try f.deliveries()
        #expect(before.count == 1)
        guard before.count == 1, case let .text(key) = before[0][3] else { return }

        let listener = try HTTPListener(port: port)
        let (second, _, _) = try Spate.start(["run", "--data", data, "--lease", "2"])
        defer {
            kill(second.processIdentifier, SIGTERM)
            second.waitUntilExit()
        }
        let received = listener.waitFor(1, seconds: 60)
        #expect(received.count >= 1)
        #expect(received.allSatisfy { $0.idempotencyKey == key && $0.body.contains("\"amount\":900") })
        #expect(try f.eventually(30) { try f.deliveries("state = 'delivered'").count == 1 })
        #expect(try f.run("SELECT COUNT(*) AS n FROM alerts;").rows == [[.bigint(1)]])
    }
}
