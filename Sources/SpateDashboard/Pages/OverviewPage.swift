// The overview at /: per stream its records/s and bytes/s over the chosen
// range with shards, retention and size; the jobs table; alarm states as
// badges; the ten newest alerts. Each part is a live region the script
// refreshes from its JSON endpoint every 2 s.

import Spate

struct OverviewPage {
    let reads: DashboardReads
    let range: ChartRange
    let canWrite: Bool

    func render() throws(SpateError) -> String {
        let streams = try reads.streams(range: range)
        let jobs = try reads.jobs()
        let alarms = try reads.alarmStates()
        let alerts = try reads.alerts(DashboardReads.AlertFilter(limit: 10))
        var body = #"<section id="streams" data-live="streams" data-src="/api/streams?range=\#(range.name)&amp;svg=1"><h2>Streams</h2>"#
        body += Layout.rangePicker(range.name, path: "/")
        if streams.isEmpty { body += #"<p class="empty">no streams yet (CREATE STREAM, spate put, or the Kinesis API)</p>"# }
        body += #"<div class="cards">"#
        for stream in streams {
            let id = HTML.escape(stream.name)
            body += #"<article class="card stream" data-name="\#(id)"><h3>\#(id)</h3><dl>"#
            body += "<dt>shards</dt><dd>\(stream.shards)</dd><dt>retention</dt><dd>\(HTML.escape(stream.retention))</dd>"
            body += #"<dt>size</dt><dd data-field="bytes">\#(ValueFormat.bytes(Double(stream.bytes)))</dd><dt>records</dt><dd data-field="records">\#(stream.records)</dd></dl>"#
            body += Fragments.chartBox("records:" + stream.name, title: "records/s", chart: Charts.streamRecords(stream, range: range))
            body += Fragments.chartBox("bytes:" + stream.name, title: "bytes/s", chart: Charts.streamBytes(stream, range: range))
            body += "</article>"
        }
        body += "</div></section>"
        body += #"<section id="jobs"><h2>Jobs</h2>\#(Fragments.jobsTable(jobs))</section>"#
        body += #"<section id="alarms"><h2>Alarms</h2><p class="badges" data-live="alarm-badges" data-src="/api/alarms">"#
        body += alarms.isEmpty ? #"<span class="empty">no alarms (CREATE ALARM …)</span>"#
            : alarms.map { #"<a href="/alarms#alarm-\#(HTML.urlComponent($0.name))">\#(HTML.escape($0.name)) \#(Layout.badge($0.state))</a>"# }.joined(separator: " ")
        body += "</p></section>"
        body += #"<section id="alerts"><h2>Newest alerts <a class="more" href="/alerts">all alerts</a></h2>"#
        body += Fragments.alertsTable(alerts, source: "/api/alerts?limit=10", canWrite: canWrite) + "</section>"
        return Layout.page(title: "Overview", active: "Overview", canWrite: canWrite, body: body)
    }
}

extension DashboardReads {
    /// Alarm names and states only (the overview's badges), without series; those the viewer may see.
    func alarmStates() throws(SpateError) -> [(name: String, state: String)] {
        let rows = try database.catalogQuery(sql: "SELECT name, state FROM alarms ORDER BY name")
        let alarmsAbout = try access.readsEveryStream ? [:] : alarmSubjects(jobs: jobSubjects())
        return (0..<rows.rowCount).filter { access.readsEveryStream || mayRead(alarmsAbout[rows[$0, 0].text ?? ""] ?? .everyStream) }
            .map { (rows[$0, 0].text ?? "", rows[$0, 1].text ?? "") }
    }
}
