// The frame every page shares: head (viewport for phones, the embedded
// stylesheet), the navigation, the live-status line the script keeps up to
// date, and the script itself. `canWrite` is written into the page once
// (data-can-write) and decides whether any Acknowledge/Resolve button exists:
// the server decides it (loopback without credentials, or an authenticated
// request), the script only follows.

enum Layout {
    static func page(title: String, active: String, canWrite: Bool, body: String) -> String {
        func link(_ href: String, _ label: String) -> String {
            #"<a href="\#(href)"\#(label == active ? #" aria-current="page""# : "")>\#(label)</a>"#
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(title)) · Spate</title>
            <link rel="stylesheet" href="/static/dashboard.css">
            </head>
            <body data-can-write="\(canWrite ? "1" : "0")">
            <header><a class="brand" href="/">Spate</a><nav>\(link("/", "Overview"))\(link("/alerts", "Alerts"))\(link("/alarms", "Alarms"))</nav>
            <span id="live" class="live" role="status">live</span></header>
            <main>
            \(body)
            </main>
            <script src="/static/dashboard.js"></script>
            </body></html>
            """
    }

    /// An instant as UTC text in a <time> the script rewrites in local time.
    static func time(_ ms: Int64?) -> String {
        guard let ms else { return "—" }
        return #"<time data-t="\#(ms)">\#(utc(ms))</time>"#
    }

    static func utc(_ ms: Int64) -> String {
        let seconds = ms / 1_000
        let (year, month, day) = TimeTicks.civilDate(daysSinceEpoch: seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let second = ((seconds % 86_400) + 86_400) % 86_400
        let two = TimeTicks.twoDigits
        return "\(year)-\(two(Int64(month)))-\(two(Int64(day))) \(two(second / 3_600)):\(two(second / 60 % 60)):\(two(second % 60))Z"
    }

    static func badge(_ state: String) -> String {
        #"<span class="badge \#(HTML.escape(state.lowercased()))">\#(HTML.escape(state))</span>"#
    }

    static func rangePicker(_ current: String, path: String) -> String {
        #"<p class="ranges">"# + ChartRange.names.map { name in
            #"<a href="\#(path)?range=\#(name)"\#(name == current ? #" aria-current="true""# : "")>\#(name)</a>"#
        }.joined() + "</p>"
    }
}
