// CREATE / ALTER / DROP STREAM, SHOW STREAMS, DESCRIBE: the log keeps the
// records and settings (its manifest), the catalog keeps the SQL definition.
//
// WITH options of CREATE STREAM (ALTER STREAM takes the starred ones):
//   shards = N              (default 1)
//   key = 'column'          partition key column (default: none, round-robin)
//   event_time = 'column'   a TIMESTAMP column (default: arrival time)
//   retention = '24 hours'* age limit, or 'unlimited'
//   retention_bytes = N*, retention_records = N*
//   archive = 'dir'*        retention moves sealed segments there instead of
//                           deleting them, and reads go on into it; relative to
//                           the data directory; 'none' turns it off (ALTER)
//   durability = 'batch'*   always | batch | none
//   segment_bytes = N*, segment_age = '1 hour'*
//   format = 'json'         the only format

import SpateLog
import SpateSQL

extension Session {
    func createStream(_ statement: CreateStreamStatement, source: String, sink: ResultSink) throws(SpateError) {
        let name = statement.name.value
        if database.log.streamExists(name) {
            if statement.ifNotExists {
                sink.message("stream \(name) already exists")
                return
            }
            throw .sqlMessage("stream '\(name)' already exists (use CREATE STREAM IF NOT EXISTS, or DROP STREAM \(name) first)",
                              at: statement.name.range, source: source)
        }
        var settings = StreamSettings()
        var keyColumn: String?
        var eventTimeColumn: String?
        let columns = statement.columns.map { SchemaColumn(name: $0.name.value, type: ValueType($0.type.kind)) }
        for option in statement.options {
            switch option.name.value.lowercased() {
            case "shards":
                settings.shardCount = try integer(option, source: source)
            case "key":
                let column = try text(option, source: source)
                guard columns.isEmpty || columns.contains(where: { $0.name == column }) else {
                    throw .sqlMessage("key '\(column)' is not a column of \(name)", at: option.valueRange, source: source)
                }
                keyColumn = column
            case "event_time", "timestamp":
                let column = try text(option, source: source)
                if let declared = columns.first(where: { $0.name == column }), declared.type != .timestamp {
                    throw .sqlMessage("event_time column '\(column)' is \(declared.type); declare it TIMESTAMP", at: option.valueRange, source: source)
                }
                guard columns.isEmpty || columns.contains(where: { $0.name == column }) else {
                    throw .sqlMessage("event_time '\(column)' is not a column of \(name)", at: option.valueRange, source: source)
                }
                eventTimeColumn = column
            case "format", "value_format":
                guard try text(option, source: source).lowercased() == "json" else {
                    throw .sqlMessage("only format = 'json' is supported", at: option.valueRange, source: source)
                }
            default:
                try applyLogOption(option, to: &settings, source: source)
            }
        }
        do throws(LogError) { try settings.validate() } catch { throw .sqlMessage(error.description, at: statement.name.range, source: source) }
        do throws(SpateError) {
            try database.createStream(name, settings: settings)
        } catch .log(.streamExists) where statement.ifNotExists {
            // Another process created it between the check above and here.
            sink.message("stream \(name) already exists")
            return
        }
        let definition = StreamDefinition(name: name, columns: columns, keyColumn: keyColumn, eventTimeColumn: eventTimeColumn,
                                          createdMs: database.now(), statement: statement.description)
        try database.saveStreamDefinition(definition)
        sink.message("created stream \(name) (\(settings.shardCount) shard\(settings.shardCount == 1 ? "" : "s"))")
    }

    /// Applies a log setting option (shared by CREATE and ALTER).
    func applyLogOption(_ option: Option, to settings: inout StreamSettings, source: String) throws(SpateError) {
        switch option.name.value.lowercased() {
        case "retention":
            switch StreamSettingText.retentionAgeMs(try text(option, source: source)) {
            case let .success(ms): settings.retentionAgeMs = ms
            case let .failure(error): throw .sqlMessage("retention \(error.message)", at: option.valueRange, source: source)
            }
        case "retention_bytes": settings.retentionBytes = Int64(try integer(option, source: source))
        case "retention_records": settings.retentionRecords = Int64(try integer(option, source: source))
        case "archive":
            let directory = try text(option, source: source)
            settings.archiveDirectory = directory.lowercased() == "none" ? nil : directory
        case "durability":
            switch StreamSettingText.durability(try text(option, source: source)) {
            case let .success(durability): settings.durability = durability
            case let .failure(error): throw .sqlMessage("durability \(error.message)", at: option.valueRange, source: source)
            }
        case "segment_bytes": settings.segmentBytesMax = try integer(option, source: source)
        case "segment_age":
            switch StreamSettingText.segmentAgeMs(try text(option, source: source)) {
            case let .success(ms): settings.segmentAgeMaxMs = ms
            case let .failure(error): throw .sqlMessage("segment_age \(error.message)", at: option.valueRange, source: source)
            }
        default:
            let known = ["shards", "key", "event_time", "retention", "retention_bytes", "retention_records", "archive", "durability", "segment_bytes", "segment_age", "format"]
            let hint = NameSuggester.nearest(to: option.name.value, in: known).map { " (did you mean \($0)?)" } ?? ""
            throw .sqlMessage("unknown stream option '\(option.name.value)'\(hint); options: \(known.joined(separator: ", "))",
                              at: option.name.range, source: source)
        }
    }

    func alterStream(_ statement: AlterStatement, source: String, sink: ResultSink) throws(SpateError) {
        let name = statement.name.value
        guard database.streamExists(name) else { throw .sqlMessage("stream '\(name)' does not exist", at: statement.name.range, source: source) }
        try database.alterStream(name) { (settings) throws(SpateError) in
            for option in statement.options {
                if option.name.value.lowercased() == "shards" {
                    throw .sqlMessage("the shard count of an existing stream cannot change", at: option.name.range, source: source)
                }
                try applyLogOption(option, to: &settings, source: source)
            }
        }
        sink.message("altered stream \(name)")
    }

    func dropStream(_ statement: DropStatement, source: String, sink: ResultSink) throws(SpateError) {
        let name = statement.name.value
        guard database.streamExists(name) else {
            if statement.ifExists { sink.message("stream \(name) does not exist"); return }
            throw .sqlMessage("stream '\(name)' does not exist", at: statement.name.range, source: source)
        }
        try database.deleteStream(name)
        sink.message("dropped stream \(name)")
    }

    func showStreams(sink: ResultSink) throws(SpateError) {
        sink.begin(columns: [
            ResultColumn(name: "stream", type: .string), ResultColumn(name: "shards", type: .bigint),
            ResultColumn(name: "records", type: .bigint), ResultColumn(name: "bytes", type: .bigint),
            ResultColumn(name: "retention", type: .string), ResultColumn(name: "archive", type: .string),
            ResultColumn(name: "archived_records", type: .bigint), ResultColumn(name: "key", type: .string),
            ResultColumn(name: "event_time", type: .string), ResultColumn(name: "columns", type: .string),
        ])
        var summary = QuerySummary()
        for name in try database.streamNames() {
            let description: StreamDescription
            do { description = try database.describeStream(name) } catch { continue }  // dropped meanwhile
            let definition = try database.streamDefinition(name)
            sink.row([
                .string(name), .bigint(Int64(description.shards.count)), .bigint(Int64(description.recordCount)),
                .bigint(Int64(description.bytes)), .string(description.settings.retentionAgeMs.map { HumanDuration.format(ms: $0) } ?? "unlimited"),
                description.settings.archiveDirectory.map(Value.string) ?? .null,
                description.settings.archiveDirectory == nil ? .null : .bigint(Int64(description.archivedRecordCount)),
                definition?.keyColumn.map(Value.string) ?? .null, definition?.eventTimeColumn.map(Value.string) ?? .null,
                .string(definition.map { $0.columns.map { "\($0.name) \($0.type)" }.joined(separator: ", ") } ?? "(schemaless JSON)"),
            ])
            summary.rows += 1
        }
        sink.end(summary)
    }

    func describe(_ statement: DescribeStatement, source: String, sink: ResultSink) throws(SpateError) {
        let name = statement.name.value
        if statement.objectType == nil || statement.objectType == .stream, database.log.streamExists(name) {
            let description = try database.describeStream(name)
            let definition = try database.streamDefinition(name)
            sink.begin(columns: [ResultColumn(name: "property", type: .string), ResultColumn(name: "value", type: .string)])
            var rows: [(String, String)] = []
            for column in definition?.columns ?? [] { rows.append(("column \(column.name)", column.type.description)) }
            if definition?.columns.isEmpty ?? true { rows.append(("columns", "schemaless JSON: fields are read by name")) }
            rows.append(("key", definition?.keyColumn ?? "(none: round-robin)"))
            rows.append(("event_time", definition?.eventTimeColumn ?? "(arrival time)"))
            rows.append(("shards", "\(description.shards.count)"))
            rows.append(("retention", description.settings.retentionAgeMs.map { HumanDuration.format(ms: $0) } ?? "unlimited"))
            if let bytes = description.settings.retentionBytes { rows.append(("retention_bytes", "\(bytes)")) }
            if let records = description.settings.retentionRecords { rows.append(("retention_records", "\(records)")) }
            rows.append(("durability", description.settings.durability.rawValue))
            // The hot tier, then the archive.
            rows.append(("records", "\(description.recordCount)"))
            rows.append(("bytes", "\(description.bytes)"))
            rows.append(("segments", "\(description.shards.reduce(0) { $0 + $1.segmentCount })"))
            rows.append(("earliest_arrival", description.shards.compactMap(\.earliestArrivalMs).min().map(UTCTimestamp.format) ?? "-"))
            rows.append(("archive", description.settings.archiveDirectory ?? "(none: retention deletes)"))
            if description.settings.archiveDirectory != nil {
                rows.append(("archived_records", "\(description.archivedRecordCount)"))
                rows.append(("archived_bytes", "\(description.archivedBytes)"))
                rows.append(("archived_segments", "\(description.archivedSegmentCount)"))
                rows.append(("archived_earliest_arrival", description.archivedEarliestArrivalMs.map(UTCTimestamp.format) ?? "-"))
                if let problem = description.archiveProblem { rows.append(("archive_problem", problem)) }
            }
            for shard in description.shards {
                var value = "sequences \(shard.earliestSequence)..<\(shard.nextSequence), \(shard.segmentCount) segment(s)"
                if let archived = shard.archived, let first = archived.earliestSequence {
                    value += "; archived: sequences \(first)..<\(first + archived.recordCount), \(archived.segmentCount) segment(s)"
                }
                rows.append((shard.name, value))
            }
            for (property, value) in rows { sink.row([.string(property), .string(value)]) }
            var summary = QuerySummary()
            summary.rows = rows.count
            sink.end(summary)
            return
        }
        if statement.objectType == nil, let table = database.catalogTableSchemas().first(where: { $0.name == name.lowercased() }) {
            sink.begin(columns: [ResultColumn(name: "column", type: .string), ResultColumn(name: "type", type: .string)])
            for column in table.columns { sink.row([.string(column.name), .string(column.type.description)]) }
            var summary = QuerySummary()
            summary.rows = table.columns.count
            sink.end(summary)
            return
        }
        let candidates = (try? database.streamNames()) ?? []
        let hint = NameSuggester.nearest(to: name, in: candidates).map { " (did you mean \($0)?)" } ?? ""
        throw .sqlMessage("no stream or table named '\(name)'\(hint)", at: statement.name.range, source: source)
    }

    func integer(_ option: Option, source: String) throws(SpateError) -> Int {
        guard case let .integer(value) = option.value, let int = Int(exactly: value) else {
            throw .sqlMessage("\(option.name.value) must be a whole number", at: option.valueRange, source: source)
        }
        return int
    }

    func text(_ option: Option, source: String) throws(SpateError) -> String {
        switch option.value {
        case let .string(value): return value
        default: throw .sqlMessage("\(option.name.value) must be a quoted string, e.g. \(option.name.value) = 'value'", at: option.valueRange, source: source)
        }
    }
}
