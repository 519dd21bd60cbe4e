// The alarm state machine, as CloudWatch documents it ("Using Amazon
// CloudWatch alarms": evaluating an alarm, and how alarm state is evaluated
// when data is missing). Pure: (rule, datapoints, previous state) → decision;
// no I/O, no clock — the alarm service feeds it, the tests drive it exhaustively.
//
// Input: the datapoints of the *evaluation range*, oldest first, one per
// period, nil where the metric had no data. Like CloudWatch, the range is
// longer than the N evaluation periods (`evaluationRange(periods:)` = N + 2,
// which is what CloudWatch's documented examples retrieve for N = 3).
//
// Rules (M = datapoints to alarm, N = evaluation periods):
// 1. No datapoint in the range: MISSING → INSUFFICIENT_DATA; IGNORE → the
//    previous state; BREACHING → ALARM; NOT_BREACHING → OK.
// 2. At least N real datapoints: the N most recent real ones are evaluated
//    (the missing-data setting is not needed): ≥ M breaching → ALARM, else OK.
// 3. Fewer than N real datapoints: every real one is evaluated, with N − real
//    filled in. BREACHING fills breaching ones, NOT_BREACHING non-breaching ones;
//    then ≥ M breaching → ALARM, else OK. IGNORE never counts a missing
//    datapoint as breaching: ≥ M real breaching → ALARM; else a real
//    non-breaching one → OK; else the previous state is kept. MISSING: walking
//    forward from the oldest real datapoint, a missing one takes the value
//    before it while fillers remain (CloudWatch re-evaluates the last data it
//    had after a metric stops); fillers left over are unknown. ≥ M breaching →
//    ALARM; else any non-breaching → OK; else INSUFFICIENT_DATA.
// These reproduce every row of CloudWatch's two documented tables (3 of 3 and
// 2 of 3 over 5 datapoints; AlarmStateMachineTests holds them).

/// An alarm's state.
public enum AlarmState: String, Sendable, Equatable, CaseIterable {
    case ok = "OK"
    case alarm = "ALARM"
    case insufficientData = "INSUFFICIENT_DATA"
}

/// CloudWatch's TreatMissingData.
public enum MissingDataTreatment: String, Sendable, Equatable, CaseIterable {
    case breaching = "BREACHING"
    case notBreaching = "NOT_BREACHING"
    case ignore = "IGNORE"
    case missing = "MISSING"
}

/// How a datapoint is compared with the threshold.
public enum AlarmComparison: String, Sendable, Equatable, CaseIterable {
    case greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<="

    public func breaches(_ value: Double, _ threshold: Double) -> Bool {
        switch self {
        case .greater: return value > threshold
        case .greaterOrEqual: return value >= threshold
        case .less: return value < threshold
        case .lessOrEqual: return value <= threshold
        }
    }
}

/// What an alarm compares, over how many periods.
public struct AlarmRule: Sendable, Equatable {
    public var comparison: AlarmComparison
    public var threshold: Double
    /// M: breaching datapoints that put the alarm in ALARM.
    public var datapointsToAlarm: Int
    /// N: datapoints evaluated.
    public var evaluationPeriods: Int
    public var missingData: MissingDataTreatment

    public init(comparison: AlarmComparison, threshold: Double, datapointsToAlarm: Int, evaluationPeriods: Int,
                missingData: MissingDataTreatment) {
        precondition(datapointsToAlarm >= 1 && datapointsToAlarm <= evaluationPeriods, "1 <= M <= N")
        self.comparison = comparison
        self.threshold = threshold
        self.datapointsToAlarm = datapointsToAlarm
        self.evaluationPeriods = evaluationPeriods
        self.missingData = missingData
    }
}

/// The outcome of one evaluation.
public struct AlarmDecision: Sendable, Equatable {
    public var state: AlarmState
    /// One line: why (for alarm_history and the notification).
    public var reason: String
}

public enum AlarmStateMachine {
    /// Datapoints to fetch for an alarm of `periods` evaluation periods.
    public static func evaluationRange(periods: Int) -> Int { periods + 2 }

    /// The state an alarm with `rule` goes to given the evaluation range's
    /// `datapoints` (oldest first, nil = missing) and its `previous` state.
    public static func evaluate(_ rule: AlarmRule, datapoints: [Double?], previous: AlarmState) -> AlarmDecision {
        let m = rule.datapointsToAlarm, n = rule.evaluationPeriods
        let real = datapoints.compactMap { $0 }
        let condition = "\(rule.comparison.rawValue) \(format(rule.threshold))"

        if real.isEmpty {
            let what = "no datapoints in the last \(datapoints.count) periods"
            switch rule.missingData {
            case .missing: return AlarmDecision(state: .insufficientData, reason: "\(what) (missing data: MISSING)")
            case .ignore: return AlarmDecision(state: previous, reason: "\(what); state kept (missing data: IGNORE)")
            case .breaching: return AlarmDecision(state: .alarm, reason: "\(what), treated as breaching \(condition)")
            case .notBreaching: return AlarmDecision(state: .ok, reason: "\(what), treated as not breaching \(condition)")
            }
        }
        if real.count >= n {
            let evaluated = Array(real.suffix(n))
            let breaching = evaluated.filter { rule.comparison.breaches($0, rule.threshold) }.count
            return decide(breaching >= m, breaching: breaching, of: n, m: m, condition: condition, values: evaluated, note: "")
        }
        let realBreaching = real.filter { rule.comparison.breaches($0, rule.threshold) }.count
        let fillers = n - real.count
        let note = " (\(fillers) missing, treated as \(rule.missingData.rawValue))"
        switch rule.missingData {
        case .breaching:
            let breaching = realBreaching + fillers
            return decide(breaching >= m, breaching: breaching, of: n, m: m, condition: condition, values: real, note: note)
        case .notBreaching:
            return decide(realBreaching >= m, breaching: realBreaching, of: n, m: m, condition: condition, values: real, note: note)
        case .ignore:
            if realBreaching >= m || realBreaching < real.count {
                return decide(realBreaching >= m, breaching: realBreaching, of: n, m: m, condition: condition, values: real, note: note)
            }
            return AlarmDecision(state: previous, reason: "only \(real.count) of \(n) datapoints, all breaching \(condition): state kept (missing data: IGNORE)")
        case .missing:
            let filled = fillForward(datapoints, fillers: fillers).map { $0.map { rule.comparison.breaches($0, rule.threshold) } }
            let breaching = filled.filter { $0 == true }.count
            let notBreaching = filled.filter { $0 == false }.count
            if breaching >= m || notBreaching > 0 {
                return decide(breaching >= m, breaching: breaching, of: n, m: m, condition: condition, values: real, note: note)
            }
            return AlarmDecision(state: .insufficientData,
                                 reason: "only \(real.count) of \(n) datapoints, all breaching \(condition): not enough data (missing data: MISSING)")
        }
    }

    /// The N evaluated values under MISSING: the real datapoints from the
    /// oldest on, each gap taking the value before it while fillers remain;
    /// fillers left over are unknown (nil).
    static func fillForward(_ datapoints: [Double?], fillers: Int) -> [Double?] {
        var remaining = fillers
        var evaluated: [Double?] = []
        var previous: Double?
        for point in datapoints {
            if let point {
                evaluated.append(point)
                previous = point
            } else if let previous, remaining > 0 {
                evaluated.append(previous)
                remaining -= 1
            }
        }
        return Array(repeating: nil, count: remaining) + evaluated
    }

    private static func decide(_ alarm: Bool, breaching: Int, of n: Int, m: Int, condition: String, values: [Double], note: String) -> AlarmDecision {
        let shown = values.suffix(10).map(format).joined(separator: ", ")
        let reason = "\(breaching) of \(n) datapoints breaching \(condition) (\(alarm ? "≥" : "<") \(m) to alarm)\(note): [\(shown)]"
        return AlarmDecision(state: alarm ? .alarm : .ok, reason: reason)
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
