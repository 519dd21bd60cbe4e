// The alarm service: while this process holds the 'alarms' service lease, it
// evaluates each alarm once per period, `evaluationDelayMs` after the period
// ends (so the minute's metrics have been flushed and sampled). Periods are
// aligned to the epoch (a 5-minute alarm looks at :00–:05, :05–:10, …). The
// datapoints are the alarm's statistic over the matching metric rows of each
// of the last N + 2 periods (AlarmStateMachine's evaluation range); the state
// machine decides; a change of state commits the notification (Catalog+Alarms).

import SpateJSON
import SpateCatalog
import SpateLog
import Synchronization

/// Tunables of the alarm service.
public struct AlarmOptions: Sendable {
    public var scanIntervalMs = 1_000
    public var leaseDurationMs: Int64 = 10_000
    /// How long after a period ends it is evaluated.
    public var evaluationDelayMs: Int64 = 15_000

    public init() {}
}

public final class AlarmService: @unchecked Sendable {
    static let lease = "alarms"
    let catalog: Catalog
    let owner: String
    let nowMs: @Sendable () -> Int64
    let options: AlarmOptions
    private let loop = ServiceLoop()
    let events: ServiceLogEvents

    public init(catalog: Catalog, owner: String, nowMs: @escaping @Sendable () -> Int64, options: AlarmOptions = AlarmOptions(),
                logOutput: JobLogOutput? = nil) {
        self.catalog = catalog
        self.owner = owner
        self.nowMs = nowMs
        self.options = options
        events = ServiceLogEvents(service: Self.lease, catalog: catalog, nowMs: nowMs, output: logOutput)
    }

    public func start() {
        loop.start(intervalMs: options.scanIntervalMs, round: { [self] in
            let now = nowMs()
            let held = (try? catalog.acquireServiceLease(Self.lease, owner: owner, nowMs: now, durationMs: options.leaseDurationMs)) == true
            events.lease(held: held, owner: owner)
            if held {
                do { try evaluateAll(nowMs: now) } catch { events.roundFailed(error) }
            }
        }, closing: { [self] in
            try? catalog.releaseServiceLease(Self.lease, owner: owner)
            events.released(owner: owner)
        })
    }

    public func stop() { loop.stop() }

    /// Evaluates every alarm whose latest complete period has not been
    /// evaluated yet; returns the names of the alarms that changed state.
    @discardableResult
    public func evaluateAll(nowMs now: Int64) throws(CatalogError) -> [String] {
        var changed: [String] = []
        for alarm in try catalog.alarms() where try evaluate(alarm, nowMs: now) { changed.append(alarm.name) }
        return changed
    }

    /// Evaluates one alarm if a new period is due; returns whether its state changed.
    public func evaluate(_ alarm: AlarmRecord, nowMs now: Int64) throws(CatalogError) -> Bool {
        let period = alarm.periodMs
        let periodEnd = (now - options.evaluationDelayMs) / period * period
        if let done = alarm.evaluatedUntilMs, done >= periodEnd { return false }
        let range = AlarmStateMachine.evaluationRange(periods: alarm.evaluationPeriods)
        let from = periodEnd - Int64(range) * period
        let aggregates = try catalog.metricAggregates(metric: alarm.metric, dimensions: alarm.dimensionPairs, fromMs: from,
                                                      periodMs: period, periods: range)
        let datapoints = aggregates.map { AlarmDefinition.datapoint($0, statistic: alarm.statistic) }
        let previous = AlarmState(rawValue: alarm.state) ?? .insufficientData
        let decision = AlarmStateMachine.evaluate(AlarmDefinition.rule(alarm), datapoints: datapoints, previous: previous)
        let pointsJSON = "[" + datapoints.map { $0.map { $0.isFinite ? String($0) : "null" } ?? "null" }.joined(separator: ",") + "]"
        var transition: AlarmTransition?
        if decision.state != previous {
            let row = "{\"alarm\":\(JSONStringLiteral.quoted(alarm.name)),\"old_state\":\"\(previous.rawValue)\",\"new_state\":\"\(decision.state.rawValue)\","
                + "\"reason\":\(JSONStringLiteral.quoted(decision.reason)),\"metric\":\(JSONStringLiteral.quoted(alarm.metric)),"
                + "\"condition\":\(JSONStringLiteral.quoted(AlarmDefinition.conditionText(alarm))),\"period_end\":\(periodEnd),\"datapoints\":\(pointsJSON)}"
            transition = AlarmTransition(oldState: previous.rawValue, newState: decision.state.rawValue, reason: decision.reason,
                                         datapointsJSON: pointsJSON, alertRowJSON: row)
        }
        let alert = try catalog.recordAlarmEvaluation(alarm: alarm.name, evaluatedUntilMs: periodEnd, transition: transition,
                                                      notify: alarm.notify, nowMs: now)
        if let transition, alert != nil {
            events.logger.event(.notice, "state_changed", "alarm \(alarm.name): \(transition.oldState) → \(transition.newState): \(transition.reason)",
                                ["alarm": .string(alarm.name), "old_state": .string(transition.oldState), "new_state": .string(transition.newState),
                                 "reason": .string(transition.reason), "period_end": .stringConvertible(periodEnd)])
        }
        return alert != nil
    }
}
