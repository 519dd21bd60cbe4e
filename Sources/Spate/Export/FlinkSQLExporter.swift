// FlinkSQLExporter: a Spate job as a Flink SQL script that runs the same
// query on Apache Flink — `spate export job NAME --to flink`.
//
// Input: the job's stored CREATE JOB, compiled again against today's streams
// (JobDefinition.compile: the analyzed plan, where the rows go, parallelism,
// checkpoint interval), the input stream's definition and, for a file-sink
// job, the sink. Output: one script for Flink's SQL client — SET lines, the
// source table (FlinkTables), the query (FlinkQueryWriter, expressions by
// FlinkExpressionWriter), the sink table and INSERT INTO.
//
// Mapping of the job's settings:
//   parallelism          → SET 'parallelism.default'
//   checkpoint_interval  → SET 'execution.checkpointing.interval'
//   SINCE / RESTART FROM → the connector's start position
//   window GRACE         → the watermark's delay
//   UTC windows          → SET 'table.local-time-zone' = 'UTC'
// Refused, as one line naming the reason (SpateError.invalidArgument): jobs
// whose rows are alerts (Spate's alerts table, ACK/RESOLVE and channels have
// no Flink counterpart), detectors and `anomaly`, and the constructs
// FlinkQueryWriter and FlinkExpressionWriter list. Nothing is left out silently:
// a script is printed only when every part of the job has a Flink spelling.
//
// Every statement of the script ends with `;` at the end of a line and no
// comment holds a `;`, so a simple runner (Tests/compat/flink_run.py) can split it.

import SpateCatalog
import SpateLog
import SpateRuntime
import SpateSQL

extension Database {
    /// The Flink SQL script that runs job `name` on Apache Flink.
    ///
    /// - Throws: `.invalidArgument` when there is no such job, or when the job
    ///   uses something Flink has no equivalent for (the message says what);
    ///   `.sql` when the job's definition no longer compiles (a stream it reads
    ///   was dropped).
    public func exportJobToFlink(_ name: String, options: FlinkExportOptions) throws(SpateError) -> String {
        guard let record = try jobRecord(name) else {
            let names = (try? jobRecords().map(\.name)) ?? []
            let hint = NameSuggester.nearest(to: name, in: names).map { " (did you mean \($0)?)" } ?? ""
            throw .invalidArgument("no job named \(name)\(hint)")
        }
        let schemas = try Session(database: self).schemaProvider()
        let definition: JobDefinition
        do { definition = try JobDefinition.compile(record.definition, schemas: schemas, nowMs: now()) } catch {
            throw .sql(error, source: record.definition)
        }
        if let detector = definition.plan.detectors.first {
            throw .invalidArgument("cannot export job \(name) to Flink: it uses \(detector.name), one of Spate's anomaly detectors, which Flink SQL has no equivalent for (port the model as a Flink UDF)")
        }
        let target: FlinkTable.SinkTarget
        switch definition.outputKind {
        case .alerts:
            throw .invalidArgument("cannot export job \(name) to Flink: its rows are alerts (Spate's alerts table, ACK/RESOLVE and notify channels have no Flink counterpart); make it INSERT INTO a stream and export that job")
        case .results:
            target = .results(job: record.name)
        case .stream:
            let output = definition.outputStream ?? record.name
            target = .stream(name: output, keyColumn: schemas.stream(named: output)?.keyColumn)
        case .sink:
            guard let sinkName = definition.outputSink, let sink = try Session(database: self).sinkRecord(sinkName) else {
                throw .invalidArgument("cannot export job \(name) to Flink: its file sink \(definition.outputSink ?? "?") does not exist")
            }
            target = .files(sink)
        }
        let exporter = FlinkSQLExporter(job: record, definition: definition,
                                        input: schemas.stream(named: definition.inputStream) ?? StreamSchema(name: definition.inputStream),
                                        target: target, nowMs: now(), options: options)
        do { return try exporter.script() } catch {
            throw .invalidArgument("cannot export job \(name) to Flink: \(error.reason)")
        }
    }
}

/// Writes one job's Flink SQL script.
struct FlinkSQLExporter {
    let job: JobRecord
    let definition: JobDefinition
    let input: StreamSchema
    let target: FlinkTable.SinkTarget
    let nowMs: Int64
    let options: FlinkExportOptions

    func script() throws(FlinkExportRefusal) -> String {
        let plan = definition.plan
        let start = startPosition()
        let source = try FlinkTable.source(stream: input, plan: plan, graceMs: plan.window?.graceMs ?? 0,
                                           startMs: start.ms, startLatest: start.latest, options: options)
        let rowsView = job.name + "_rows"
        let query = try FlinkQueryWriter(plan: plan, source: source, inputView: job.name + "_input").write()
        var sink = FlinkTable.sink(target, outputs: plan.outputs, options: options)
        // The output may be named like the input or a view; Flink's tables and views may not share a name.
        if sink.name == input.name || sink.name == rowsView || sink.name == job.name + "_input" { sink.name += "_sink" }

        var parts: [String] = [header(), settings(), source.table.sql]
        parts += query.views
        parts.append("-- The job's query, with Flink's types (TIMESTAMP is TIMESTAMP_LTZ(3), window bounds TIMESTAMP(3) in UTC).\n"
            + "CREATE TEMPORARY VIEW \(FlinkSQLText.identifier(rowsView)) AS\n\(query.select);")
        parts.append(sink.sql)
        parts.append(insert(into: sink.name, from: rowsView, outputs: plan.outputs, source: source))
        parts.append(notes(plan: plan, source: source))
        return parts.joined(separator: "\n\n") + "\n"
    }

    /// Where the job starts reading: its RESTART … FROM, else its SINCE.
    private func startPosition() -> (ms: Int64?, latest: Bool) {
        switch job.startFrom {
        case "earliest"?: return (nil, false)
        case "latest"?: return (nil, true)
        case let text?: if let ms = Int64(text) { return (ms, false) }
        case nil: break
        }
        switch definition.plan.start {
        case .earliest: return (nil, false)
        case .latest: return (nil, true)
        case let .time(ms): return (ms, false)
        case let .ago(ms): return (nowMs - ms, false)
        }
    }

    private func header() -> String {
        let command = "spate export job \(job.name) --to flink --source \(options.connector.rawValue)"
        let jar: String
        switch options.connector {
        case .kinesis: jar = "flink-sql-connector-aws-kinesis-streams (5.x)"
        case .kafka: jar = "flink-sql-connector-kafka"
        case .filesystem: jar = "none: the filesystem connector and JSON format ship with Flink"
        }
        let definitionLines = job.definition.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "--   " + $0.replacing(";", with: "") }
        return """
            -- Flink SQL for the Spate job \(job.name), written by `\(command)` (Spate \(SpateVersion.current)).
            -- The job as Spate runs it:
            \(definitionLines.joined(separator: "\n"))
            -- Run it with Flink's SQL client: sql-client.sh -f \(job.name).sql
            -- Connector jar: \(jar).
            """
    }

    private func settings() -> String {
        """
        -- Windows start at UTC boundaries, as in Spate.
        SET 'table.local-time-zone' = 'UTC';
        -- The job's parallelism and checkpoint_interval.
        SET 'parallelism.default' = '\(definition.parallelism)';
        SET 'execution.checkpointing.interval' = '\(FlinkSQLText.duration(milliseconds: definition.checkpointIntervalMs))';
        SET 'pipeline.name' = \(FlinkSQLText.string("spate-" + job.name));
        """
    }

    /// INSERT INTO the sink, TIMESTAMP columns as epoch milliseconds (as Spate writes them).
    private func insert(into sink: String, from view: String, outputs: [OutputColumn], source: FlinkSource) -> String {
        let writer = FlinkExpressionWriter(plan: definition.plan, fieldColumns: source.fieldColumns, arrivalColumn: source.arrivalColumn)
        let columns = outputs.map { output in
            let column = FlinkSQLText.identifier(output.name)
            return output.type == .timestamp ? writer.epochMilliseconds(column) + " AS " + column : column
        }
        return "INSERT INTO \(FlinkSQLText.identifier(sink))\nSELECT\n  " + columns.joined(separator: ",\n  ")
            + "\nFROM \(FlinkSQLText.identifier(view));"
    }

    /// Where Flink's run of this script may differ from Spate's, for this job.
    private func notes(plan: QueryPlan, source: FlinkSource) -> String {
        var lines = ["-- Where Flink may differ from Spate for this job:",
                     "-- - Flink starts from the connector's start position, not from the Spate job's checkpoint."]
        if plan.window != nil {
            lines.append("-- - Windows are final when the watermark passes their end, as in Spate, but Flink advances its watermark")
            lines.append("--   periodically (pipeline.auto-watermark-interval), not after every record: a late record Spate drops may be counted.")
        }
        if case .session = plan.window?.kind {
            lines.append("-- - Records exactly GAP apart: one session in Flink, two in Spate (which needs less than GAP).")
        }
        if source.arrivalColumn != nil && options.connector != .kafka {
            lines.append("-- - Arrival time is PROCTIME(): when Flink reads a record, which on replay is not when it arrived.")
        }
        if plan.aggregates.contains(where: { $0.function == .first || $0.function == .last }) {
            lines.append("-- - FIRST_VALUE/LAST_VALUE follow the order Flink reads records in: arrival order only with parallelism 1 per shard.")
        }
        lines.append("-- - A record that is not JSON is skipped (Spate reads it as NULLs). A division by zero gives NULL in both.")
        return lines.joined(separator: "\n")
    }
}
