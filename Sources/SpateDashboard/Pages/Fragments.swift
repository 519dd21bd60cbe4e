// Pieces more than one page shows: the alerts table (its rows are also drawn
// by the script from /api/alerts, with the same columns), the jobs table, and
// number cells. Each live region names the endpoint it is refreshed from
// (data-src) and what the script draws from it (data-live).

enum Fragments {
    static func alertsTable(_ alerts: [DashboardReads.AlertRow], source: String, canWrite: Bool) -> String {
        var html = #"<div class="scroll"><table class="alerts" data-live="alerts" data-src="\#(HTML.escape(source))"><thead><tr><th>id</th><th>time</th><th>source</th><th>key</th><th>score</th><th>state</th><th>why</th>"#
        html += (canWrite ? "<th></th>" : "") + "</tr></thead><tbody>"
        for alert in alerts { html += alertRow(alert, canWrite: canWrite) }
        if alerts.isEmpty { html += #"<tr class="empty"><td colspan="8">no alerts</td></tr>"# }
        return html + "</tbody></table></div>"
    }

    static func alertRow(_ alert: DashboardReads.AlertRow, canWrite: Bool) -> String {
        var html = #"<tr data-id="\#(alert.id)"><td>\#(alert.id)</td><td>\#(Layout.time(alert.createdAtMs))</td>"#
        let source = alert.source ?? ""
        html += alert.kind == "job" && !source.isEmpty
            ? #"<td><a href="/jobs/\#(HTML.urlComponent(source))">\#(HTML.escape(source))</a></td>"#
            : "<td>\(HTML.escape(source))</td>"
        html += "<td>\(HTML.escape(alert.key ?? ""))</td><td class=\"num\">\(alert.score.map { ValueFormat.trimmed($0) } ?? "")</td>"
        html += "<td>\(Layout.badge(alert.state))</td>"
        html += #"<td class="why" data-explanation="\#(HTML.escape(alert.explanationJSON ?? "null"))" data-row="\#(HTML.escape(alert.rowJSON))"><details><summary>row</summary><code>\#(HTML.escape(alert.rowJSON))</code></details></td>"#
        if canWrite {
            html += "<td class=\"actions\">"
            if alert.state == "open" { html += #"<button data-action="ack" data-id="\#(alert.id)">Acknowledge</button>"# }
            if alert.state != "resolved" { html += #"<button data-action="resolve" data-id="\#(alert.id)">Resolve</button>"# }
            html += "</td>"
        }
        return html + "</tr>"
    }

    /// `only`: the one job a job page shows.
    static func jobsTable(_ jobs: [DashboardReads.JobSummary], only: String? = nil) -> String {
        let onlyAttribute = only.map { #" data-only="\#(HTML.escape($0))""# } ?? ""
        var html = #"<div class="scroll"><table class="jobs" data-live="jobs" data-src="/api/jobs"\#(onlyAttribute)><thead><tr><th>job</th><th>state</th><th>lag</th><th>records in</th><th>records out</th><th>anomalies/min</th><th>last checkpoint</th></tr></thead><tbody>"#
        for job in jobs { html += jobRow(job) }
        if jobs.isEmpty { html += #"<tr class="empty"><td colspan="7">no jobs (CREATE JOB name AS SELECT …)</td></tr>"# }
        return html + "</tbody></table></div>"
    }

    static func jobRow(_ job: DashboardReads.JobSummary) -> String {
        let state = job.runningIn != nil && job.state == "running" ? "running" : job.state
        let lag = [job.lagRecords.map { "\($0) records" }, job.lagMs.map { ValueUnit.milliseconds.format($0) }].compactMap { $0 }.joined(separator: " · ")
        let anomalies = job.anomalies.last(where: { $0 != nil }) ?? nil
        return #"<tr data-name="\#(HTML.escape(job.name))"><td><a href="/jobs/\#(HTML.urlComponent(job.name))">\#(HTML.escape(job.name))</a></td>"#
            + "<td>\(Layout.badge(state))</td><td class=\"num\">\(lag.isEmpty ? "—" : HTML.escape(lag))</td>"
            + "<td class=\"num\">\(job.recordsIn)</td><td class=\"num\">\(job.recordsOut)</td>"
            + "<td class=\"num\">\(anomalies.map { ValueFormat.trimmed($0) } ?? "—")</td><td>\(Layout.time(job.checkpointAtMs))</td></tr>"
    }

    /// A chart with its caption; a chart of several series names each in its colour.
    static func chartBox(_ id: String, title: String, chart: SVGChart) -> String {
        let caption = chart.series.count < 2 ? HTML.escape(title) : chart.series.enumerated().map { index, line in
            #"<span class="key k\#(index % 4)">\#(HTML.escape(line.name))</span>"#
        }.joined(separator: " ")
        return #"<figure class="chart-box"><figcaption>\#(caption)</figcaption><div data-chart="\#(HTML.escape(id))">\#(chart.render())</div></figure>"#
    }
}
