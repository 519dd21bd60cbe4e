// The alarms page at /alarms: per alarm its state, its definition in words,
// its metric per period with the threshold line, the breaching periods
// shaded and a band under the periods of every window in which M of N
// breached (where the rule held), and its state history, newest first. Live
// from /api/alarms.

import Spate

struct AlarmsPage {
    let reads: DashboardReads
    let canWrite: Bool

    func render() throws(SpateError) -> String {
        let alarms = try reads.alarms()
        var body = #"<h1>Alarms</h1><section data-live="alarms" data-src="/api/alarms?svg=1">"#
        if alarms.isEmpty { body += #"<p class="empty">no alarms (CREATE ALARM name ON METRIC … )</p>"# }
        body += #"<div class="cards">"#
        for alarm in alarms {
            let name = HTML.escape(alarm.name)
            body += #"<article class="card alarm" id="alarm-\#(HTML.urlComponent(alarm.name))" data-name="\#(name)"><h3>\#(name) <span data-field="state">\#(Layout.badge(alarm.state))</span></h3>"#
            body += "<p>\(HTML.escape(alarm.statistic))(\(HTML.escape(alarm.metric))) \(HTML.escape(alarm.dimensions == "{}" ? "" : alarm.dimensions)) "
            body += "\(HTML.escape(alarm.comparison)) \(ValueFormat.trimmed(alarm.threshold)) for \(alarm.datapointsToAlarm) of \(alarm.evaluationPeriods) periods of \(HumanDuration.format(ms: alarm.periodMs))</p>"
            body += #"<p class="reason" data-field="reason">\#(HTML.escape(alarm.stateReason ?? ""))</p>"#
            body += Fragments.chartBox("alarm:" + alarm.name, title: "\(alarm.statistic)(\(alarm.metric)) per period, threshold \(ValueFormat.trimmed(alarm.threshold))", chart: Charts.alarm(alarm))
            body += #"<h4>State history</h4><ol class="history" data-field="history">"#
            body += alarm.history.map { change in
                "<li>\(Layout.time(change.atMs)) \(change.oldState.map { Layout.badge($0) + " → " } ?? "")\(Layout.badge(change.newState)) \(HTML.escape(change.reason))</li>"
            }.joined()
            body += "</ol></article>"
        }
        body += "</div></section>"
        return Layout.page(title: "Alarms", active: "Alarms", canWrite: canWrite, body: body)
    }
}
