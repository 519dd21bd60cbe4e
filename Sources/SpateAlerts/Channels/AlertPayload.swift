// The JSON every channel receives for one alert × channel, one object:
//
//   {"idempotency_key":"spate-…-42-ops","channel":"ops","alert_id":42,
//    "kind":"job","source":"fraud_watch","job":"fraud_watch","key":"user1",
//    "window_start":…,"window_end":…,"score":null,"created_at":…,
//    "message":"job fraud_watch: anomaly for user1","row":{…the output row…},
//    "explanation":{"detector":…,"grade":…,"inputs":[…]}}   (only when a detector flagged the row)
//
// kind is job, alarm (row: alarm, old_state, new_state, reason, …) or summary
// (row: suppressed, alert_ids, …). Times are epoch ms. The same alert on the
// same channel always has the same idempotency_key (also the webhook's
// Idempotency-Key header): receivers drop repeats of at-least-once delivery.

import SpateJSON
import SpateCatalog

public enum AlertPayload {
    public static func json(_ alert: StoredAlert, channel: String, idempotencyKey: String) -> String {
        func optional(_ value: Int64?) -> String { value.map(String.init) ?? "null" }
        func optional(_ value: String?) -> String { value.map(JSONStringLiteral.quoted) ?? "null" }
        let score = alert.score.flatMap { $0.isFinite ? String($0) : nil } ?? "null"
        return "{\"idempotency_key\":\(JSONStringLiteral.quoted(idempotencyKey)),\"channel\":\(JSONStringLiteral.quoted(channel)),"
            + "\"alert_id\":\(alert.id),\"kind\":\(JSONStringLiteral.quoted(alert.kind)),\"source\":\(optional(alert.source)),"
            + "\"job\":\(optional(alert.job)),\"key\":\(optional(alert.key)),\"window_start\":\(optional(alert.windowStartMs)),"
            + "\"window_end\":\(optional(alert.windowEndMs)),\"score\":\(score),\"created_at\":\(alert.createdMs),"
            + "\"message\":\(JSONStringLiteral.quoted(message(alert))),\"row\":\(alert.rowJSON)"
            + (alert.explanationJSON.map { ",\"explanation\":" + $0 } ?? "") + "}"
    }

    /// One line a person reads (an e-mail subject).
    public static func message(_ alert: StoredAlert) -> String {
        switch alert.kind {
        case "alarm":
            let state = field("new_state", in: alert.rowJSON) ?? "changed state"
            return "alarm \(alert.source ?? "?") is \(state)"
        case "summary":
            return (field("message", in: alert.rowJSON) ?? "alerts suppressed") + " on channel \(alert.source ?? "?")"
        default:
            let job = alert.job ?? alert.source ?? "?"
            return "job \(job): anomaly" + (alert.key.map { " for \($0)" } ?? "")
        }
    }

    /// The value of a top-level string field that Spate itself wrote (no escapes in it).
    static func field(_ name: String, in json: String) -> String? {
        let marker = Array("\"\(name)\":\"".utf8), bytes = Array(json.utf8)
        guard bytes.count >= marker.count else { return nil }
        for start in 0...(bytes.count - marker.count) where bytes[start..<(start + marker.count)].elementsEqual(marker) {
            let rest = bytes[(start + marker.count)...]
            guard let end = rest.firstIndex(of: UInt8(ascii: "\"")) else { return nil }
            return String(decoding: rest[..<end], as: UTF8.self)
        }
        return nil
    }

    /// The sample alert TEST CHANNEL sends, and its idempotency key.
    public static func sample(channel: String, nowMs: Int64) -> (alert: StoredAlert, idempotencyKey: String) {
        let key = "spate-test-\(channel)-\(nowMs)"
        let alert = StoredAlert(id: 0, kind: "job", source: "test", job: "test", key: "sample", windowStartMs: nowMs - 60_000,
                                windowEndMs: nowMs, score: nil,
                                rowJSON: "{\"test\":true,\"message\":\"a sample alert from TEST CHANNEL \(channel)\"}", createdMs: nowMs)
        return (alert, key)
    }
}
