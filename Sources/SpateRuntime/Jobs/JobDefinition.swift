// A job's definition compiled: the CREATE JOB statement parsed and analyzed
// into a plan, where its rows go, and its options. Done when the job is created
// (so errors point into the statement the user typed) and again each time a
// process starts running it (streams may have changed since).
//
// Rules: a job runs continuously, so its query has no UNTIL. Rows become
// alerts when the query filters on `anomaly` (or WITH (alerts = true)); rows of
// INSERT INTO s SELECT … are appended to stream s; otherwise they are the job's
// results. Options: checkpoint_interval ('1 second'; default 1 s), alerts
// (true/false), notify ('ops,pager': channels, used by the alerts issue),
// parallelism (workers, 1 to 64; default 1 — see ParallelQueryExecution).
//
// Parallelism > 1 splits the stream's shards among workers that keep separate
// state, so a stateful query must keep all its state per value of the stream's
// key column (the column that routes records to shards): GROUP BY it, or
// PARTITION BY it for per-event detectors. Anything else (a global COUNT, a
// GROUP BY merchantId on a stream keyed by userId) would give each worker a
// partial answer, and is refused with the reason.

import SpateJSON
import SpateCatalog
import SpateSQL

/// A compiled job definition.
public struct JobDefinition: Sendable {
    public var name: String
    public var plan: QueryPlan
    public var inputStream: String
    public var outputKind: JobOutputKind
    public var outputStream: String?
    /// The file sink the rows are written to (output kind `sink`).
    public var outputSink: String?
    public var checkpointIntervalMs: Int64
    /// Options as given, for the catalog (JSON object text).
    public var optionsJSON: String
    /// Channels to notify (names), from `notify`.
    public var notify: [String]
    /// Workers running the query at once (`parallelism`).
    public var parallelism: Int

    /// Most checkpoint interval a job may ask for.
    public static let checkpointIntervalMsRange: ClosedRange<Int64> = 10...600_000

    /// Compiles `statement` (the text of a CREATE JOB). Errors are SQL errors
    /// located in `statement`.
    public static func compile(_ statement: String, schemas: some SchemaProvider, nowMs: Int64) throws(SQLError) -> JobDefinition {
        let parsed = try Parser.parseStatement(statement)
        guard case let .createJob(job) = parsed.kind else {
            throw SQLError(.syntax, "not a CREATE JOB statement", at: parsed.range.start)
        }
        return try compile(job, schemas: schemas, nowMs: nowMs)
    }

    public static func compile(_ job: CreateJobStatement, schemas: some SchemaProvider, nowMs: Int64) throws(SQLError) -> JobDefinition {
        let select: SelectStatement
        var outputStream: String?
        var outputSink: String?
        switch job.body {
        case let .select(s): select = s
        case let .insert(insert) where insert.intoSink:
            guard case let .select(s) = insert.source else {
                throw SQLError(.syntax, "a job inserts the rows of a query: CREATE JOB \(job.name) AS INSERT INTO SINK \(insert.stream) SELECT …", at: insert.stream.range.start)
            }
            select = s
            outputSink = insert.stream.value
        case let .insert(insert):
            guard case let .select(s) = insert.source else {
                throw SQLError(.syntax, "a job inserts the rows of a query: CREATE JOB \(job.name) AS INSERT INTO \(insert.stream) SELECT …", at: insert.stream.range.start)
            }
            guard schemas.stream(named: insert.stream.value) != nil else {
                throw SQLError(.unknownName, "output stream '\(insert.stream.value)' does not exist; create it first", at: insert.stream.range.start)
            }
            select = s
            outputStream = insert.stream.value
        }
        if select.until != nil {
            throw SQLError(.invalidValue, "a job runs continuously: remove UNTIL (use SINCE to choose where it starts)", at: select.range.start)
        }
        let plan = try Analyzer.plan(select, schemas: schemas, nowMs: nowMs)
        guard case let .stream(input) = plan.source else {
            throw SQLError(.invalidValue, "a job reads a stream, not a catalog table", at: select.range.start)
        }
        if let outputStream, outputStream == input {
            throw SQLError(.invalidValue, "a job cannot write the stream it reads", at: select.range.start)
        }
        var interval: Int64 = 1000
        var forceAlerts: Bool?
        var notify: [String] = []
        var parallelism = 1
        var options: [(String, String)] = []
        for option in job.options {
            let name = option.name.value.lowercased()
            switch (name, option.value) {
            case let ("checkpoint_interval", .string(text)):
                guard let ms = SQLDuration.parse(text)?.milliseconds, checkpointIntervalMsRange.contains(ms) else {
                    throw SQLError(.invalidValue, "checkpoint_interval must be a duration from 10 ms to 10 minutes, e.g. '1 second'", at: option.valueRange.start)
                }
                interval = ms
                options.append((name, JSONStringLiteral.quoted(text)))
            case let ("checkpoint_interval", .integer(ms)) where checkpointIntervalMsRange.contains(ms):
                interval = ms
                options.append((name, String(ms)))
            case let ("alerts", .boolean(flag)):
                forceAlerts = flag
                options.append((name, flag ? "true" : "false"))
            case let ("notify", .string(text)):
                notify = text.split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
                options.append((name, JSONStringLiteral.quoted(text)))
            case let ("parallelism", .integer(workers)):
                guard (1...Int64(ParallelQueryExecution.parallelismMax)).contains(workers) else {
                    throw SQLError(.invalidValue, "parallelism must be from 1 to \(ParallelQueryExecution.parallelismMax) workers (at most one per shard runs)", at: option.valueRange.start)
                }
                parallelism = Int(workers)
                options.append((name, String(workers)))
            default:
                let known = ["checkpoint_interval", "alerts", "notify", "parallelism"]
                let hint = NameSuggester.nearest(to: option.name.value, in: known).map { " (did you mean \($0)?)" } ?? ""
                throw SQLError(.invalidValue, "unknown or invalid job option '\(option.name.value)'\(hint); options: checkpoint_interval = '1 second', alerts = true|false, notify = 'channel,…', parallelism = 2",
                               at: option.name.range.start)
            }
        }
        let parallelismAt = job.options.first { $0.name.value.lowercased() == "parallelism" }?.valueRange.start ?? select.range.start
        if parallelism > 1, let reason = plan.stateNotSplittable(byKey: schemas.stream(named: input)?.keyColumn) {
            throw SQLError(.invalidValue, "parallelism \(parallelism) splits \(input)'s shards among workers with separate state, but \(reason); use parallelism = 1", at: parallelismAt)
        }
        if parallelism > 1, let outputStream,
           let reason = plan.outputNotSplittable(inputKey: schemas.stream(named: input)?.keyColumn,
                                                 outputKey: schemas.stream(named: outputStream)?.keyColumn) {
            throw SQLError(.invalidValue, "parallelism \(parallelism) with INSERT INTO \(outputStream): \(reason); use parallelism = 1", at: parallelismAt)
        }
        let kind: JobOutputKind
        if outputStream != nil {
            kind = .stream
        } else if outputSink != nil {
            kind = .sink
        } else if forceAlerts ?? plan.filtersOnAnomaly {
            kind = .alerts
        } else {
            kind = .results
        }
        let json = "{" + options.map { JSONStringLiteral.quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
        var definition = JobDefinition(name: job.name.value, plan: plan, inputStream: input, outputKind: kind, outputStream: outputStream,
                                       checkpointIntervalMs: interval, optionsJSON: json, notify: notify, parallelism: parallelism)
        definition.outputSink = outputSink
        return definition
    }
}

extension QueryPlan {
    /// Whether an output or the output filter reads `anomaly_grade`.
    var readsAnomalyGrade: Bool {
        func mentions(_ e: BoundExpression) -> Bool {
            if case .anomalyGrade = e.kind { return true }
            return e.children.contains(where: mentions)
        }
        return outputs.contains { mentions($0.expression) } || outputFilter.map(mentions) == true
    }

    /// Why this query's state cannot be split by shard when `keyColumn` routes
    /// records to shards, or nil when it can: no state at all, or every group
    /// and every detector keyed by the key column.
    public func stateNotSplittable(byKey keyColumn: String?) -> String? {
        guard isAggregating || !detectors.isEmpty else { return nil }
        guard let keyColumn else {
            return "the stream has no key column to keep each key's records in one shard (CREATE STREAM … WITH (key = …))"
        }
        let keyGroup = groupKeys.firstIndex { reads($0, field: keyColumn) }
        if isAggregating && keyGroup == nil {
            return "the query's groups are not keyed by the stream's key column (add \(keyColumn) to GROUP BY)"
        }
        for detector in detectors where !detector.partitionBy.contains(where: { e in
            if case let .groupKey(j) = e.kind { return j == keyGroup }
            return reads(e, field: keyColumn)
        }) {
            return "\(detector.name) keeps state that is not keyed by the stream's key column (PARTITION BY \(keyColumn))"
        }
        return nil
    }

    /// Whether `e` is the top-level field `name` as read from the record
    /// (directly, or as the group key it names).
    func reads(_ e: BoundExpression, field name: String) -> Bool {
        switch e.kind {
        case let .field(i): return i < fields.count && fields[i].path == [name]
        case let .groupKey(j): return j < groupKeys.count && reads(groupKeys[j], field: name)
        default: return false
        }
    }
}

extension QueryPlan {

    /// Why several workers cannot write this query's rows into a stream
    /// exactly once, or nil when they can. After a crash a job recognizes the
    /// rows it had already appended by their order in each output shard
    /// (JobOutput), and workers' rows interleave as their steps happen to
    /// end: the order is reproducible only when each output shard takes rows
    /// of one worker — the output's key is the input's key, unchanged, and the
    /// two streams have as many shards (checked when the job starts).
    public func outputNotSplittable(inputKey: String?, outputKey: String?) -> String? {
        let remedy = "declare the output stream WITH (key = '\(inputKey ?? "…")'), select \(inputKey ?? "the input's key") into that column, and give both streams as many shards"
        guard let inputKey, let outputKey else {
            return "each output shard must take the rows of one worker; \(remedy)"
        }
        let isInputKey = outputs.first { $0.name == outputKey }.map { reads($0.expression, field: inputKey) } ?? false
        return isInputKey ? nil : "the output's key \(outputKey) is not the input's key \(inputKey) as read, so an output shard takes rows of several workers; \(remedy)"
    }

    /// Whether rows are filtered on `anomaly` or a detector score: a job of such
    /// a query raises alerts.
    public var filtersOnAnomaly: Bool {
        guard let outputFilter else { return false }
        func mentions(_ e: BoundExpression) -> Bool {
            switch e.kind {
            case .anomaly, .anomalyGrade, .detector: return true
            default: return e.children.contains(where: mentions)
            }
        }
        return mentions(outputFilter)
    }
}
