// The dashboard of a data directory: routes a request to a page, a JSON
// endpoint, an embedded asset or an alert action. Pages:
//
//     GET /                 overview (?range=1h|6h|24h|7d)
//     GET /jobs/NAME        a job
//     GET /alerts           alerts (?job=&key=&state=&since=)
//     GET /alarms           alarms
//     GET /static/dashboard.css, /static/dashboard.js
//     GET /api/…            JSON (APIEndpoints)
//     POST /api/alerts/ID/ack, /api/alerts/ID/resolve   ACK ALERT / RESOLVE ALERT through a Session
//
// Safety: the caller (the HTTP endpoint) says what the request's principal may
// see and change (DashboardAccess): lists leave out what it may not read, a
// page of one thing it may not read is a 403, and Acknowledge / Resolve need
// admin on the alert's stream; without admin anywhere no page shows a button
// and a POST gets 403. A POST
// must also carry `X-Spate-Dashboard: 1`, which a form or an <img> on another
// site cannot send (a cross-origin fetch with it needs a CORS preflight that
// is never granted), so a page elsewhere cannot acknowledge alerts through a
// user's browser. Every read is on the catalog's query-only connection.

import Spate
import SpateSQL

/// Serves the dashboard of one database.
public final class Dashboard: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Whether `path` (with `method`) is the dashboard's: every GET but the
    /// server's own /metrics and /healthz, and POSTs under /api/.
    public static func claims(method: String, path: String) -> Bool {
        switch method {
        case "GET": return path != "/metrics" && path != "/healthz"
        case "POST": return path.hasPrefix("/api/")
        default: return false
        }
    }

    /// The answer to `request` for a viewer who sees everything and, when
    /// `canWrite`, may also acknowledge and resolve any alert.
    public func respond(to request: DashboardRequest, canWrite: Bool) -> DashboardResponse {
        respond(to: request, access: canWrite ? .everything : .readOnly)
    }

    /// The answer to `request` for a viewer with `access`.
    public func respond(to request: DashboardRequest, access: DashboardAccess) -> DashboardResponse {
        let reads = DashboardReads(database: database, access: access)
        let canWrite = access.administersSomeStream
        let api = APIEndpoints(reads: reads, nowMs: database.now())
        let path = request.path.count > 1 && request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        do throws(DashboardFailure) {
            if request.method == "POST" { return try alertAction(segments, request: request, reads: reads) }
            switch segments {
            case [""]:
                let range = try api.range(request)
                return .html(try page { () throws(SpateError) in try OverviewPage(reads: reads, range: range, canWrite: canWrite).render() })
            case ["alerts"]:
                let filter = try APIEndpoints.alertFilter(request, nowMs: api.nowMs)
                return .html(try page { () throws(SpateError) in
                    try AlertsPage(reads: reads, filter: filter, request: request, canWrite: canWrite).render()
                })
            case ["alarms"]:
                return .html(try page { () throws(SpateError) in try AlarmsPage(reads: reads, canWrite: canWrite).render() })
            case let route where route.count == 2 && route[0] == "jobs":
                let range = try api.range(request)
                let job = try reads.job(named: route[1])
                return .html(try page { () throws(SpateError) in try JobPage(reads: reads, job: job, range: range, key: request.parameter("key"), canWrite: canWrite).render() })
            case ["static", "dashboard.css"]:
                return DashboardResponse(status: 200, contentType: "text/css; charset=utf-8", body: Array(DashboardAssets.stylesheet.utf8))
            case ["static", "dashboard.js"]:
                return DashboardResponse(status: 200, contentType: "text/javascript; charset=utf-8", body: Array(DashboardAssets.script.utf8))
            case ["api", "streams"]: return .json(try api.streams(request))
            case ["api", "jobs"]: return .json(try api.jobs(request))
            case let route where route.count == 4 && route[0] == "api" && route[1] == "jobs" && route[3] == "metrics":
                return .json(try api.jobMetrics(route[2], request))
            case let route where route.count == 4 && route[0] == "api" && route[1] == "jobs" && route[3] == "scores":
                return .json(try api.jobScores(route[2], request))
            case ["api", "alerts"]: return .json(try api.alerts(request, canWrite: canWrite))
            case ["api", "alarms"]: return .json(try api.alarms(request))
            default:
                throw .notFound("\(request.path) is not a dashboard page: try /, /alerts, /alarms or /api/streams")
            }
        } catch {
            if segments.first == "api" || request.method == "POST" { return .error(error.message, status: error.status) }
            return .html(Layout.page(title: "Error", active: "", canWrite: false,
                                     body: #"<h1>\#(error.status)</h1><p class="error">\#(HTML.escape(error.message))</p>"#), status: error.status)
        }
    }

    private func page(_ render: () throws(SpateError) -> String) throws(DashboardFailure) -> String {
        try DashboardFailure.catalog(render)
    }

    /// POST /api/alerts/ID/ack|resolve: runs ACK ALERT ID / RESOLVE ALERT ID, as typed in the REPL.
    /// Needs admin on the alert's stream (DashboardAccess).
    private func alertAction(_ segments: [String], request: DashboardRequest, reads: DashboardReads) throws(DashboardFailure) -> DashboardResponse {
        guard segments.count == 4, segments[0] == "api", segments[1] == "alerts", let id = Int64(segments[2]),
              let verb = ["ack": "ACK", "resolve": "RESOLVE"][segments[3]] else {
            throw .notFound("POST \(request.path): the dashboard's actions are POST /api/alerts/ID/ack and /api/alerts/ID/resolve")
        }
        guard reads.access.administersSomeStream else {
            throw .forbidden("this dashboard is read-only for \(reads.access.name): acknowledging needs admin on the alert's stream")
        }
        guard request.headers["x-spate-dashboard"] == "1" else {
            throw .forbidden("dashboard actions need the header X-Spate-Dashboard: 1 (sent by the dashboard's own page)")
        }
        if !reads.access.administersEveryStream {
            guard let subject = try DashboardFailure.catalog({ () throws(SpateError) in try reads.alertSubject(id: id) }) else {
                throw .notFound("there is no alert \(id)")
            }
            guard reads.mayAdminister(subject) else { throw reads.refusal("alert \(id)", subject, needs: "admin") }
        }
        let sink = MessageSink()
        do {
            try Session(database: database).execute(script: "\(verb) ALERT \(id)", sink: sink)
        } catch {
            if case .runtime = error { throw .notFound(error.description) }
            throw .catalog(error.description)
        }
        let state = try DashboardFailure.catalog { () throws(SpateError) in
            try reads.alerts(DashboardReads.AlertFilter(limit: 1, id: id)).first?.state
        }
        var object = JSONObject()
        object.int("id", id)
        object.string("state", state)
        object.string("message", sink.messages.joined(separator: "\n"))
        return .json(object.json)
    }
}

/// Keeps the messages of the statement a dashboard action runs.
final class MessageSink: ResultSink {
    var messages: [String] = []
    func begin(columns: [ResultColumn]) {}
    func row(_ values: [Value]) {}
    func end(_ summary: QuerySummary) {}
    func message(_ text: String) { messages.append(text) }
}
