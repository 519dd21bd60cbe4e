// The alerts page at /alerts: a filter form (job, key, state, since — the
// same parameters as /api/alerts, so a filtered page is a link to share) and
// the matching alerts, newest first, with Acknowledge and Resolve buttons
// when the request may write.

import Spate

struct AlertsPage {
    let reads: DashboardReads
    let filter: DashboardReads.AlertFilter
    let request: DashboardRequest
    let canWrite: Bool

    func render() throws(SpateError) -> String {
        let alerts = try reads.alerts(filter)
        func field(_ name: String, _ placeholder: String) -> String {
            #"<label>\#(name) <input name="\#(name)" value="\#(HTML.escape(request.parameter(name) ?? ""))" placeholder="\#(placeholder)"></label>"#
        }
        let state = request.parameter("state") ?? ""
        var body = #"<h1>Alerts</h1><form class="filters" method="get" action="/alerts">"#
        body += field("job", "any job") + field("key", "any key")
        body += #"<label>state <select name="state">"# + ["", "open", "acknowledged", "resolved"].map { option in
            #"<option value="\#(option)"\#(option == state ? " selected" : "")>\#(option.isEmpty ? "any" : option)</option>"#
        }.joined() + "</select></label>"
        body += field("since", "e.g. 1h, 7d") + #"<button type="submit">Filter</button></form>"#
        var query: [String] = []
        for name in ["job", "key", "state", "since"] {
            if let value = request.parameter(name) { query.append(name + "=" + HTML.urlComponent(value)) }
        }
        query.append("limit=\(filter.limit)")
        body += Fragments.alertsTable(alerts, source: "/api/alerts?" + query.joined(separator: "&"), canWrite: canWrite)
        return Layout.page(title: "Alerts", active: "Alerts", canWrite: canWrite, body: body)
    }
}
