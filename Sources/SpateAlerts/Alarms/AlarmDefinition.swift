// CREATE ALARM checked and turned into a catalog row. Beyond the parser's
// checks: the PERIOD is a whole number of minutes (metrics are kept per
// minute), N periods span at most one day (CloudWatch's limit), the metric is
// one Spate records (so a typo is an error, not an alarm that never has data),
// and a filter names that metric's dimension. MISSING AS defaults to MISSING,
// as in CloudWatch. NOTIFY channels need not exist yet (deliveries to a
// channel that does not exist fail visibly, after their attempts).

import SpateCatalog
import SpateSQL

public enum AlarmDefinition {
    public static func compile(_ statement: CreateAlarmStatement, nowMs: Int64) throws(SQLError) -> AlarmRecord {
        guard let metric = BuiltinMetric.named(statement.metric) else {
            let names = BuiltinMetric.all.map(\.name)
            let hint = NameSuggester.nearest(to: statement.metric, in: names).map { " (did you mean \($0)?)" } ?? ""
            throw SQLError(.unknownName, "unknown metric '\(statement.metric)'\(hint); metrics: \(names.joined(separator: ", "))",
                           at: statement.metricRange.start)
        }
        for dimension in statement.dimensions where dimension.name.value != metric.dimension {
            throw SQLError(.unknownName, "metric \(metric.name) has the dimension \(metric.dimension), not \(dimension.name.value)",
                           at: dimension.name.range.start)
        }
        let periodMs = statement.period.milliseconds
        guard periodMs >= 60_000, periodMs % 60_000 == 0 else {
            throw SQLError(.invalidValue, "an alarm's PERIOD is a whole number of minutes (metrics are kept per minute), not \(statement.period)",
                           at: statement.metricRange.start)
        }
        guard periodMs * statement.evaluationPeriods <= 86_400_000 else {
            throw SQLError(.invalidValue, "PERIOD × periods may span at most one day", at: statement.metricRange.start)
        }
        let threshold: Double
        switch statement.threshold {
        case let .integer(n): threshold = Double(n)
        case let .decimal(d): threshold = d
        default: throw SQLError(.invalidValue, "the threshold is a number", at: statement.metricRange.start)
        }
        return AlarmRecord(name: statement.name.value, definition: statement.description, metric: metric.name,
                           dimensions: statement.dimensions.map { ($0.name.value, $0.value) },
                           statistic: statement.statistic.rawValue, periodMs: periodMs, comparison: statement.comparison.rawValue,
                           threshold: threshold, datapointsToAlarm: Int(statement.datapointsToAlarm),
                           evaluationPeriods: Int(statement.evaluationPeriods),
                           missingData: (statement.missingData ?? .missing).rawValue, notify: statement.notify.map(\.value),
                           createdMs: nowMs)
    }

    /// The rule the state machine evaluates for a stored alarm.
    public static func rule(_ alarm: AlarmRecord) -> AlarmRule {
        AlarmRule(comparison: AlarmComparison(rawValue: alarm.comparison) ?? .greater, threshold: alarm.threshold,
                  datapointsToAlarm: alarm.datapointsToAlarm, evaluationPeriods: alarm.evaluationPeriods,
                  missingData: MissingDataTreatment(rawValue: alarm.missingData) ?? .missing)
    }

    /// A period's datapoint for the alarm's statistic.
    public static func datapoint(_ aggregate: MetricAggregate?, statistic: String) -> Double? {
        guard let aggregate else { return nil }
        switch statistic {
        case "SUM": return aggregate.sum
        case "AVG": return aggregate.count > 0 ? aggregate.sum / Double(aggregate.count) : nil
        case "MIN": return aggregate.min
        case "MAX": return aggregate.max
        default: return Double(aggregate.count)
        }
    }

    /// "SUM(job.anomalies WHERE job = 'x') > 5 for 2 of 3 periods of 1 MINUTE"
    public static func conditionText(_ alarm: AlarmRecord) -> String {
        let filter = alarm.dimensionPairs.isEmpty ? "" : " WHERE " + alarm.dimensionPairs.map { "\($0.name) = '\($0.value)'" }.joined(separator: " AND ")
        return "\(alarm.statistic)(\(alarm.metric)\(filter)) \(alarm.comparison) \(AlarmStateMachine.format(alarm.threshold))"
            + " for \(alarm.datapointsToAlarm) of \(alarm.evaluationPeriods) periods of \(SQLDuration(milliseconds: alarm.periodMs))"
    }
}
