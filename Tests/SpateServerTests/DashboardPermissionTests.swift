// What each dashboard route needs (issue 19), in process through the
// endpoint and the real dashboard (`spate`'s route): streams, jobs, alerts and
// alarms are listed only when the principal may read their stream; a page of
// a job it may not read, an alert action without admin on the alert's
// stream, and /metrics without read on * are a 403 with one line. The alerts
// are made by a real job (WITH (alerts = true)) run by the job runner.

import Foundation
@testable import Spate
import SpateLog
@testable import SpateServer
@testable import spate
import SpateSQL
import Testing

@Suite(.serialized) struct DashboardPermissionTests {
    final class Sink: ResultSink {
        func begin(columns: [ResultColumn]) {}
        func row(_ values: [Value]) {}
        func end(_ summary: QuerySummary) {}
        func message(_ text: String) {}
    }

    /// A database with streams tx and orders, an alert job over each with one alert made, and alarms on each
    /// stream and on every channel; the endpoint serves its dashboard to four principals.
    final class Fixture {
        let directory = TemporaryDirectory()
        let database: Database
        let endpoint: Endpoint
        var alertIDs: [String: Int64] = [:]

        init() throws {
            database = try Database.open(directory.path + "/data")
            try Session(database: database).execute(script: """
                CREATE STREAM tx (userId STRING, amount DOUBLE);
                CREATE STREAM orders (id STRING, total DOUBLE);
                CREATE JOB tx_big WITH (alerts = true, checkpoint_interval = '50 milliseconds') AS
                  SELECT userId, amount FROM tx SINCE EARLIEST WHERE amount > 1000;
                CREATE JOB orders_big WITH (alerts = true, checkpoint_interval = '50 milliseconds') AS
                  SELECT id, total FROM orders SINCE EARLIEST WHERE total > 1000;
                INSERT INTO tx (userId, amount) VALUES ('u1', 5000);
                INSERT INTO orders (id, total) VALUES ('o1', 7000);
                CREATE ALARM tx_quiet ON METRIC stream.records_in WHERE stream = 'tx' STATISTIC SUM PERIOD 1 MINUTE WHEN < 1 FOR 1 OF 1 PERIODS;
                CREATE ALARM orders_quiet ON METRIC stream.records_in WHERE stream = 'orders' STATISTIC SUM PERIOD 1 MINUTE WHEN < 1 FOR 1 OF 1 PERIODS;
                CREATE ALARM deliveries_failing ON METRIC channel.failures STATISTIC SUM PERIOD 1 MINUTE WHEN > 5 FOR 1 OF 1 PERIODS;
                """, sink: Sink())
            let runner = database.startJobRunner()
            defer { runner.stop() }
            let deadline = wallClockMs() + 30_000
            while alertIDs.count < 2 && wallClockMs() < deadline {
                let rows = try database.catalogQuery(sql: "SELECT source, id FROM alerts WHERE kind = 'job'")
                for row in 0..<rows.rowCount { if case let .text(job) = rows[row, 0], case let .integer(id) = rows[row, 1] { alertIDs[job] = id } }
                usleep(20_000)
            }
            let policy = try AccessPolicy.parse("""
                [ops]
                aws_access_key_id = AKIDOPS
                aws_secret_access_key = o
                allow = admin on tx*
                [consumer]
                aws_access_key_id = AKIDCONSUMER
                aws_secret_access_key = c
                allow = read on tx*
                [producer]
                aws_access_key_id = AKIDPRODUCER
                aws_secret_access_key = p
                allow = write on *
                [watcher]
                aws_access_key_id = AKIDWATCHER
                aws_secret_access_key = w
                allow = read on *
                """, path: "creds")
            endpoint = Endpoint(service: KinesisService(database: database), access: policy, dashboard: .serving(database))
        }

        func get(_ path: String, as principal: String) -> EndpointResponse { request("GET", path, as: principal) }

        func request(_ method: String, _ path: String, as principal: String, headers: [(String, String)] = []) -> EndpointResponse {
            let key = "AKID" + principal.uppercased() + ":" + String(principal.prefix(1))
            let basic = RequestHeader(name: "Authorization", value: "Basic " + Data(key.utf8).base64EncodedString())
            return endpoint.respond(to: EndpointRequest(method: method, uri: path,
                                                        headers: [basic] + headers.map { RequestHeader(name: $0.0, value: $0.1) }, body: []))
        }

        func json(_ path: String, as principal: String) -> [String: Any] {
            let response = get(path, as: principal)
            #expect(response.status == 200, "\(principal) GET \(path): \(String(decoding: response.body, as: UTF8.self))")
            return (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        }

        func names(_ path: String, _ list: String, field: String = "name", as principal: String) -> [String] {
            ((json(path, as: principal)[list] as? [[String: Any]]) ?? []).compactMap { $0[field] as? String }.sorted()
        }
    }

    /// The response is a 403 whose one line says `needles`.
    func expectForbidden(_ response: EndpointResponse, _ needles: String..., sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(response.status == 403, sourceLocation: sourceLocation)
        var text = String(decoding: response.body, as: UTF8.self)
        if let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any], let error = object["error"] as? String {
            text = error
        }
        for needle in needles { #expect(text.contains(needle), "\(text)", sourceLocation: sourceLocation) }
        if response.contentType.hasPrefix("text/plain") || response.contentType.hasPrefix("application/json") {
            #expect(!text.trimmingCharacters(in: .newlines).contains("\n"), "not one line: \(text)", sourceLocation: sourceLocation)
        }
    }

    @Test func listsHoldOnlyWhatThePrincipalMayRead() throws {
        let f = try Fixture()
        #expect(f.alertIDs.keys.sorted() == ["orders_big", "tx_big"], "the jobs made no alerts")
        #expect(f.names("/api/streams", "streams", as: "watcher") == ["orders", "tx"])
        #expect(f.names("/api/streams", "streams", as: "consumer") == ["tx"])
        #expect(f.names("/api/streams", "streams", as: "producer") == [])
        #expect(f.names("/api/jobs", "jobs", as: "watcher") == ["orders_big", "tx_big"])
        #expect(f.names("/api/jobs", "jobs", as: "consumer") == ["tx_big"])
        #expect(f.names("/api/jobs", "jobs", as: "producer") == [])
        #expect(f.names("/api/alerts", "alerts", field: "source", as: "watcher") == ["orders_big", "tx_big"])
        #expect(f.names("/api/alerts", "alerts", field: "source", as: "consumer") == ["tx_big"])
        #expect(f.names("/api/alerts?job=orders_big", "alerts", field: "source", as: "consumer") == [])
        #expect(f.names("/api/alerts", "alerts", field: "source", as: "producer") == [])
        // An alarm is about the stream its dimensions name; one on a channel's metric is about every stream.
        #expect(f.names("/api/alarms", "alarms", as: "watcher") == ["deliveries_failing", "orders_quiet", "tx_quiet"])
        #expect(f.names("/api/alarms", "alarms", as: "consumer") == ["tx_quiet"])
        #expect(f.names("/api/alarms", "alarms", as: "ops") == ["tx_quiet"])
        let overview = String(decoding: f.get("/", as: "consumer").body, as: UTF8.self)
        #expect(overview.contains("tx_big") && overview.contains("tx_quiet"))
        #expect(!overview.contains("orders"), "the overview shows nothing of orders to consumer")
        let alertsPage = String(decoding: f.get("/alerts", as: "consumer").body, as: UTF8.self)
        #expect(alertsPage.contains("tx_big") && !alertsPage.contains("orders_big"))
        let alarmsPage = String(decoding: f.get("/alarms", as: "consumer").body, as: UTF8.self)
        #expect(alarmsPage.contains("tx_quiet") && !alarmsPage.contains("orders_quiet") && !alarmsPage.contains("deliveries_failing"))
    }

    @Test func aJobThePrincipalMayNotReadIsA403() throws {
        let f = try Fixture()
        #expect(f.get("/jobs/tx_big", as: "consumer").status == 200)
        #expect(f.json("/api/jobs/tx_big/metrics", as: "consumer")["job"] as? String == "tx_big")
        for path in ["/jobs/orders_big", "/api/jobs/orders_big/metrics", "/api/jobs/orders_big/scores"] {
            expectForbidden(f.get(path, as: "consumer"), "consumer may not see job orders_big: that needs read on stream orders (job orders_big reads it); consumer is allowed: read on tx*")
        }
        #expect(f.get("/api/jobs/no_such/metrics", as: "consumer").status == 404)
        #expect(f.get("/jobs/orders_big", as: "watcher").status == 200)
    }

    @Test func actingOnAnAlertNeedsAdminOnItsStream() throws {
        let f = try Fixture()
        let action = [("X-Spate-Dashboard", "1")]
        let tx = try #require(f.alertIDs["tx_big"]), orders = try #require(f.alertIDs["orders_big"])
        #expect(f.json("/api/alerts", as: "watcher")["canWrite"] as? Bool == false)
        #expect(f.json("/api/alerts", as: "ops")["canWrite"] as? Bool == true)
        #expect(!String(decoding: f.get("/alerts", as: "watcher").body, as: UTF8.self).contains("data-can-write=\"1\""))
        expectForbidden(f.request("POST", "/api/alerts/\(tx)/ack", as: "watcher", headers: action),
                        "this dashboard is read-only for watcher")
        expectForbidden(f.request("POST", "/api/alerts/\(orders)/ack", as: "ops", headers: action),
                        "ops may not change alert \(orders): that needs admin on stream orders (job orders_big reads it); ops is allowed: admin on tx*")
        #expect(f.request("POST", "/api/alerts/999999/ack", as: "ops", headers: action).status == 404)
        let acked = f.request("POST", "/api/alerts/\(tx)/ack", as: "ops", headers: action)
        #expect(acked.status == 200 && String(decoding: acked.body, as: UTF8.self).contains("acknowledged"))
        let state = try f.database.catalogQuery(sql: "SELECT state FROM alerts WHERE id = ?1", parameters: [.integer(orders)])
        #expect(state[0, 0] == .text("open"), "the refused action changed nothing")
    }

    @Test func metricsNeedReadOnEveryStream() throws {
        let f = try Fixture()
        #expect(f.get("/metrics", as: "watcher").status == 200)
        expectForbidden(f.get("/metrics", as: "consumer"), "consumer may not read /metrics: it covers every stream and job, so it needs read on *")
        expectForbidden(f.get("/metrics", as: "ops"), "needs read on *")
        #expect(f.get("/healthz", as: "producer").status == 200)
        // A wrong key is asked again (401), whatever the route.
        let wrong = f.endpoint.respond(to: EndpointRequest(method: "GET", uri: "/metrics", headers: [
            RequestHeader(name: "Authorization", value: "Basic " + Data("AKIDWATCHER:nope".utf8).base64EncodedString())], body: []))
        #expect(wrong.status == 401)
    }
}
