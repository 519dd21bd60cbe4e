// FlinkTables: the CREATE TABLE statements of an exported job — its input
// stream as a Flink source with event time and watermark, and where its rows
// go as a Flink sink.
//
// Columns. A declared stream gives all its columns; a schemaless one the
// fields the job reads, with the types the analyzer gave them. A TIMESTAMP
// column (and the event-time column, whatever its declared type) is, with
// epoch-millisecond JSON, a BIGINT column plus a computed
// `<name>_ltz AS TO_TIMESTAMP_LTZ(<name>, 3)` that the query reads; with
// ISO 8601 JSON, a TIMESTAMP_LTZ(3) column read as ISO-8601.
//
// Event time. The stream's event_time column, with a watermark that trails it
// by the window's GRACE — Spate's watermark. A stream without one uses arrival
// time: Kafka's record timestamp (`METADATA FROM 'timestamp'`), with the same
// watermark; the Kinesis `kinesis` connector (5.x) exposes no arrival time and
// a file has none, so there it is PROCTIME(), the time Flink reads the record.
//
// Sink columns are the job's output columns; a TIMESTAMP is written as epoch
// milliseconds, as Spate writes it into a stream, a results row or a file.

import SpateCatalog
import SpateLog
import SpateSQL

/// One column of a Flink CREATE TABLE.
struct FlinkColumn {
    var name: String
    /// `BIGINT`, or for a computed column `AS …`, or for metadata `TIMESTAMP_LTZ(3) METADATA …`.
    var definition: String
    var comment: String?
}

/// A CREATE TABLE: columns, watermark, partitioning and connector options.
struct FlinkTable {
    var name: String
    var columns: [FlinkColumn] = []
    var watermark: (column: String, delayMs: Int64)?
    var partitionedBy: [String] = []
    var options: [(key: String, value: String, comment: String?)] = []
    var comment: String

    var sql: String {
        var lines = columns.map { column in
            "  " + FlinkSQLText.identifier(column.name) + " " + column.definition
        }
        if let watermark {
            let column = FlinkSQLText.identifier(watermark.column)
            lines.append("  WATERMARK FOR \(column) AS " + (watermark.delayMs == 0 ? column : "\(column) - \(FlinkSQLText.interval(milliseconds: watermark.delayMs))"))
        }
        var body: [String] = []
        for (i, line) in lines.enumerated() {
            let comment = i < columns.count ? columns[i].comment.map { "  -- " + $0 } ?? "" : ""
            body.append(line + (i + 1 < lines.count ? "," : "") + comment)
        }
        var text = "-- \(comment)\nCREATE TABLE \(FlinkSQLText.identifier(name)) (\n" + body.joined(separator: "\n") + "\n)"
        if !partitionedBy.isEmpty { text += " PARTITIONED BY (" + partitionedBy.map(FlinkSQLText.identifier).joined(separator: ", ") + ")" }
        let entries = options.enumerated().map { i, option in
            "  " + FlinkSQLText.string(option.key) + " = " + FlinkSQLText.string(option.value)
                + (i + 1 < options.count ? "," : "") + (option.comment.map { "  -- " + $0 } ?? "")
        }
        return text + " WITH (\n" + entries.joined(separator: "\n") + "\n);"
    }
}

/// What the input table gives the query.
struct FlinkSource {
    var table: FlinkTable
    /// The Flink column each of the plan's fields is read from.
    var fieldColumns: [String]
    /// The time attribute windows use (event time, or arrival time).
    var timeColumn: String?
    var arrivalColumn: String?
}

extension FlinkTable {
    /// The input stream as a Flink source table.
    static func source(stream: StreamSchema, plan: QueryPlan, graceMs: Int64, startMs: Int64?, startLatest: Bool,
                       options: FlinkExportOptions) throws(FlinkExportRefusal) -> FlinkSource {
        let eventTimeField: Int?
        switch plan.eventTime {
        case let .field(i): eventTimeField = i
        case .arrival: eventTimeField = nil
        }
        // The columns the table declares, with the type each is read as.
        var declared: [SchemaColumn] = stream.columns
        if stream.isSchemaless {
            for field in plan.fields {
                guard field.path.count == 1 else {
                    throw FlinkExportRefusal("the query reads the nested JSON field \(field.dottedPath); declare the stream's columns flat, or write the ROW type by hand")
                }
                declared.append(SchemaColumn(name: field.path[0], type: field.type))
            }
        }
        let timeFields = Set(plan.fields.enumerated().compactMap { i, field in
            field.type == .timestamp || i == eventTimeField ? field.path.first : nil
        })
        var taken = Set(declared.map(\.name))
        func unique(_ base: String) -> String {
            var name = base
            while taken.contains(name) { name += "_" }
            taken.insert(name)
            return name
        }
        var table = FlinkTable(name: stream.name, comment: "")
        var timeColumnOf: [String: String] = [:]
        var computed: [FlinkColumn] = []
        for column in declared {
            let isTime = column.type == .timestamp || timeFields.contains(column.name)
            guard isTime else {
                table.columns.append(FlinkColumn(name: column.name, definition: FlinkSQLText.typeName(column.type)))
                continue
            }
            switch options.timestamps {
            case .epochMilliseconds:
                let ltz = unique(column.name + "_ltz")
                table.columns.append(FlinkColumn(name: column.name, definition: "BIGINT", comment: "TIMESTAMP: epoch milliseconds in the JSON"))
                computed.append(FlinkColumn(name: ltz, definition: "AS TO_TIMESTAMP_LTZ(\(FlinkSQLText.identifier(column.name)), 3)"))
                timeColumnOf[column.name] = ltz
            case .iso8601:
                table.columns.append(FlinkColumn(name: column.name, definition: "TIMESTAMP_LTZ(3)", comment: "TIMESTAMP: ISO 8601 text in the JSON"))
                timeColumnOf[column.name] = column.name
            }
        }
        table.columns += computed
        let fieldColumns = plan.fields.map { field in timeColumnOf[field.path[0]] ?? field.path[0] }

        var source = FlinkSource(table: table, fieldColumns: fieldColumns)
        let readsArrival = plan.eventTime == .arrival && plan.window != nil || plan.filter.map(Self.readsArrival) == true
            || plan.outputs.contains { Self.readsArrival($0.expression) }
        if let eventTimeField {
            source.timeColumn = fieldColumns[eventTimeField]
            source.table.watermark = (fieldColumns[eventTimeField], graceMs)
        }
        if readsArrival {
            let arrival = unique("arrival_time")
            source.arrivalColumn = arrival
            if options.connector == .kafka {
                source.table.columns.append(FlinkColumn(name: arrival, definition: "TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL",
                                                        comment: "arrival time: the Kafka record's timestamp"))
                if eventTimeField == nil { source.table.watermark = (arrival, graceMs) }
            } else {
                source.table.columns.append(FlinkColumn(name: arrival, definition: "AS PROCTIME()",
                                                        comment: "arrival time: when Flink reads the record (the \(options.connector.rawValue) source gives no arrival time)"))
            }
            if eventTimeField == nil { source.timeColumn = arrival }
        }
        source.table.comment = "The input: Spate stream \(stream.name)"
            + (stream.keyColumn.map { ", key \($0)" } ?? "")
            + (eventTimeField != nil ? ", event time \(stream.eventTimeColumn ?? plan.fields[0].dottedPath)" : ", arrival time")
            + (graceMs > 0 ? ", with a watermark that trails it by the window's GRACE" : "") + "."
        source.table.options = sourceOptions(stream: stream.name, startMs: startMs, startLatest: startLatest, options: options)
        return source
    }

    private static func readsArrival(_ expression: BoundExpression) -> Bool {
        if case .arrivalTime = expression.kind { return true }
        return expression.children.contains(where: readsArrival)
    }

    private static func sourceOptions(stream: String, startMs: Int64?, startLatest: Bool,
                                      options: FlinkExportOptions) -> [(key: String, value: String, comment: String?)] {
        var entries: [(key: String, value: String, comment: String?)] = []
        switch options.connector {
        case .kinesis:
            entries += kinesisOptions(stream: stream, options: options)
            if let startMs {
                entries.append(("source.init.position", "AT_TIMESTAMP", "the job's SINCE"))
                entries.append(("source.init.timestamp", UTCTimestamp.format(startMs), nil))
            } else {
                entries.append(("source.init.position", startLatest ? "LATEST" : "TRIM_HORIZON", startLatest ? "SINCE LATEST" : "SINCE EARLIEST"))
            }
        case .kafka:
            entries.append(("connector", "kafka", nil))
            entries.append(("topic", stream, nil))
            entries.append(("properties.bootstrap.servers", options.bootstrapServers, nil))
            entries.append(("properties.group.id", "spate-\(stream)", nil))
            if let startMs {
                entries.append(("scan.startup.mode", "timestamp", "the job's SINCE"))
                entries.append(("scan.startup.timestamp-millis", String(startMs), nil))
            } else {
                entries.append(("scan.startup.mode", startLatest ? "latest-offset" : "earliest-offset", startLatest ? "SINCE LATEST" : "SINCE EARLIEST"))
            }
        case .filesystem:
            entries.append(("connector", "filesystem", nil))
            entries.append(("path", options.path(of: stream), "every file in it, whole: the stream's records as JSON lines"))
        }
        entries.append(("format", "json", nil))
        entries.append(("json.ignore-parse-errors", "true", "a field that does not parse reads as NULL, as in Spate"))
        if options.timestamps == .iso8601 { entries.append(("json.timestamp-format.standard", "ISO-8601", nil)) }
        return entries
    }

    private static func kinesisOptions(stream: String, options: FlinkExportOptions) -> [(key: String, value: String, comment: String?)] {
        var entries: [(key: String, value: String, comment: String?)] = [
            ("connector", "kinesis", nil),
            ("stream.arn", options.streamARN(stream), nil),
            ("aws.region", options.region, nil),
        ]
        if let endpoint = options.endpoint { entries.append(("aws.endpoint", endpoint, nil)) }
        return entries
    }

    /// Where the job's rows go.
    enum SinkTarget {
        /// A Spate stream (INSERT INTO s): the same connector as the input, keyed like the stream.
        case stream(name: String, keyColumn: String?)
        /// A Spate file sink: the filesystem connector in its directory and format.
        case files(SinkRecord)
        /// Spate's job_results table: the same connector as the input, named `<job>_results`.
        case results(job: String)
    }

    /// The job's output as a Flink sink table.
    static func sink(_ target: SinkTarget, outputs: [OutputColumn], options: FlinkExportOptions) -> FlinkTable {
        let name: String
        let comment: String
        switch target {
        case let .stream(stream, _):
            name = stream
            comment = "The output: Spate stream \(stream), one JSON object a row as the job appends them (TIMESTAMPs as epoch milliseconds)."
        case let .files(sink):
            name = sink.name
            comment = "The output: Spate file sink \(sink.name) (\(sink.format.rawValue.uppercased()) files in \(sink.directory))."
        case let .results(job):
            name = job + "_results"
            comment = "The output: Spate keeps this job's rows in job_results; here they go to \(options.connector == .filesystem ? "the directory" : options.connector == .kafka ? "the topic" : "the stream") \(name)."
        }
        var table = FlinkTable(name: name, comment: comment)
        for output in outputs {
            let type = output.type == .timestamp ? "BIGINT" : FlinkSQLText.typeName(output.type)
            table.columns.append(FlinkColumn(name: output.name, definition: type, comment: output.type == .timestamp ? "TIMESTAMP as epoch milliseconds" : nil))
        }
        switch target {
        case let .files(sink):
            table.options = [
                ("connector", "filesystem", nil),
                ("path", sink.directory, "files named part-…, not Spate's YYYY/MM/DD/HH layout"),
                ("format", sink.format == .jsonl ? "json" : sink.format.rawValue,
                 sink.format == .csv ? "without Spate's header row" : sink.format == .parquet ? "needs the flink-parquet jar" : nil),
                ("sink.rolling-policy.rollover-interval", FlinkSQLText.duration(milliseconds: sink.rollMs), "ROLL EVERY"),
                ("sink.rolling-policy.file-size", "\(sink.rollBytes)b", "ROLL SIZE"),
            ]
        case let .stream(stream, keyColumn):
            let key = keyColumn.flatMap { key in outputs.contains { $0.name == key } ? key : nil }
            table.options = sinkOptions(name: stream, key: key, options: options)
            if options.connector == .kinesis, let key { table.partitionedBy = [key] }
        case .results:
            table.options = sinkOptions(name: name, key: nil, options: options)
        }
        return table
    }

    private static func sinkOptions(name: String, key: String?, options: FlinkExportOptions) -> [(key: String, value: String, comment: String?)] {
        var entries: [(key: String, value: String, comment: String?)] = []
        switch options.connector {
        case .kinesis:
            entries += kinesisOptions(stream: name, options: options)
            if key == nil { entries.append(("sink.partitioner", "random", "Spate spreads rows without a key over the shards")) }
        case .kafka:
            entries.append(("connector", "kafka", nil))
            entries.append(("topic", name, nil))
            entries.append(("properties.bootstrap.servers", options.bootstrapServers, nil))
            if let key {
                entries.append(("key.format", "raw", "the partition key, as Spate routes rows"))
                entries.append(("key.fields", key, nil))
            }
        case .filesystem:
            entries.append(("connector", "filesystem", nil))
            entries.append(("path", options.path(of: name), nil))
        }
        entries.append(("format", "json", nil))
        return entries
    }
}
