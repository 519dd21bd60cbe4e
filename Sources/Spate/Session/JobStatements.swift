// CREATE JOB, SHOW JOBS, DESCRIBE JOB, PAUSE / RESUME / RESTART / DROP JOB,
// ALTER JOB … SET, and ACK / RESOLVE ALERT. The catalog keeps jobs; a JobRunner
// (the REPL's, or `spate run`'s) runs them.

import SpateCatalog
import SpateLog
import SpateRuntime
import SpateSQL

extension Session {
    func createJob(_ statement: CreateJobStatement, source: String, sink: ResultSink) throws(SpateError) {
        let name = statement.name.value
        if try database.jobRecord(name) != nil {
            if statement.ifNotExists { sink.message("job \(name) already exists"); return }
            throw .sqlMessage("job '\(name)' already exists (use CREATE JOB IF NOT EXISTS, or DROP JOB \(name) first)",
                              at: statement.name.range, source: source)
        }
        let schemas = try schemaProvider()
        let definition: JobDefinition
        do throws(SQLError) { definition = try JobDefinition.compile(statement, schemas: schemas, nowMs: database.now()) } catch {
            throw .sql(error, source: source)
        }
        if let sinkName = definition.outputSink, try sinkRecord(sinkName) == nil, case let .insert(insert) = statement.body {
            throw .sqlMessage("sink '\(sinkName)' does not exist; create it first (CREATE SINK \(sinkName) TO FILES 'dir' FORMAT JSONL)",
                              at: insert.stream.range, source: source, kind: .unknownName)
        }
        let now = database.now()
        let record = JobRecord(name: name, definition: statement.description, outputKind: definition.outputKind,
                               outputStream: definition.outputStream, optionsJSON: definition.optionsJSON,
                               createdMs: now, updatedMs: now, outputSink: definition.outputSink)
        do { try database.catalog.createJob(record) } catch { throw .catalog(error.description) }
        let target: String
        switch definition.outputKind {
        case .alerts: target = "raising alerts"
        case .results: target = "keeping its rows as results"
        case .stream: target = "writing stream \(definition.outputStream ?? "")"
        case .sink: target = "writing files into sink \(definition.outputSink ?? "")"
        }
        sink.message("created job \(name) reading \(definition.inputStream), \(target)")
    }

    func showJobs(sink: ResultSink) throws(SpateError) {
        sink.begin(columns: [
            ResultColumn(name: "job", type: .string), ResultColumn(name: "state", type: .string),
            ResultColumn(name: "output", type: .string), ResultColumn(name: "records_in", type: .bigint),
            ResultColumn(name: "records_out", type: .bigint), ResultColumn(name: "lag_records", type: .bigint),
            ResultColumn(name: "last_checkpoint", type: .timestamp), ResultColumn(name: "running_in", type: .string),
            ResultColumn(name: "last_error", type: .string),
        ])
        var summary = QuerySummary()
        for job in try database.jobRecords() {
            let status = try database.jobStatus(job)
            sink.row([
                .string(job.name), .string(job.state.rawValue), .string(Self.outputText(job)),
                status.checkpoint.map { .bigint($0.recordsIn) } ?? .null, status.checkpoint.map { .bigint($0.recordsOut) } ?? .null,
                status.lagRecords.map { .bigint($0) } ?? .null, status.checkpoint.map { .timestamp($0.committedMs) } ?? .null,
                status.runningIn.map(Value.string) ?? .null, job.lastError.map(Value.string) ?? .null,
            ])
            summary.rows += 1
        }
        sink.end(summary)
    }

    static func outputText(_ job: JobRecord) -> String {
        switch job.outputKind {
        case .stream: "stream \(job.outputStream ?? "")"
        case .sink: "sink \(job.outputSink ?? "")"
        default: job.outputKind.rawValue
        }
    }

    func describeJob(_ statement: DescribeStatement, source: String, sink: ResultSink) throws(SpateError) {
        guard let job = try database.jobRecord(statement.name.value) else {
            throw .sqlMessage("job '\(statement.name.value)' does not exist", at: statement.name.range, source: source, kind: .unknownName)
        }
        let status = try database.jobStatus(job)
        var rows: [(String, String)] = [
            ("definition", job.definition), ("state", job.state.rawValue), ("output", Self.outputText(job)),
            ("options", job.optionsJSON), ("created", UTCTimestamp.format(job.createdMs)),
            ("running in", status.runningIn ?? "(no process: start `spate run` or the REPL)"),
        ]
        if let error = job.lastError { rows.append(("last error", error)) }
        if let checkpoint = status.checkpoint {
            rows.append(("checkpoint", "#\(checkpoint.sequence) at \(UTCTimestamp.format(checkpoint.committedMs))"))
            rows.append(("records in / out", "\(checkpoint.recordsIn) / \(checkpoint.recordsOut)"))
            for offset in checkpoint.inputOffsets {
                rows.append(("input \(offset.stream) \(Shard.name(ofIndex: offset.shard))", "next offset \(offset.nextOffset)"))
            }
            for offset in checkpoint.outputOffsets {
                rows.append(("output \(offset.stream) \(Shard.name(ofIndex: offset.shard))", "next offset \(offset.nextOffset)"))
            }
        } else {
            rows.append(("checkpoint", "none yet"))
        }
        if let lag = status.lagRecords { rows.append(("lag", "\(lag) records behind the log head")) }
        sink.begin(columns: [ResultColumn(name: "property", type: .string), ResultColumn(name: "value", type: .string)])
        for (property, value) in rows { sink.row([.string(property), .string(value)]) }
        var summary = QuerySummary()
        summary.rows = rows.count
        sink.end(summary)
    }

    func controlJob(_ statement: JobControlStatement, source: String, sink: ResultSink) throws(SpateError) {
        let name = statement.job.value
        guard try database.jobRecord(name) != nil else {
            throw .sqlMessage("job '\(name)' does not exist", at: statement.job.range, source: source, kind: .unknownName)
        }
        let now = database.now()
        do {
            switch statement.action {
            case .pause:
                try database.catalog.setJobState(name, .paused, nowMs: now)
                sink.message("paused job \(name) (it resumes from its last checkpoint)")
            case .resume:
                try database.catalog.setJobState(name, .running, nowMs: now)
                sink.message("resumed job \(name)")
            case let .restart(position):
                let start: String
                switch position {
                case .earliest: start = "earliest"
                case .latest: start = "latest"
                case let .time(time):
                    switch time.point {
                    case let .absolute(ms): start = String(ms)
                    case let .ago(duration): start = String(now - duration.milliseconds)
                    }
                }
                try database.catalog.restartJob(name, startFrom: start, nowMs: now)
                sink.message("restarted job \(name) from \(position) (its checkpoint is gone; alerts and results so far are kept)")
            }
        } catch {
            throw .catalog(error.description)
        }
    }

    func dropJob(_ statement: DropStatement, source: String, sink: ResultSink) throws(SpateError) {
        let name = statement.name.value
        let deleted: Bool
        do { deleted = try database.catalog.deleteJob(named: name) } catch { throw .catalog(error.description) }
        if !deleted && !statement.ifExists {
            throw .sqlMessage("job '\(name)' does not exist", at: statement.name.range, source: source, kind: .unknownName)
        }
        sink.message(deleted ? "dropped job \(name) (its alerts and results are kept)" : "job \(name) does not exist")
    }

    func alterJob(_ statement: AlterStatement, source: String, sink: ResultSink) throws(SpateError) {
        guard let job = try database.jobRecord(statement.name.value) else {
            throw .sqlMessage("job '\(statement.name.value)' does not exist", at: statement.name.range, source: source, kind: .unknownName)
        }
        // Re-compile the definition with the new options: the same checks as CREATE JOB.
        let parsed: Statement
        do { parsed = try Parser.parseStatement(job.definition) } catch { throw .sql(error, source: job.definition) }
        guard case var .createJob(create) = parsed.kind else { throw .runtime("job \(job.name) has an unreadable definition") }
        if let option = statement.options.first(where: { $0.name.value.lowercased() == "parallelism" }) {
            throw .sqlMessage("parallelism is fixed when a job is created (each worker checkpoints its own windows): DROP JOB \(job.name) and CREATE it again",
                              at: option.name.range, source: source, kind: .invalidValue)
        }
        for option in statement.options {
            create.options.removeAll { $0.name.value.lowercased() == option.name.value.lowercased() }
            create.options.append(option)
        }
        let schemas = try schemaProvider()
        let definition: JobDefinition
        do throws(SQLError) { definition = try JobDefinition.compile(create, schemas: schemas, nowMs: database.now()) } catch {
            throw .sql(error, source: source)
        }
        // The stored definition carries the new options, so that the job runs with
        // them the next time it starts; notify is also read while it runs.
        let text = create.description
        do throws(SQLError) { _ = try JobDefinition.compile(text, schemas: schemas, nowMs: database.now()) } catch {
            throw .runtime("internal error: the altered definition does not compile (\(error.description)): \(text)")
        }
        do { try database.catalog.setJobOptions(job.name, optionsJSON: definition.optionsJSON, definition: text, nowMs: database.now()) } catch {
            throw .catalog(error.description)
        }
        sink.message("altered job \(job.name): \(definition.optionsJSON) (notify applies now; other options when the job next starts: PAUSE and RESUME it)")
    }

    func alertAction(_ statement: AlertActionStatement, source: String, sink: ResultSink) throws(SpateError) {
        let state: AlertState = statement.action == .acknowledge ? .acknowledged : .resolved
        let found: Bool
        do { found = try database.catalog.setAlertState(id: statement.alertID, state, nowMs: database.now()) } catch {
            throw .catalog(error.description)
        }
        guard found else { throw .runtime("no alert with id \(statement.alertID) (SELECT id FROM alerts to list them)") }
        sink.message("alert \(statement.alertID) \(state.rawValue)")
    }
}
