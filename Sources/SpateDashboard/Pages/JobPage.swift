// A job's page at /jobs/NAME: its state and last error, its SQL, its metrics
// charted over the chosen range (records in/out, anomalies, lag, late
// records), its detector score for a chosen key (?key=…; by default the key
// with the most recent alerts) with the threshold line and the flagged minutes
// shaded, and its recent alerts with their explanations. Charts and alerts are
// live regions.

import Spate

struct JobPage {
    let reads: DashboardReads
    let job: DashboardReads.JobSummary
    let range: ChartRange
    /// The key whose score is charted (nil: the first the job offers).
    let key: String?
    let canWrite: Bool

    func render() throws(SpateError) -> String {
        let series = try Charts.jobSeries(job.name, reads: reads, range: range)
        let alerts = try reads.alerts(DashboardReads.AlertFilter(job: job.name, limit: 50))
        let name = HTML.escape(job.name)
        let path = "/jobs/" + HTML.urlComponent(job.name)
        var body = "<h1>\(name) \(Layout.badge(job.runningIn != nil && job.state == "running" ? "running" : job.state))</h1>"
        body += Fragments.jobsTable([job], only: job.name)
        if let error = job.lastError { body += #"<section><h2>Errors</h2><pre class="error">\#(HTML.escape(error))</pre></section>"# }
        body += "<section><h2>SQL</h2><pre class=\"sql\">\(HTML.escape(job.definition))</pre></section>"
        body += #"<section data-live="job-charts" data-src="/api/jobs/\#(HTML.urlComponent(job.name))/metrics?range=\#(range.name)&amp;svg=1"><h2>Metrics</h2>"#
        body += Layout.rangePicker(range.name, path: path) + #"<div class="cards">"#
        for (index, chart) in Charts.jobCharts(series, range: range).enumerated() {
            body += #"<article class="card">\#(Fragments.chartBox("job:\(index)", title: chart.series.map(\.name).joined(separator: " / "), chart: chart))</article>"#
        }
        body += "</div></section>"
        body += try scoreSection(path: path)
        body += "<section><h2>Recent alerts</h2>"
        body += Fragments.alertsTable(alerts, source: "/api/alerts?job=\(HTML.urlComponent(job.name))&limit=50", canWrite: canWrite)
        body += "</section>"
        return Layout.page(title: job.name, active: "", canWrite: canWrite, body: body)
    }

    /// The detector score of one key: a key chooser (a GET form, so the choice
    /// is in the URL) and the chart, refreshed live from /api/jobs/NAME/scores.
    private func scoreSection(path: String) throws(SpateError) -> String {
        let keys = try reads.scoredKeys(job: job.name)
        let chosen = key ?? keys.first?.key
        var source = "/api/jobs/\(HTML.urlComponent(job.name))/scores?range=\(range.name)&amp;svg=1"
        if let chosen { source += "&amp;key=" + HTML.urlComponent(chosen) }
        var html = #"<section data-live="job-scores" data-src="\#(source)"><h2>Detector score</h2>"#
        guard let chosen else {
            return html + #"<p class="empty">no scores yet: a job with a detector (ZSCORE(…), ANOMALY_SCORE(…)) charts each key's score here once it has scored rows</p></section>"#
        }
        var offered = keys.map(\.key)
        if !offered.contains(chosen) { offered.insert(chosen, at: 0) }
        html += #"<form class="keys" method="get" action="\#(path)"><input type="hidden" name="range" value="\#(HTML.escape(range.name))"><label>key "#
        html += #"<select name="key" data-autosubmit="1">"#
        for name in offered {
            let alerts = keys.first { $0.key == name }?.alerts ?? 0
            let label = alerts > 0 ? "\(name) (\(alerts) alert\(alerts == 1 ? "" : "s"))" : name
            html += #"<option value="\#(HTML.escape(name))"\#(name == chosen ? " selected" : "")>\#(HTML.escape(label))</option>"#
        }
        html += "</select></label> <button type=\"submit\">Show</button></form>"
        let series = try reads.scoreSeries(job: job.name, key: chosen, range: range)
        html += Fragments.chartBox("scores", title: "score", chart: Charts.scores(series, key: chosen, range: range))
        html += #"<p class="note">Each bucket's highest score for this key; the second line is the threshold that score was held to (calibrated thresholds follow the key's history); shaded buckets had a flagged row.</p>"#
        return html + "</section>"
    }
}
