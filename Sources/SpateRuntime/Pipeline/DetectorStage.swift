// The detectors of a query in its pipeline: their argument and PARTITION BY
// expressions compiled over the stage they read (input records, or the groups a
// window emits), the DetectorOperator that keeps per-key state, and the
// vectors their scores and the `anomaly` flag land in — which the outputs and
// the output filter then read as `.detector(i)` and `.anomaly` — and, for
// `.anomalyGrade` and `.anomalyExplanation`, the calibrated grade (computed
// for every scored row only when the query reads it) and the explanation of
// each flagged row (always: flagged rows are few, and alerts carry it). A job
// also keeps its score series (ScoreSeries: per key and minute, the highest
// score and its threshold) for the dashboard.

import SpateSQL

final class DetectorStage {
    let `operator`: DetectorOperator
    private let inputs: [[VectorExpression]]
    private let keys: [[VectorExpression]]
    /// Each row's event time or window start (for alerts_per_day; nil when no detector needs it).
    private let time: VectorExpression?
    let scores: [ColumnVector]
    let flags: ColumnVector
    /// Per detector, the calibrated grade (nil: the query does not read anomaly_grade).
    let grades: [ColumnVector]?
    /// The highest grade over the detectors (what `anomaly_grade` reads).
    let bestGrade = ColumnVector(type: .double, capacity: batchRowCapacity)
    let explanations = ColumnVector(type: .string, capacity: batchRowCapacity)
    /// A job's score series, with per detector the threshold each row was held to (nil: not kept).
    let series: ScoreSeries?
    private let thresholds: [ColumnVector]?
    private let nowMs: () -> Int64

    private init(operator: DetectorOperator, inputs: [[VectorExpression]], keys: [[VectorExpression]], time: VectorExpression?,
                 wantsGrades: Bool, recordsScores: Bool, nowMs: @escaping () -> Int64) {
        self.time = time
        self.nowMs = nowMs
        series = recordsScores ? ScoreSeries() : nil
        thresholds = recordsScores ? inputs.map { _ in ColumnVector(type: .double, capacity: batchRowCapacity) } : nil
        if recordsScores { `operator`.keepKeyHashes() }
        self.operator = `operator`
        self.inputs = inputs
        self.keys = keys
        scores = inputs.map { _ in ColumnVector(type: .double, capacity: batchRowCapacity) }
        flags = ColumnVector(type: .boolean, capacity: batchRowCapacity)
        grades = wantsGrades ? inputs.map { _ in ColumnVector(type: .double, capacity: batchRowCapacity) } : nil
    }

    /// The stage for `plans` (nil when the query has no detector); `wantsGrades`
    /// when the query reads anomaly_grade; `recordsScores` for a job (ScoreSeries).
    static func make(_ plans: [DetectorPlan], resolver: SlotResolver, nowMs: @escaping () -> Int64,
                     time: BoundExpression?, wantsGrades: Bool = false, recordsScores: Bool = false) throws -> DetectorStage? {
        guard !plans.isEmpty else { return nil }
        let compiler = ExpressionCompiler(resolver: resolver, nowMs: nowMs)
        let detectorOperator: DetectorOperator
        do { detectorOperator = try DetectorOperator(plans: plans) } catch { throw RuntimeError.unsupported("\(error)") }
        var inputs: [[VectorExpression]] = []
        for plan in plans {
            var compiled: [VectorExpression] = []
            for argument in plan.arguments { compiled.append(try compiler.compile(argument)) }
            inputs.append(compiled)
        }
        var keys: [[VectorExpression]] = []
        for partition in detectorOperator.partitions {
            var compiled: [VectorExpression] = []
            for key in partition { compiled.append(try compiler.compile(key)) }
            keys.append(compiled)
        }
        let needsTime = detectorOperator.configurations.contains { $0.alertsPerDay != nil }
        guard !needsTime || time != nil else {
            throw RuntimeError.unsupported("alerts_per_day needs a time for each scored row: use it per event, or in a windowed query")
        }
        let compiledTime = needsTime || recordsScores ? try time.map { try compiler.compile($0) } : nil
        return DetectorStage(operator: detectorOperator, inputs: inputs, keys: keys, time: compiledTime, wantsGrades: wantsGrades,
                             recordsScores: recordsScores, nowMs: nowMs)
    }

    /// `base`, plus the detectors' scores and the anomaly flag.
    func resolver(over base: SlotResolver) -> SlotResolver {
        let scores = self.scores, flags = self.flags, bestGrade = self.bestGrade, explanations = self.explanations
        return SlotResolver { kind in
            switch kind {
            case let .detector(i): return i < scores.count ? scores[i] : nil
            case .anomaly: return flags
            case .anomalyGrade: return bestGrade
            case .anomalyExplanation: return explanations
            default: return base.vectorFor(kind)
            }
        }
    }

    /// Scores rows 0..<rows (or the selected ones) in order, updating each key's state.
    func score(rows: Int, selection: [Int32]?) {
        for expressions in inputs { for e in expressions { e.evaluate(rows: rows) } }
        for expressions in keys { for e in expressions { e.evaluate(rows: rows) } }
        time?.evaluate(rows: rows)
        for vector in scores { vector.reset(count: rows); for i in 0..<rows { vector.isNull[i] = true } }
        flags.reset(count: rows)
        for i in 0..<rows { flags.isNull[i] = false; flags.bools[i] = false }
        explanations.reset(count: rows)
        for i in 0..<rows { explanations.isNull[i] = true }
        if let grades { for vector in grades { vector.reset(count: rows); for i in 0..<rows { vector.isNull[i] = true } } }
        if let thresholds { for vector in thresholds { vector.reset(count: rows); for i in 0..<rows { vector.isNull[i] = true } } }
        `operator`.process(keys: keys.map { $0.map(\.result) }, inputs: inputs.map { $0.map(\.result) }, rows: rows,
                           selection: selection, into: scores, flags: flags, grades: grades, explanations: explanations,
                           times: time?.result, thresholds: thresholds)
        if let series { record(into: series, rows: rows, selection: selection) }
        bestGrade.reset(count: rows)
        for i in 0..<rows {
            var best: Double?
            for vector in grades ?? [] where !vector.isNull[i] { best = max(best ?? 0, vector.doubles[i]) }
            if let best { bestGrade.set(i, double: best) } else { bestGrade.setNull(i) }
        }
    }

    /// Notes each scored row's highest score (and its detector's threshold) in the series.
    private func record(into series: ScoreSeries, rows: Int, selection: [Int32]?) {
        guard let thresholds, let keyHashes = `operator`.keyHashes else { return }
        let keyVectors = keys.first?.map(\.result) ?? []
        let times = time?.result
        let now = nowMs()
        let flagValues = flags.bools
        // One detector (the usual case): its score and threshold as they are.
        let single = scores.count == 1 ? (scores[0].isNull, scores[0].doubles, thresholds[0].doubles) : nil
        @inline(__always) func note(_ row: Int) {
            var best = -Double.infinity, threshold = Double.nan
            if let (isNull, values, limits) = single {
                guard !isNull[row] else { return }
                best = values[row]
                threshold = limits[row]
            } else {
                var scored = false
                for d in scores.indices where !scores[d].isNull[row] && scores[d].doubles[row] > best {
                    best = scores[d].doubles[row]
                    threshold = thresholds[d].isNull[row] ? .nan : thresholds[d].doubles[row]
                    scored = true
                }
                guard scored else { return }
            }
            let t = times.map { $0.isNull[row] ? now : $0.ints[row] } ?? now
            series.record(keyHash: keyHashes[row], keys: keyVectors, row: row, timeMs: t, score: best, threshold: threshold,
                          flagged: flagValues[row])
        }
        if let selection { for row in selection { note(Int(row)) } } else { for row in 0..<rows { note(row) } }
    }

    /// Why row `row` was flagged (explanation JSON; nil when it was not).
    func explanation(_ row: Int) -> String? {
        explanations.isNull[row] ? nil : explanations.string(row)
    }

    /// The highest score any detector gave row `row` (nil when none scored it).
    func highestScore(_ row: Int) -> Double? {
        var best: Double?
        for vector in scores where !vector.isNull[row] { best = max(best ?? -.infinity, vector.doubles[row]) }
        return best
    }

    /// The first partition's key values of row `row`, as text (an alert's key).
    func keyText(_ row: Int) -> String? {
        guard let first = keys.first, !first.isEmpty else { return nil }
        return first.map { $0.result.isNull[row] ? "NULL" : textOf($0.result, row) }.joined(separator: ",")
    }
}
