// BACKTEST [LABEL expr] SELECT …: what a detector query would have raised over
// recorded history, without creating a job — so a user picks a detector and a
// risk before CREATE JOB.
//
// How: the SELECT is planned as written, except that it reads from EARLIEST
// when it names no SINCE and ends at NOW when it names no UNTIL, and that its
// row filter (WHERE anomaly …, HAVING) becomes a column instead of a filter:
// every scored row comes back, marked with whether it would have been an alert.
// A job over the same data runs the same plan and raises exactly the marked
// rows (the test checks it). ORDER BY and LIMIT are dropped (a job has neither).
//
// Reported: a row per key (most alerts first; at most `keysShownMax`) with its
// scored rows, alerts, alerts per day and highest score; then lines with the
// totals and the time span, the distribution of the highest detector score per
// row, a sparkline of alerts over time and, with LABEL, precision, recall and
// F1 (a label is true when it is TRUE, a non-zero number or a string other
// than '', '0' and 'false').

import SpateLog
import SpateRuntime
import SpateSQL

extension Session {
    /// Keys listed in the report (the totals cover all).
    static let backtestKeysShownMax = 20
    static let backtestAlertColumn = "__backtest_alert"
    static let backtestTimeColumn = "__backtest_time"
    static let backtestLabelColumn = "__backtest_label"

    func runBacktest(_ statement: BacktestStatement, source: String, sink: ResultSink, cancel: CancellationFlag) throws(SpateError) {
        var select = statement.select
        if select.since == nil { select.since = .earliest }
        if select.until == nil { select.until = .now }
        if let label = statement.label {
            select.items.append(.expression(label, alias: Identifier(Self.backtestLabelColumn, range: statement.select.range)))
        }
        var plan = try planQuery(select, source: source)
        guard !plan.detectors.isEmpty else {
            throw .sqlMessage("BACKTEST needs a detector in the query, e.g. ANOMALY_SCORE(amount) OVER (PARTITION BY userId) AS score",
                              at: statement.select.range, source: source)
        }
        guard case let .stream(name) = plan.source else {
            throw .sqlMessage("BACKTEST runs over a stream", at: statement.select.range, source: source)
        }
        let alertCondition = plan.outputFilter ?? BoundExpression(.anomaly, type: .boolean)
        plan.outputFilter = nil
        plan.orderBy = []
        plan.limit = nil
        let alertColumn = plan.outputs.count
        plan.outputs.append(OutputColumn(name: Self.backtestAlertColumn, expression: alertCondition))
        let timeColumn = plan.outputs.count
        let eventTime: BoundExpression = switch plan.eventTime {
        case let .field(index): BoundExpression(.field(index), type: .timestamp)
        case .arrival: BoundExpression(.arrivalTime, type: .timestamp)
        }
        if plan.window == nil { plan.outputs.append(OutputColumn(name: Self.backtestTimeColumn, expression: eventTime)) }
        let labelColumn = statement.label == nil ? nil : plan.outputs.firstIndex { $0.name == Self.backtestLabelColumn }

        var report = BacktestReport()
        let startNs = monotonicNs()
        do {
            let execution = try QueryExecution(plan: plan, stream: try database.stream(name), nowMs: database.now)
            _ = try execution.runRows(QueryControl(isCancelled: { cancel.isCancelled })) { row in
                let timeMs: Int64? = if case let .timestamp(ms) = row.values.count > timeColumn ? row.values[timeColumn] : .null { ms } else { row.windowStartMs }
                report.add(key: row.key ?? "(all rows)", timeMs: timeMs, score: row.score,
                           alert: row.values[alertColumn] == .boolean(true),
                           label: labelColumn.map { Self.isTrueLabel(row.values[$0]) })
                return true
            }
        } catch let error as RuntimeError {
            throw .runtime(error.description)
        } catch {
            throw .runtime("\(error)")
        }
        sink.begin(columns: [
            ResultColumn(name: "key", type: .string), ResultColumn(name: "rows", type: .bigint),
            ResultColumn(name: "alerts", type: .bigint), ResultColumn(name: "alerts_per_day", type: .double),
            ResultColumn(name: "max_score", type: .double),
        ])
        var summary = QuerySummary()
        for key in report.keysByAlerts.prefix(Self.backtestKeysShownMax) {
            let entry = report.keys[key]!
            sink.row([.string(key), .bigint(Int64(entry.rows)), .bigint(Int64(entry.alerts)),
                      .double(Double(entry.alerts) / report.spanDays), entry.maxScore.map(Value.double) ?? .null])
            summary.rows += 1
        }
        summary.elapsedNs = monotonicNs() - startNs
        sink.end(summary)
        for line in report.lines(labelName: statement.label?.description) { sink.message(line) }
    }

    /// Whether a label value marks a known anomaly.
    static func isTrueLabel(_ value: Value) -> Bool {
        switch value {
        case .null: return false
        case let .boolean(b): return b
        case let .bigint(i), let .timestamp(i): return i != 0
        case let .double(d): return d != 0 && !d.isNaN
        case let .string(s): return !["", "0", "false", "null"].contains(s.lowercased())
        }
    }
}

/// The totals of one backtest.
struct BacktestReport {
    struct Key { var rows = 0, alerts = 0; var maxScore: Double? }

    private(set) var keys: [String: Key] = [:]
    private(set) var rows = 0
    private(set) var alerts = 0
    private var scores: [Double] = []
    private var alertTimesMs: [Int64] = []
    private var firstMs: Int64?
    private var lastMs: Int64?
    private var truePositives = 0, falsePositives = 0, falseNegatives = 0, labelled = 0
    private var hasLabels = false

    mutating func add(key: String, timeMs: Int64?, score: Double?, alert: Bool, label: Bool?) {
        rows += 1
        var entry = keys[key] ?? Key()
        entry.rows += 1
        if let score {
            scores.append(score)
            entry.maxScore = max(entry.maxScore ?? score, score)
        }
        if let timeMs {
            firstMs = min(firstMs ?? timeMs, timeMs)
            lastMs = max(lastMs ?? timeMs, timeMs)
        }
        if alert {
            alerts += 1
            entry.alerts += 1
            if let timeMs { alertTimesMs.append(timeMs) }
        }
        keys[key] = entry
        if let label {
            hasLabels = true
            if label { labelled += 1 }
            switch (alert, label) {
            case (true, true): truePositives += 1
            case (true, false): falsePositives += 1
            case (false, true): falseNegatives += 1
            case (false, false): break
            }
        }
    }

    /// Keys with the most alerts first (then by name).
    var keysByAlerts: [String] {
        keys.keys.sorted { (keys[$0]!.alerts, $1) > (keys[$1]!.alerts, $0) }
    }

    /// Days from the first to the last row (at least one minute).
    var spanDays: Double {
        guard let firstMs, let lastMs else { return 1 }
        return max(Double(lastMs - firstMs), 60_000) / 86_400_000
    }

    func lines(labelName: String?) -> [String] {
        var lines: [String] = []
        let span = firstMs.map { first in " from \(UTCTimestamp.format(first)) to \(UTCTimestamp.format(lastMs ?? first))" } ?? ""
        lines.append("backtest: \(rows) rows scored over \(Self.span(days: spanDays))\(span); "
                     + "\(alerts) alerts (\(Self.format(Double(alerts) / spanDays, digits: 2)) a day) over \(keys.count) key\(keys.count == 1 ? "" : "s")")
        let sorted = scores.sorted()
        if !sorted.isEmpty {
            func quantile(_ q: Double) -> String { Self.format(sorted[min(sorted.count - 1, Int(q * Double(sorted.count - 1)))], digits: 3) }
            lines.append("score (highest detector score per row): p50 \(quantile(0.5))  p90 \(quantile(0.9))  p99 \(quantile(0.99))  "
                         + "p99.9 \(quantile(0.999))  max \(Self.format(sorted[sorted.count - 1], digits: 3))")
        }
        if let firstMs, let lastMs, !alertTimesMs.isEmpty {
            let bucketCount = 48
            let widthMs = max((lastMs - firstMs + 1 + Int64(bucketCount) - 1) / Int64(bucketCount), 1)
            var buckets = [Double](repeating: 0, count: bucketCount)
            for time in alertTimesMs { buckets[min(bucketCount - 1, Int((time - firstMs) / widthMs))] += 1 }
            lines.append("alerts over time: " + Session.sparkline(buckets) + "  (\(bucketCount) bars of \(Self.duration(ms: widthMs)))")
        }
        if hasLabels {
            let precision = truePositives + falsePositives == 0 ? nil : Double(truePositives) / Double(truePositives + falsePositives)
            let recall = truePositives + falseNegatives == 0 ? nil : Double(truePositives) / Double(truePositives + falseNegatives)
            let f1 = precision.flatMap { p in recall.map { r in p + r == 0 ? 0 : 2 * p * r / (p + r) } }
            lines.append("labels (\(labelName ?? "label")): \(labelled) labelled rows; precision \(precision.map { Self.format($0, digits: 2) } ?? "-"), "
                         + "recall \(recall.map { Self.format($0, digits: 2) } ?? "-"), F1 \(f1.map { Self.format($0, digits: 2) } ?? "-") "
                         + "(TP \(truePositives), FP \(falsePositives), FN \(falseNegatives))")
        }
        return lines
    }

    static func format(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = "\(rounded)"
        if text.hasSuffix(".0") && digits > 0 { text.removeLast(2) }
        return text
    }

    /// "14.0 days", "5.2 hours", "3.5 minutes".
    static func span(days: Double) -> String {
        if days >= 2 { return format(days, digits: 1) + " days" }
        if days * 24 >= 2 { return format(days * 24, digits: 1) + " hours" }
        return format(days * 1_440, digits: 1) + " minutes"
    }

    static func duration(ms: Int64) -> String {
        switch ms {
        case ..<120_000: return "\(max(1, ms / 1_000)) s"
        case ..<7_200_000: return "\(ms / 60_000) min"
        case ..<172_800_000: return "\(ms / 3_600_000) h"
        default: return "\(ms / 86_400_000) d"
        }
    }
}
