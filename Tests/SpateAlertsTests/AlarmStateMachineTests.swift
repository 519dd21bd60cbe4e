// The alarm state machine against CloudWatch's documented evaluation: both
// tables of "How alarm state is evaluated when data is missing" (3 of 3 and
// 2 of 3, five datapoints retrieved), row by row, for every treatment of
// missing data; then M-of-N without missing data, the comparisons, and IGNORE
// keeping each previous state.

import SpateAlerts
import Testing

/// "0 - X - X": 0 = not breaching, X = breaching, - = missing (threshold 5, >).
private func points(_ text: String) -> [Double?] {
    text.split(separator: " ").map { $0 == "X" ? 9 : $0 == "0" ? 1 : nil }
}

private let retain = "retain"

@Suite struct AlarmStateMachineTests {
    struct Row: Sendable, CustomStringConvertible {
        var m: Int, n: Int, data: String
        var missing: String, ignore: String, breaching: String, notBreaching: String
        var description: String { "\(m) of \(n): \(data)" }
    }

    static let documented: [Row] = [
        // Datapoints to alarm = 3, evaluation periods = 3.
        Row(m: 3, n: 3, data: "0 - X - X", missing: "OK", ignore: "OK", breaching: "OK", notBreaching: "OK"),
        Row(m: 3, n: 3, data: "0 - - - -", missing: "OK", ignore: "OK", breaching: "OK", notBreaching: "OK"),
        Row(m: 3, n: 3, data: "- - - - -", missing: "INSUFFICIENT_DATA", ignore: retain, breaching: "ALARM", notBreaching: "OK"),
        Row(m: 3, n: 3, data: "0 X X - X", missing: "ALARM", ignore: "ALARM", breaching: "ALARM", notBreaching: "ALARM"),
        Row(m: 3, n: 3, data: "- - - - X", missing: "INSUFFICIENT_DATA", ignore: retain, breaching: "ALARM", notBreaching: "OK"),
        Row(m: 3, n: 3, data: "X - - - -", missing: "ALARM", ignore: retain, breaching: "ALARM", notBreaching: "OK"),
        // Datapoints to alarm = 2, evaluation periods = 3.
        Row(m: 2, n: 3, data: "0 - X - X", missing: "ALARM", ignore: "ALARM", breaching: "ALARM", notBreaching: "ALARM"),
        Row(m: 2, n: 3, data: "0 0 X 0 X", missing: "ALARM", ignore: "ALARM", breaching: "ALARM", notBreaching: "ALARM"),
        Row(m: 2, n: 3, data: "0 - X - -", missing: "OK", ignore: "OK", breaching: "ALARM", notBreaching: "OK"),
        Row(m: 2, n: 3, data: "- - - - 0", missing: "OK", ignore: "OK", breaching: "ALARM", notBreaching: "OK"),
        Row(m: 2, n: 3, data: "- - - - X", missing: "INSUFFICIENT_DATA", ignore: retain, breaching: "ALARM", notBreaching: "OK"),
    ]

    @Test(arguments: documented)
    func matchesCloudWatchsDocumentedTable(_ row: Row) {
        let expected: [(MissingDataTreatment, String)] = [(.missing, row.missing), (.ignore, row.ignore), (.breaching, row.breaching),
                                                          (.notBreaching, row.notBreaching)]
        for (treatment, state) in expected {
            for previous in AlarmState.allCases {
                let rule = AlarmRule(comparison: .greater, threshold: 5, datapointsToAlarm: row.m, evaluationPeriods: row.n, missingData: treatment)
                let decision = AlarmStateMachine.evaluate(rule, datapoints: points(row.data), previous: previous)
                let want = state == retain ? previous : AlarmState(rawValue: state)!
                #expect(decision.state == want, "\(row) \(treatment) from \(previous): \(decision.reason)")
                #expect(!decision.reason.isEmpty)
            }
        }
    }

    @Test func theRangeRetrievedIsTwoMoreThanTheEvaluationPeriods() {
        #expect(AlarmStateMachine.evaluationRange(periods: 3) == 5)
        #expect(AlarmStateMachine.evaluationRange(periods: 1) == 3)
    }

    @Test func mOfNCountsBreachingDatapointsThatNeedNotBeConsecutive() {
        let rule = AlarmRule(comparison: .greater, threshold: 5, datapointsToAlarm: 3, evaluationPeriods: 5, missingData: .missing)
        // Only the newest 5 count; breaching ones need not be consecutive.
        #expect(AlarmStateMachine.evaluate(rule, datapoints: points("0 0 X 0 X 0 X"), previous: .ok).state == .alarm)
        #expect(AlarmStateMachine.evaluate(rule, datapoints: points("X 0 X 0 X 0 0"), previous: .alarm).state == .ok)
        #expect(AlarmStateMachine.evaluate(rule, datapoints: points("0 0 X X 0 0 X"), previous: .ok).state == .alarm)
        #expect(AlarmStateMachine.evaluate(rule, datapoints: points("0 0 0 X 0 0 X"), previous: .alarm).state == .ok)
    }

    @Test func withEnoughRealDatapointsTheMissingSettingIsNotUsed() {
        // 4 real datapoints ≥ N = 3: the newest three real ones (X X 0) decide, whatever the setting.
        for treatment in MissingDataTreatment.allCases {
            let rule = AlarmRule(comparison: .greater, threshold: 5, datapointsToAlarm: 3, evaluationPeriods: 3, missingData: treatment)
            #expect(AlarmStateMachine.evaluate(rule, datapoints: points("X X - X 0"), previous: .alarm).state == .ok)
            #expect(AlarmStateMachine.evaluate(rule, datapoints: points("0 X - X X"), previous: .ok).state == .alarm)
        }
    }

    @Test func comparisonsIncludeOrExcludeTheThreshold() {
        func state(_ comparison: AlarmComparison, _ value: Double) -> AlarmState {
            let rule = AlarmRule(comparison: comparison, threshold: 10, datapointsToAlarm: 1, evaluationPeriods: 1, missingData: .missing)
            return AlarmStateMachine.evaluate(rule, datapoints: [nil, nil, value], previous: .insufficientData).state
        }
        #expect(state(.greater, 10) == .ok && state(.greater, 10.5) == .alarm)
        #expect(state(.greaterOrEqual, 10) == .alarm && state(.greaterOrEqual, 9.9) == .ok)
        #expect(state(.less, 10) == .ok && state(.less, 9) == .alarm)
        #expect(state(.lessOrEqual, 10) == .alarm && state(.lessOrEqual, 11) == .ok)
    }

    @Test func ignoreNeverCountsMissingDatapointsAsBreaching() {
        // M = 1 of 3, one real breaching datapoint: ALARM from any state; all missing: state kept.
        let rule = AlarmRule(comparison: .greater, threshold: 5, datapointsToAlarm: 1, evaluationPeriods: 3, missingData: .ignore)
        for previous in AlarmState.allCases {
            #expect(AlarmStateMachine.evaluate(rule, datapoints: points("- - - X -"), previous: previous).state == .alarm)
            #expect(AlarmStateMachine.evaluate(rule, datapoints: points("- - - - -"), previous: previous).state == previous)
            #expect(AlarmStateMachine.evaluate(rule, datapoints: points("- 0 - - -"), previous: previous).state == .ok)
        }
    }

    @Test func aSeriesDrivesTheAlarmThroughItsStates() {
        // A metric over time, evaluated each period with the 5 newest datapoints (2 of 3, MISSING).
        let rule = AlarmRule(comparison: .greaterOrEqual, threshold: 100, datapointsToAlarm: 2, evaluationPeriods: 3, missingData: .missing)
        let series: [Double?] = [nil, nil, nil, nil, nil, 10, 20, 150, 160, 30, 20, 10, nil, nil, nil, nil, nil]
        var state = AlarmState.insufficientData
        var states: [AlarmState] = []
        for end in 5...series.count {
            state = AlarmStateMachine.evaluate(rule, datapoints: Array(series[(end - 5)..<end]), previous: state).state
            states.append(state)
        }
        // After the metric stops, its last datapoint is re-evaluated (OK) until it leaves the range.
        #expect(states == [.insufficientData, .ok, .ok, .ok, .alarm, .alarm, .ok, .ok, .ok, .ok, .ok, .ok, .insufficientData])
    }
}
