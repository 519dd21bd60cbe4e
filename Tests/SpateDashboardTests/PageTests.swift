// The pages as a browser receives them: what each lists, that buttons that
// write appear only when the request may write, that catalog text cannot
// inject markup, and that the embedded assets are served.

import Testing
@testable import SpateDashboard

@Suite struct PageTests {
    let f: DashboardFixture

    init() throws {
        f = try DashboardFixture()
        try f.run("""
            CREATE STREAM tx (userId STRING, amount DOUBLE) WITH (shards = 2, key = 'userId');
            CREATE JOB spikes AS SELECT userId, amount, ANOMALY_SCORE(amount) OVER (PARTITION BY userId) AS score FROM tx WHERE anomaly;
            CREATE ALARM many ON METRIC job.anomalies WHERE job = 'spikes' STATISTIC SUM PERIOD 1 MINUTE WHEN > 3 FOR 1 OF 1 PERIODS;
            """)
        f.insertAlert(job: "spikes", key: "<script>alert(1)</script>", score: 5, createdMs: DashboardFixture.nowMs)
    }

    @Test func overviewListsStreamsJobsAlarmsAndAlerts() {
        let page = f.get("/")
        #expect(page.status == 200)
        #expect(page.text.contains(#"<article class="card stream" data-name="tx">"#))
        #expect(page.text.contains(#"<a href="/jobs/spikes">spikes</a>"#))
        #expect(page.text.contains(#"many <span class="badge insufficient_data">INSUFFICIENT_DATA</span>"#))
        #expect(page.text.contains(#"<tr data-id="1">"#))
        #expect(page.text.contains(#"data-src="/api/streams?range=1h&amp;svg=1""#))
    }

    @Test func writeButtonsOnlyWhenTheRequestMayWrite() {
        #expect(f.get("/").text.contains(">Acknowledge</button>"))
        #expect(f.get("/alerts").text.contains(">Resolve</button>"))
        let readOnly = f.get("/", canWrite: false).text
        #expect(!readOnly.contains("<button data-action"))
        #expect(readOnly.contains(#"data-can-write="0""#))
    }

    @Test func catalogTextIsEscaped() {
        let page = f.get("/alerts").text
        #expect(!page.contains("<script>alert(1)"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    }

    @Test func jobPageShowsItsSQLChartsAndAlerts() {
        let page = f.get("/jobs/spikes?range=24h")
        #expect(page.status == 200)
        #expect(page.text.contains("ANOMALY_SCORE(amount) OVER (PARTITION BY userId)"))
        // Four metric charts and the detector score of the alerted key, offered (escaped) in the key chooser.
        #expect(page.text.components(separatedBy: #"<svg class="chart""#).count - 1 == 5)
        #expect(page.text.contains(#"<option value="&lt;script&gt;alert(1)&lt;/script&gt;" selected>"#))
        #expect(page.text.contains(#"data-chart="scores""#) && !page.text.contains("<script>alert(1)"))
        #expect(page.text.contains(#"data-src="/api/jobs/spikes/scores?range=24h&amp;svg=1&amp;key=%3Cscript%3Ealert%281%29%3C%2Fscript%3E""#))
        #expect(page.text.contains(#"data-src="/api/alerts?job=spikes&amp;limit=50""#))
        #expect(f.get("/jobs/nope").status == 404)
    }

    @Test func alertsPageKeepsItsFilterAndAlarmsPageDrawsTheThreshold() {
        let alerts = f.get("/alerts?job=spikes&state=open")
        #expect(alerts.text.contains(#"<option value="open" selected>"#))
        #expect(alerts.text.contains(#"data-src="/api/alerts?job=spikes&amp;state=open&amp;limit=100""#))
        let alarms = f.get("/alarms")
        #expect(alarms.text.contains(#"class="threshold""#))
        #expect(alarms.text.contains("SUM(job.anomalies)"))
    }

    @Test func assetsAreEmbedded() {
        let script = f.get("/static/dashboard.js")
        #expect(script.contentType.hasPrefix("text/javascript"))
        #expect(script.text.contains("setTimeout(poll, 2000)"))
        #expect(f.get("/static/dashboard.css").text.contains("prefers-color-scheme: dark"))
        #expect(!f.get("/").text.contains("http://") && !f.get("/").text.contains("https://"))
    }
}
