// A job's page at /jobs/NAME: its state and last error, its SQL, its metrics
// charted over the chosen range (records in/out, anomalies, lag, late
// records), and its recent alerts with their explanations. Charts and alerts
// are live regions.

import Spate

struct JobPage {
    let reads: DashboardReads
    let job: DashboardReads.JobSummary
    let range: ChartRange
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
        body += "<section><h2>Recent alerts</h2>"
        body += Fragments.alertsTable(alerts, source: "/api/alerts?job=\(HTML.urlComponent(job.name))&limit=50", canWrite: canWrite)
        body += "</section>"
        return Layout.page(title: job.name, active: "", canWrite: canWrite, body: body)
    }
}
