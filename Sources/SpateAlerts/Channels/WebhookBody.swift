// The body a WEBHOOK channel posts, by its `format`:
//
// json (default): Spate's alert object (AlertPayload), unchanged.
//
// slack — a Slack incoming-webhook message:
//   {"text": MESSAGE,                                  the notification line
//    "blocks": [{"type": "section", "text": {"type": "mrkdwn",
//                "text": "*MESSAGE*\nscore S · window START–END · alert ID\n```ROW```"}}]}
//   MESSAGE is AlertPayload.message ("job fraud_watch: anomaly for user1",
//   "alarm p99 is ALARM"); score and window only when the alert has them;
//   ROW is the output row's JSON (at most 2,000 characters, Slack's limit
//   for a section is 3,000).
//
// pagerduty — a PagerDuty Events API v2 event (POST it to
// https://events.pagerduty.com/v2/enqueue):
//   {"routing_key": the channel's routing_key,
//    "event_action": "trigger",
//    "dedup_key": the idempotency key (a retried delivery is one incident),
//    "payload": {"summary": MESSAGE (at most 1,024 characters),
//                "source": "spate/" + job or alarm name,
//                "severity": "critical" for an alarm entering ALARM,
//                            "info" for other alarm changes and summaries,
//                            "warning" for a job's alert,
//                "timestamp": created_at as ISO 8601,
//                "component": the alert's key, "group": the job,
//                "class": the kind (job, alarm, summary),
//                "custom_details": Spate's alert object}}
//
// Every format keeps the Idempotency-Key header (ChannelDelivery).

import SpateCatalog
import SpateJSON
import SpateLog

enum WebhookBody {
    /// The body for `alert` in `format`; `payload` is its Spate alert object.
    static func make(_ format: WebhookFormat, alert: StoredAlert, payload: String, idempotencyKey: String,
                     routingKey: String?) -> String {
        switch format {
        case .json: return payload
        case .slack: return slack(alert)
        case .pagerduty: return pagerDuty(alert, payload: payload, idempotencyKey: idempotencyKey, routingKey: routingKey ?? "")
        }
    }

    static func slack(_ alert: StoredAlert) -> String {
        let message = AlertPayload.message(alert)
        var facts: [String] = []
        if let score = alert.score, score.isFinite { facts.append("score \(score)") }
        if let start = alert.windowStartMs, let end = alert.windowEndMs {
            facts.append("window \(UTCTimestamp.format(start)) – \(UTCTimestamp.format(end))")
        }
        facts.append("alert \(alert.id)")
        let row = alert.rowJSON.count > 2_000 ? String(alert.rowJSON.prefix(2_000)) + "…" : alert.rowJSON
        let detail = "*\(message)*\n" + facts.joined(separator: " · ") + "\n```" + row + "```"
        return "{\"text\":\(JSONStringLiteral.quoted(message)),\"blocks\":[{\"type\":\"section\",\"text\":"
            + "{\"type\":\"mrkdwn\",\"text\":\(JSONStringLiteral.quoted(detail))}}]}"
    }

    static func pagerDuty(_ alert: StoredAlert, payload: String, idempotencyKey: String, routingKey: String) -> String {
        let message = AlertPayload.message(alert)
        let severity: String
        switch alert.kind {
        case "alarm": severity = AlertPayload.field("new_state", in: alert.rowJSON) == "ALARM" ? "critical" : "info"
        case "summary": severity = "info"
        default: severity = "warning"
        }
        func optional(_ name: String, _ value: String?) -> String {
            value.map { ",\"\(name)\":" + JSONStringLiteral.quoted($0) } ?? ""
        }
        return "{\"routing_key\":\(JSONStringLiteral.quoted(routingKey)),\"event_action\":\"trigger\","
            + "\"dedup_key\":\(JSONStringLiteral.quoted(idempotencyKey)),\"payload\":{"
            + "\"summary\":\(JSONStringLiteral.quoted(String(message.prefix(1_024)))),"
            + "\"source\":\(JSONStringLiteral.quoted("spate/" + (alert.job ?? alert.source ?? "spate"))),"
            + "\"severity\":\"\(severity)\",\"timestamp\":\(JSONStringLiteral.quoted(UTCTimestamp.format(alert.createdMs)))"
            + optional("component", alert.key) + optional("group", alert.job)
            + ",\"class\":\(JSONStringLiteral.quoted(alert.kind)),\"custom_details\":\(payload)}}"
    }
}
