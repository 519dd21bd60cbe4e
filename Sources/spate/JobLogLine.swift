// How a job log entry prints: one line of text (`spate run`/`serve` on stderr,
// `spate logs`) or one JSON object a line (`spate logs --format json`). Pure
// functions of an entry, so the two places print the same thing and tests
// check them without a process.
//
// Text: `TIME LEVEL SOURCE NAME EVENT: MESSAGE`, single spaces, e.g.
//   2026-03-01T10:15:02.345Z info job fraud_watch checkpoint: 60 checkpoints in 60.0 s (…)
// The time is ISO 8601 UTC; the level is swift-log's (trace … critical); the
// message is the one line a person reads, with control characters shown
// escaped, never raw. The event's fields are in the JSON form only.
// JSON: {"id":…,"logged_at":"…Z","source":"job","name":…,"level":…,"event":…,
//   "message":…,"metadata":{…}} — metadata is the stored JSON object as it is.

import Spate
import SpateCatalog
import SpateLog

enum JobLogLine {
    static func text(_ entry: JobLogEntry) -> String {
        "\(UTCTimestamp.format(entry.loggedMs)) \(entry.level.rawValue) \(entry.source.rawValue) \(ValueText.visible(entry.name)) "
            + "\(ValueText.visible(entry.event)): \(ValueText.visible(entry.message))"
    }

    static func json(_ entry: JobLogEntry) -> String {
        var line = "{"
        if let id = entry.id { line += "\"id\":\(id)," }
        line += "\"logged_at\":\"\(UTCTimestamp.format(entry.loggedMs))\",\"source\":\"\(entry.source.rawValue)\","
        line += "\"name\":\(ValueText.jsonString(entry.name)),\"level\":\"\(entry.level.rawValue)\","
        line += "\"event\":\(ValueText.jsonString(entry.event)),\"message\":\(ValueText.jsonString(entry.message)),"
        line += "\"metadata\":\(entry.metadataJSON)}"
        return line
    }
}
