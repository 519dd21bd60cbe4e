// WEBHOOK channels over https against a real local TLS receiver
// (Tests/compat/https_receiver.py, Python's ssl) whose certificate is signed by
// a CA the test makes with the openssl command: delivered and verified with
// ca_file = that CA; refused, with a hint, without it (the system trust store
// does not know the CA); the slack and pagerduty bodies as their receivers
// read them; and CREATE CHANNEL … TEST CHANNEL end to end.

import Foundation
import Spate
import SpateAlerts
import SpateCatalog
import Testing

/// A CA, a server certificate for 127.0.0.1 it signed, and the receiver using it.
final class HTTPSReceiver {
    let directory = TemporaryDirectory()
    let process = Process()
    let port: Int
    var caFile: String { directory.path + "/ca.pem" }
    var out: String { directory.path + "/requests.jsonl" }
    var url: String { "https://127.0.0.1:\(port)/hook" }

    static var packageRoot: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }

    init() throws {
        let d = directory.path
        let made = try Spate.shell("""
            set -e
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > ext.cnf
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=Spate Test CA' 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=127.0.0.1' 2>/dev/null
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext.cnf 2>/dev/null
            """, input: "", in: d)
        guard made.status == 0 else { throw POSIXError(.EINVAL) }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.packageRoot.appendingPathComponent("Tests/compat/https_receiver.py").path,
                             "--cert", d + "/server.pem", "--key", d + "/server.key", "--out", d + "/requests.jsonl"]
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        let line = String(decoding: stdout.fileHandleForReading.availableData, as: UTF8.self)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw POSIXError(.EPROTO)
        }
        self.port = port
    }

    deinit {
        // SIGKILL: a child of the test process may inherit SIGTERM blocked (the
        // CLI's signal handling blocks it in this process).
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The requests received so far: path, headers (lowercased names), body.
    func requests() -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: out, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func body(_ request: [String: Any]) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data((request["body"] as? String ?? "").utf8)) as? [String: Any]) ?? [:]
    }
}

@Suite(.serialized) struct HTTPSWebhookTests {
    static let toolsAvailable: Bool = {
        (try? Spate.shell("command -v openssl && python3 -c 'import ssl'", input: "").status) == 0
    }()

    let alert = StoredAlert(id: 42, kind: "job", source: "fraud_watch", job: "fraud_watch", key: "user7", windowStartMs: 60_000,
                            windowEndMs: 120_000, score: 8.5, rowJSON: #"{"userId":"user7","total":900.0}"#, createdMs: 1_764_972_000_000)

    func webhook(_ url: String, caFile: String? = nil, format: WebhookFormat = .json, routingKey: String? = nil) -> ChannelRecord {
        var channel = ChannelRecord(name: "ops", type: .webhook, target: url, headers: "X-Team: fraud", timeoutMs: 5_000,
                                    rateLimitPerMinute: 60, maxAttempts: 8, definition: "", createdMs: 0)
        channel.caFile = caFile
        channel.format = format
        channel.routingKey = routingKey
        return channel
    }

    @Test(.enabled(if: toolsAvailable, "openssl and python3 are needed to make a CA and serve https"))
    func aPrivateCAIsTrustedThroughCaFileAndRefusedWithoutIt() throws {
        let receiver = try HTTPSReceiver()
        let delivered = ChannelDelivery.send(alert, idempotencyKey: "spate-1-42-ops", on: webhook(receiver.url, caFile: receiver.caFile))
        #expect(throws: Never.self) { try delivered.get() }
        let requests = receiver.requests()
        try #require(requests.count == 1)
        let headers = requests[0]["headers"] as? [String: String] ?? [:]
        #expect(requests[0]["path"] as? String == "/hook")
        #expect(headers["idempotency-key"] == "spate-1-42-ops" && headers["x-team"] == "fraud")
        #expect(headers["content-type"] == "application/json")
        #expect(requests[0]["body"] as? String == AlertPayload.json(alert, channel: "ops", idempotencyKey: "spate-1-42-ops"))

        // The system trust store does not know the test's CA: no delivery, and the reason says what to do.
        let refused = ChannelDelivery.send(alert, idempotencyKey: "spate-1-42-ops", on: webhook(receiver.url))
        guard case let .failure(error) = refused else { Issue.record("a certificate from an unknown CA was accepted"); return }
        #expect(error.description.contains("ca_file"), "\(error)")
        #expect(receiver.requests().count == 1)
    }

    @Test(.enabled(if: toolsAvailable, "openssl and python3 are needed to make a CA and serve https"))
    func slackAndPagerDutyBodiesKeepTheIdempotencyKey() throws {
        let receiver = try HTTPSReceiver()
        #expect(throws: Never.self) {
            try ChannelDelivery.send(alert, idempotencyKey: "k-slack", on: webhook(receiver.url, caFile: receiver.caFile, format: .slack)).get()
        }
        #expect(throws: Never.self) {
            try ChannelDelivery.send(alert, idempotencyKey: "k-pd", on: webhook(receiver.url, caFile: receiver.caFile, format: .pagerduty,
                                                                                 routingKey: "R0UT1NG")).get()
        }
        let requests = receiver.requests()
        try #require(requests.count == 2)
        let slack = receiver.body(requests[0])
        #expect(slack["text"] as? String == "job fraud_watch: anomaly for user7")
        let section = ((slack["blocks"] as? [[String: Any]])?.first?["text"] as? [String: Any])?["text"] as? String ?? ""
        #expect(section.contains("score 8.5") && section.contains("alert 42") && section.contains(#""total":900.0"#), "\(section)")
        #expect((requests[0]["headers"] as? [String: String])?["idempotency-key"] == "k-slack")

        let pd = receiver.body(requests[1])
        #expect(pd["routing_key"] as? String == "R0UT1NG" && pd["event_action"] as? String == "trigger")
        #expect(pd["dedup_key"] as? String == "k-pd")
        let payload = pd["payload"] as? [String: Any] ?? [:]
        #expect(payload["summary"] as? String == "job fraud_watch: anomaly for user7")
        #expect(payload["severity"] as? String == "warning" && payload["source"] as? String == "spate/fraud_watch")
        #expect(payload["component"] as? String == "user7" && payload["class"] as? String == "job")
        #expect(payload["timestamp"] as? String == "2025-12-05T22:00:00.000Z")
        #expect((payload["custom_details"] as? [String: Any])?["alert_id"] as? Int == 42)
        #expect((requests[1]["headers"] as? [String: String])?["idempotency-key"] == "k-pd")
    }

    @Test(.enabled(if: toolsAvailable, "openssl and python3 are needed to make a CA and serve https"))
    func createAndTestAnHTTPSChannelInSQL() throws {
        let receiver = try HTTPSReceiver()
        let f = try AlertingFixture()
        try f.run("CREATE CHANNEL pager TYPE WEBHOOK WITH (url = '\(receiver.url)', ca_file = '\(receiver.caFile)', format = 'pagerduty', routing_key = 'secret-key');")
        #expect(try f.run("SELECT name, format, ca_file FROM channels;").rows
                == [[.string("pager"), .string("pagerduty"), .string(receiver.caFile)]])
        #expect(throws: SpateError.self) { try f.run("SELECT routing_key FROM channels;") }
        let shown = try f.run("SHOW CHANNELS;")
        let columns = shown.columns.map(\.name)
        #expect(columns.firstIndex(of: "format").map { shown.rows.first?[$0] } == .string("pagerduty"))
        #expect(columns.firstIndex(of: "ca_file").map { shown.rows.first?[$0] } == .string(receiver.caFile))
        #expect(!"\(shown.rows)".contains("secret-key"))
        try f.run("TEST CHANNEL pager;")
        let requests = receiver.requests()
        try #require(requests.count == 1)
        #expect(receiver.body(requests[0])["routing_key"] as? String == "secret-key")
    }
}
