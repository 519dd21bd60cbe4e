// Which catalog rows the viewer may see (DashboardAccess): everything is
// about a stream — a job about the stream it reads (the FROM of its CREATE
// JOB, parsed here; a definition that does not parse is about no stream it
// could name, so only a viewer who reads every stream sees it), an alert about
// its job's or alarm's stream, an alarm about the stream or job its dimensions
// name (none: every stream). A viewer who reads every stream skips all of
// this; others pay one read of the jobs' definitions and the alarms'
// dimensions per request, kept for the rest of it (DashboardSubjects).

import Spate
import SpateCatalog
import SpateSQL

/// The subjects of one request's jobs and alarms, once looked up.
final class DashboardSubjects {
    var jobs: [String: DashboardReads.Subject]?
    var alarms: [String: DashboardReads.Subject]?
}

extension DashboardReads {
    /// What a row is about, for the access check.
    enum Subject: Equatable {
        /// One stream; `via` says how ("job fraud reads it"), for messages.
        case stream(String, via: String?)
        /// Every stream (process-wide metrics, summary alerts, a job whose definition does not parse).
        case everyStream
    }

    func mayRead(_ subject: Subject) -> Bool {
        switch subject {
        case let .stream(name, _): return access.mayRead(name)
        case .everyStream: return access.readsEveryStream
        }
    }

    func mayAdminister(_ subject: Subject) -> Bool {
        switch subject {
        case let .stream(name, _): return access.mayAdminister(name)
        case .everyStream: return access.administersEveryStream
        }
    }

    /// The one-line refusal of `what` (e.g. "job fraud") to the viewer.
    func refusal(_ what: String, _ subject: Subject, needs action: String) -> DashboardFailure {
        let resource: String
        switch subject {
        case let .stream(name, via): resource = "\(action) on stream \(name)" + (via.map { " (\($0))" } ?? "")
        case .everyStream: resource = "\(action) on * (it is about every stream)"
        }
        return .forbidden("\(access.name) may not \(action == "read" ? "see" : "change") \(what): that needs \(resource); \(access.name) is allowed: \(access.grantsText)")
    }

    /// The stream a job's CREATE JOB statement reads (its FROM), nil when it does not parse.
    static func inputStream(ofJobDefinition text: String) -> String? {
        guard let statement = try? Parser.parseStatement(text), case let .createJob(job) = statement.kind else { return nil }
        switch job.body {
        case let .select(select): return select.from?.value
        case let .insert(insert):
            guard case let .select(select) = insert.source else { return nil }
            return select.from?.value
        }
    }

    static func jobSubject(_ job: String, definition: String) -> Subject {
        inputStream(ofJobDefinition: definition).map { .stream($0, via: "job \(job) reads it") } ?? .everyStream
    }

    /// Every job's subject, by name (read and parsed once per request).
    func jobSubjects() throws(SpateError) -> [String: Subject] {
        if let known = subjects.jobs { return known }
        let rows = try database.catalogQuery(sql: "SELECT name, definition FROM jobs")
        var out: [String: Subject] = [:]
        for row in 0..<rows.rowCount {
            guard let name = rows[row, 0].text else { continue }
            out[name] = Self.jobSubject(name, definition: rows[row, 1].text ?? "")
        }
        subjects.jobs = out
        return out
    }

    /// Every alarm's subject, by name: the stream or job its dimensions name (read once per request).
    func alarmSubjects(jobs: [String: Subject]) throws(SpateError) -> [String: Subject] {
        if let known = subjects.alarms { return known }
        let rows = try database.catalogQuery(sql: """
            SELECT name, json_extract(dimensions, '$.stream'), json_extract(dimensions, '$.job') FROM alarms
            """)
        var out: [String: Subject] = [:]
        for row in 0..<rows.rowCount {
            guard let name = rows[row, 0].text else { continue }
            if let stream = rows[row, 1].text {
                out[name] = .stream(stream, via: "alarm \(name) watches it")
            } else if let job = rows[row, 2].text {
                out[name] = jobs[job] ?? .everyStream
            } else {
                out[name] = .everyStream
            }
        }
        subjects.alarms = out
        return out
    }

    /// The SQL condition on `alerts` that keeps those the viewer may see, its
    /// values appended to `parameters`; nil when the viewer sees them all.
    func visibleAlertsCondition(_ parameters: inout [CatalogValue]) throws(SpateError) -> String? {
        guard !access.readsEveryStream else { return nil }
        let jobs = try jobSubjects()
        let alarms = try alarmSubjects(jobs: jobs)
        func list(_ names: [String]) -> String {
            names.sorted().map { name in
                parameters.append(.text(name))
                return "?\(parameters.count)"
            }.joined(separator: ", ")
        }
        var parts: [String] = []
        let visibleJobs = jobs.filter { mayRead($0.value) }.map(\.key)
        if !visibleJobs.isEmpty { parts.append("(kind = 'job' AND COALESCE(source, job) IN (\(list(visibleJobs))))") }
        let visibleAlarms = alarms.filter { mayRead($0.value) }.map(\.key)
        if !visibleAlarms.isEmpty { parts.append("(kind = 'alarm' AND source IN (\(list(visibleAlarms))))") }
        return parts.isEmpty ? "0" : "(" + parts.joined(separator: " OR ") + ")"
    }

    /// Job `name`: 404 when there is none, 403 when the viewer may not see it.
    func job(named name: String) throws(DashboardFailure) -> JobSummary {
        let missing = DashboardFailure.notFound("no job named '\(name)' (GET /api/jobs lists them)")
        if !access.readsEveryStream {
            let rows = try DashboardFailure.catalog { () throws(SpateError) in
                try database.catalogQuery(sql: "SELECT definition FROM jobs WHERE name = ?1", parameters: [.text(name)])
            }
            guard rows.rowCount == 1 else { throw missing }
            let subject = Self.jobSubject(name, definition: rows[0, 0].text ?? "")
            guard mayRead(subject) else { throw refusal("job \(name)", subject, needs: "read") }
        }
        guard let job = try DashboardFailure.catalog({ () throws(SpateError) in try jobs(named: name) }).first else { throw missing }
        return job
    }

    /// What alert `id` is about; nil when there is no such alert.
    func alertSubject(id: Int64) throws(SpateError) -> Subject? {
        let rows = try database.catalogQuery(sql: "SELECT kind, COALESCE(source, job) FROM alerts WHERE id = ?1", parameters: [.integer(id)])
        guard rows.rowCount == 1 else { return nil }
        let source = rows[0, 1].text ?? ""
        switch rows[0, 0].text {
        case "job"?:
            let job = try database.catalogQuery(sql: "SELECT definition FROM jobs WHERE name = ?1", parameters: [.text(source)])
            return job.rowCount == 1 ? Self.jobSubject(source, definition: job[0, 0].text ?? "") : .everyStream
        case "alarm"?:
            return try alarmSubjects(jobs: jobSubjects())[source] ?? .everyStream
        default:
            return .everyStream
        }
    }
}
