// EXEC and FILE channels for real: a temporary shell script that appends its
// standard input to a file (argv passed without a shell), one that exits 1,
// one that outlives its timeout and is killed; JSON lines appended to a file;
// and the option parsing of headers, URLs and arguments.

import Foundation
import SpateAlerts
import SpateCatalog
import Testing

private func channel(_ type: ChannelType, _ target: String?, args: String? = nil, timeoutMs: Int64 = 5_000) -> ChannelRecord {
    ChannelRecord(name: "c", type: type, target: target, args: args, timeoutMs: timeoutMs, rateLimitPerMinute: 60, maxAttempts: 8,
                  definition: "", createdMs: 0)
}

private final class Scratch {
    let path = NSTemporaryDirectory() + "spate-alerts-" + UUID().uuidString
    init() { try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Written through a close-on-exec descriptor: a process another test forks
    /// meanwhile must not inherit it open for writing (exec would fail, ETXTBSY).
    func script(_ name: String, _ body: String) -> String {
        let file = path + "/" + name
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        precondition(fd >= 0, "cannot write \(file)")
        let bytes = Array("#!/bin/sh\n\(body)\n".utf8)
        precondition(bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count)
        close(fd)
        chmod(file, 0o755)
        return file
    }
}

/// An alert whose row is `row`, and the JSON object every channel gets for it (channel "c", key "k").
private func alert(_ row: String) -> (StoredAlert, json: String) {
    let alert = StoredAlert(id: 1, kind: "job", source: "j", job: "j", key: "u1", windowStartMs: nil, windowEndMs: nil,
                            score: nil, rowJSON: row, createdMs: 1)
    return (alert, AlertPayload.json(alert, channel: "c", idempotencyKey: "k"))
}

@Suite struct ChannelDeliveryTests {
    @Test func execGetsTheAlertOnStdinAndItsArgumentsWithoutAShell() throws {
        let scratch = Scratch()
        let out = scratch.path + "/out.txt"
        let script = scratch.script("append.sh", "printf '%s|' \"$@\" >> \"\(out)\"; cat >> \"\(out)\"")
        let (sent, json) = alert("{\"alert\":1}")
        let result = ChannelDelivery.send(sent, idempotencyKey: "k", on: channel(.exec, script, args: "one $(date) ;x"))
        #expect(throws: Never.self) { try result.get() }
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "one|$(date)|;x|" + json + "\n")
    }

    @Test func aNonZeroExitIsAFailureThatQuotesTheProgram() {
        let scratch = Scratch()
        let script = scratch.script("fail.sh", "cat > /dev/null; echo 'no mail server' >&2; exit 1")
        let result = ChannelDelivery.send(alert("{}").0, idempotencyKey: "k", on: channel(.exec, script))
        guard case let .failure(error) = result else { Issue.record("expected a failure"); return }
        #expect(error == .failed("\(script) exited with status 1: no mail server"))
    }

    @Test func aProgramPastItsTimeoutIsKilled() {
        let scratch = Scratch()
        let script = scratch.script("hang.sh", "exec sleep 30")
        let start = Date()
        let result = ChannelDelivery.send(alert("{}").0, idempotencyKey: "k", on: channel(.exec, script, timeoutMs: 300))
        guard case let .failure(.timeout(what)) = result else { Issue.record("expected a timeout, got \(result)"); return }
        #expect(what.contains("killed"))
        #expect(Date().timeIntervalSince(start) < 10)
    }

    @Test func fileChannelsAppendJSONLines() throws {
        let scratch = Scratch()
        let file = scratch.path + "/alerts.jsonl"
        var expected = ""
        for i in 1...3 {
            let (sent, json) = alert("{\"n\":\(i)}")
            #expect(throws: Never.self) { try ChannelDelivery.send(sent, idempotencyKey: "k", on: channel(.file, file)).get() }
            expected += json + "\n"
        }
        #expect(try String(contentsOfFile: scratch.path + "/alerts.jsonl", encoding: .utf8) == expected)
    }

    @Test func optionTextsParse() {
        let headers = ChannelDelivery.parseHeaders("Authorization: Bearer x:y; X-Team : ops;bad")
        #expect(headers.map(\.0) == ["Authorization", "X-Team"] && headers.map(\.1) == ["Bearer x:y", "ops"])
        #expect(HTTPURL.parse("http://127.0.0.1:8080/a/b?c=1") == HTTPURL(host: "127.0.0.1", port: 8080, path: "/a/b?c=1"))
        #expect(HTTPURL.parse("http://localhost") == HTTPURL(host: "localhost", port: 80, path: "/"))
        #expect(HTTPURL.parse("http://[::1]:9/x") == HTTPURL(host: "::1", port: 9, path: "/x"))
        #expect(HTTPURL.parse("https://example.com/") == HTTPURL(isHTTPS: true, host: "example.com", port: 443, path: "/"))
        #expect(HTTPURL.parse("ftp://example.com/") == nil)
        #expect(HTTPURL.parse("http://user@host/") == nil)
        #expect(ChannelDelivery.splitArguments("  -t  ops@example.com ") == ["-t", "ops@example.com"])
    }

    @Test func payloadsCarryTheIdempotencyKeyAndAMessage() {
        let alert = StoredAlert(id: 7, kind: "alarm", source: "lag", job: nil, key: "lag", windowStartMs: nil, windowEndMs: 60_000,
                                score: nil, rowJSON: "{\"alarm\":\"lag\",\"new_state\":\"ALARM\"}", createdMs: 1)
        let json = AlertPayload.json(alert, channel: "ops", idempotencyKey: "spate-1-7-ops")
        #expect(json.hasPrefix("{\"idempotency_key\":\"spate-1-7-ops\",\"channel\":\"ops\",\"alert_id\":7,\"kind\":\"alarm\""))
        #expect(json.contains("\"message\":\"alarm lag is ALARM\"") && json.hasSuffix("\"row\":{\"alarm\":\"lag\",\"new_state\":\"ALARM\"}}"))
    }

    @Test func payloadCarriesTheDetectorsExplanation() {
        let why = #"{"detector":"ZSCORE","grade":0.9999,"inputs":[{"input":"amount","observed":900,"expected":12,"share":1}]}"#
        let alert = StoredAlert(id: 8, kind: "job", source: "watch", job: "watch", key: "u3", windowStartMs: nil, windowEndMs: nil,
                                score: 41.5, rowJSON: "{\"amount\":900}", createdMs: 1, explanationJSON: why)
        let json = AlertPayload.json(alert, channel: "ops", idempotencyKey: "k")
        #expect(json.hasSuffix("\"row\":{\"amount\":900},\"explanation\":" + why + "}"))
        let parsed = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect((parsed?["explanation"] as? [String: Any])?["detector"] as? String == "ZSCORE")
    }

    @Test func backoffDoublesUpToItsCap() {
        let options = DeliveryOptions()
        #expect((1...9).map { options.backoffMs(afterAttempt: $0) } == [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 120_000, 120_000])
    }
}
