// How a declared stream compares with the stream in the data directory.
//
// A stream has two halves: its shape — columns, key, event_time, shards —
// fixed when it is made (the catalog's definition and the log's shard count),
// and its log settings — retention, retention_bytes, retention_records,
// archive, durability, segment_bytes, segment_age — that ALTER STREAM changes
// in place. Settings are compared as values, against what the log runs with
// now (not the CREATE text, which ALTER does not rewrite), so '24 hours' and
// '1 day' are the same and an ALTER made by hand shows as drift. An option the
// file leaves out means its default, as in CREATE STREAM.
//
// A different shape means a new stream, and a new stream means the records
// are gone: the plan says so in capitals, and apply refuses (see StackApply).

import SpateLog
import SpateSQL

/// What a CREATE STREAM of a stack asks for, with its options read the way
/// CREATE STREAM reads them (Session.applyLogOption, one definition).
struct DeclaredStream {
    var columns: [SchemaColumn]
    var keyColumn: String?
    var eventTimeColumn: String?
    var settings: StreamSettings

    var schema: (String) -> StreamSchema {
        { StreamSchema(name: $0, columns: columns, keyColumn: keyColumn, eventTimeColumn: eventTimeColumn) }
    }

    init(_ statement: CreateStreamStatement, session: Session, source: String) throws(SpateError) {
        let name = statement.name.value
        columns = statement.columns.map { SchemaColumn(name: $0.name.value, type: ValueType($0.type.kind)) }
        settings = StreamSettings()
        for option in statement.options {
            switch option.name.value.lowercased() {
            case "shards":
                settings.shardCount = try session.integer(option, source: source)
            case "key":
                let column = try session.text(option, source: source)
                guard columns.isEmpty || columns.contains(where: { $0.name == column }) else {
                    throw .sqlMessage("key '\(column)' is not a column of \(name)", at: option.valueRange, source: source)
                }
                keyColumn = column
            case "event_time", "timestamp":
                let column = try session.text(option, source: source)
                guard columns.isEmpty || columns.contains(where: { $0.name == column && $0.type == .timestamp }) else {
                    throw .sqlMessage("event_time '\(column)' is not a TIMESTAMP column of \(name)", at: option.valueRange, source: source)
                }
                eventTimeColumn = column
            case "format", "value_format":
                guard try session.text(option, source: source).lowercased() == "json" else {
                    throw .sqlMessage("only format = 'json' is supported", at: option.valueRange, source: source)
                }
            default:
                try session.applyLogOption(option, to: &settings, source: source)
            }
        }
        do throws(LogError) { try settings.validate() } catch {
            throw .sqlMessage(error.description, at: statement.name.range, source: source)
        }
    }
}

extension StackPlanner {
    /// The change that makes stream `name` what `declared` asks for, or nil when it is.
    func compareStream(_ declaration: StackDeclaration, _ declared: DeclaredStream) throws(SpateError) -> StackChange? {
        let name = declaration.id.name
        let current = try database.stream(name).settings
        let definition = try database.streamDefinition(name)
        var shape: [String] = []
        let currentColumns = definition?.columns ?? []
        if currentColumns != declared.columns {
            shape.append("columns (\(Self.columnsText(currentColumns))) → (\(Self.columnsText(declared.columns)))")
        }
        if definition?.keyColumn != declared.keyColumn {
            shape.append("key \(Self.quoted(definition?.keyColumn)) → \(Self.quoted(declared.keyColumn))")
        }
        if definition?.eventTimeColumn != declared.eventTimeColumn {
            shape.append("event_time \(Self.quoted(definition?.eventTimeColumn)) → \(Self.quoted(declared.eventTimeColumn))")
        }
        if current.shardCount != declared.settings.shardCount {
            shape.append("shards \(current.shardCount) → \(declared.settings.shardCount)")
        }
        var wanted = declared.settings
        if let archive = wanted.archiveDirectory {
            wanted.archiveDirectory = StackPaths.absolute(archive, relativeTo: database.dataDirectory)
        }
        let settings = Self.settingDifferences(from: current, to: wanted)
        if shape.isEmpty && settings.isEmpty { return nil }
        guard shape.isEmpty else {
            var change = StackChange(.replace, declaration.id, differences: shape + settings,
                                     consequence: try recordsLost(name), declaration: declaration)
            change.refusal = "apply does not delete a stream's records: drop it yourself (DROP STREAM \(name), or spate stream delete \(name)) and apply again"
            return change
        }
        var change = StackChange(.alter, declaration.id, differences: settings, declaration: declaration)
        change.streamSettings = declared.settings
        return change
    }

    /// `DELETES ITS 1,234 RECORDS`: what dropping stream `name` loses, loudly.
    func recordsLost(_ name: String) throws(SpateError) -> String {
        let description = try database.describeStream(name)
        let records = description.recordCount + description.archivedRecordCount
        return records == 0 ? "it has no records" : "DELETES ITS \(Self.grouped(records)) RECORD\(records == 1 ? "" : "S")"
    }

    /// The log settings that differ, as `retention '24h' → '7d'`, in a fixed order.
    static func settingDifferences(from old: StreamSettings, to new: StreamSettings) -> [String] {
        func duration(_ ms: Int64?) -> String { ms.map { "'\(HumanDuration.format(ms: $0))'" } ?? "'unlimited'" }
        func number(_ value: Int64?) -> String { value.map(String.init) ?? "none" }
        var differences: [String] = []
        if old.retentionAgeMs != new.retentionAgeMs {
            differences.append("retention \(duration(old.retentionAgeMs)) → \(duration(new.retentionAgeMs))")
        }
        if old.retentionBytes != new.retentionBytes {
            differences.append("retention_bytes \(number(old.retentionBytes)) → \(number(new.retentionBytes))")
        }
        if old.retentionRecords != new.retentionRecords {
            differences.append("retention_records \(number(old.retentionRecords)) → \(number(new.retentionRecords))")
        }
        if old.archiveDirectory != new.archiveDirectory {
            differences.append("archive \(quoted(old.archiveDirectory)) → \(quoted(new.archiveDirectory))")
        }
        if old.durability != new.durability {
            differences.append("durability '\(old.durability.rawValue)' → '\(new.durability.rawValue)'")
        }
        if old.segmentBytesMax != new.segmentBytesMax {
            differences.append("segment_bytes \(old.segmentBytesMax) → \(new.segmentBytesMax)")
        }
        if old.segmentAgeMaxMs != new.segmentAgeMaxMs {
            differences.append("segment_age \(duration(old.segmentAgeMaxMs)) → \(duration(new.segmentAgeMaxMs))")
        }
        return differences
    }

    static func columnsText(_ columns: [SchemaColumn]) -> String {
        columns.isEmpty ? "schemaless" : columns.map { "\($0.name) \($0.type)" }.joined(separator: ", ")
    }

    /// `'text'`, or `none` for nil.
    static func quoted(_ text: String?) -> String { text.map { Literal.string($0).description } ?? "none" }

    /// 1234567 → "1,234,567".
    static func grouped(_ value: UInt64) -> String {
        let digits = String(value)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }
}
