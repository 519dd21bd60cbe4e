// One row of `job_log` (schema/0011): an event of a job or a service, as
// JobLogHandler made it from a swift-log call and as the catalog gives it back.
// The event's fields are one JSON object (`metadataJSON`), written by
// `JobLogEntry.metadataJSON(_:)` from swift-log's metadata: numbers and
// booleans stay numbers and booleans, so `json_extract(metadata,
// '$.duration_ms') > 100` works in SQL.

import Logging
import SpateJSON

/// Who wrote a log entry.
public enum JobLogSource: String, Sendable, Equatable, CaseIterable {
    /// A saved job; the entry's name is the job's.
    case job
    /// A background service of a process: delivery, alarms, metrics, runner.
    case service
}

/// One structured event of a job or a service.
public struct JobLogEntry: Sendable, Equatable {
    /// The row's id once stored (insertion order); nil before.
    public var id: Int64?
    /// When it happened, epoch ms.
    public var loggedMs: Int64
    public var source: JobLogSource
    /// The job's or the service's name.
    public var name: String
    public var level: Logger.Level
    /// A fixed word per kind of entry: `started`, `checkpoint`, `lease_lost`, …
    public var event: String
    /// One line for a person.
    public var message: String
    /// The event's fields: a JSON object.
    public var metadataJSON: String

    public init(id: Int64? = nil, loggedMs: Int64, source: JobLogSource, name: String, level: Logger.Level,
                event: String, message: String, metadataJSON: String = "{}") {
        self.id = id
        self.loggedMs = loggedMs
        self.source = source
        self.name = name
        self.level = level
        self.event = event
        self.message = message
        self.metadataJSON = metadataJSON
    }

    /// The metadata key whose value becomes the entry's `event` (and leaves the JSON).
    public static let eventKey = "event"
    /// The event of an entry logged without one.
    public static let defaultEvent = "message"

    /// `metadata` as a JSON object, keys sorted (the same metadata gives the same text).
    public static func metadataJSON(_ metadata: Logger.Metadata) -> String {
        var out = ""
        appendObject(metadata, to: &out)
        return out
    }

    private static func appendObject(_ metadata: Logger.Metadata, to out: inout String) {
        out += "{"
        for (i, key) in metadata.keys.sorted().enumerated() {
            if i > 0 { out += "," }
            out += JSONStringLiteral.quoted(key)
            out += ":"
            append(metadata[key]!, to: &out)
        }
        out += "}"
    }

    private static func append(_ value: Logger.MetadataValue, to out: inout String) {
        switch value {
        case let .string(text):
            out += JSONStringLiteral.quoted(text)
        case let .stringConvertible(convertible):
            out += jsonScalar(convertible) ?? JSONStringLiteral.quoted(convertible.description)
        case let .array(values):
            out += "["
            for (i, element) in values.enumerated() {
                if i > 0 { out += "," }
                append(element, to: &out)
            }
            out += "]"
        case let .dictionary(metadata):
            appendObject(metadata, to: &out)
        }
    }

    /// Integers, finite doubles and booleans as JSON numbers and booleans; nil for anything else.
    private static func jsonScalar(_ value: any CustomStringConvertible & Sendable) -> String? {
        switch value {
        case let n as Int: return String(n)
        case let n as Int64: return String(n)
        case let n as Int32: return String(n)
        case let n as UInt64: return String(n)
        case let n as UInt32: return String(n)
        case let n as UInt: return String(n)
        case let n as Double: return n.isFinite ? String(n) : nil
        case let b as Bool: return b ? "true" : "false"
        default: return nil
        }
    }
}
