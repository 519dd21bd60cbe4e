// spate-detect-eval: the detectors' quality harness.
//
//   spate-detect-eval [--data DIR] [--out DIR]
//
// Runs every detector with its DEFAULT options — the same for every file, no
// per-file tuning, no look-ahead, never the labels — over the labelled series
// (DIR/series/*.csv, windows in labels.json), over DIR/transactions.jsonl per
// userId (labels in transactions.labels.jsonl) and over SKAB (DIR/skab: 34
// real sensor experiments, 8 inputs, per experiment), and prints precision,
// recall, F1, false alarms and detection delay (Metrics.swift defines them);
// `anomaly` is each detector's default rule (calibrated, risk 0.001). A corpus
// that is absent is skipped with a message. Per-point scores go to
// OUT/<detector>/<file>.csv as `timestamp,value,anomaly_score` for external
// scorers; a point in warm-up (NULL in SQL) is written with score 0.
// DIR defaults to ../shared/data, OUT to ./.detector-eval.

import Foundation
import SpateRuntime

/// A detector as a user would write it in SQL, options included.
struct EvaluatedDetector {
    var label: String
    var function: String
    var options: [String: Double]
}

let seriesDetectors = [
    EvaluatedDetector(label: "ZSCORE", function: "ZSCORE", options: [:]),
    EvaluatedDetector(label: "ROBUST_SCORE", function: "ROBUST_SCORE", options: [:]),
    EvaluatedDetector(label: "RCF", function: "RCF", options: [:]),
    EvaluatedDetector(label: "RCF shingle=4", function: "RCF", options: ["shingle": 4]),
    EvaluatedDetector(label: "RCF shingle=8", function: "RCF", options: ["shingle": 8]),
    EvaluatedDetector(label: "ANOMALY_SCORE", function: "ANOMALY_SCORE", options: [:]),
    // One day of 5-minute points: the only row given a season (the data's period is known, not learnt from the labels).
    EvaluatedDetector(label: "ANOMALY season", function: "ANOMALY_SCORE", options: ["season": 288]),
]
let sensorDetectors = [
    EvaluatedDetector(label: "ANOMALY_SCORE", function: "ANOMALY_SCORE", options: [:]),
    EvaluatedDetector(label: "MAHALANOBIS", function: "MAHALANOBIS", options: [:]),
    EvaluatedDetector(label: "RCF", function: "RCF", options: [:]),
    EvaluatedDetector(label: "RCF shingle=4", function: "RCF", options: ["shingle": 4]),
]
// A forest per user is ~1 MiB at dimension 1 (500 users: 0.5 GiB, and the
// slowest row of the run); RCF is here to compare, not because a per-event
// forest per user is a good idea.
let transactionDetectors = [
    EvaluatedDetector(label: "ZSCORE", function: "ZSCORE", options: [:]),
    EvaluatedDetector(label: "ROBUST_SCORE", function: "ROBUST_SCORE", options: [:]),
    EvaluatedDetector(label: "RCF", function: "RCF", options: [:]),
    EvaluatedDetector(label: "ANOMALY_SCORE", function: "ANOMALY_SCORE", options: [:]),
]

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("spate-detect-eval: " + message + "\n").utf8))
    exit(1)
}

nonisolated(unsafe) var dataDirectory = "../shared/data"
nonisolated(unsafe) var outputDirectory = "./.detector-eval"
/// `--risk q`: every detector's risk option (to show the knob's effect); default: each detector's default.
nonisolated(unsafe) var riskOverride: Double?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--data":
        guard let value = arguments.popFirst() else { fail("--data needs a directory") }
        dataDirectory = value
    case "--risk":
        guard let value = arguments.popFirst().flatMap(Double.init) else { fail("--risk needs a number") }
        riskOverride = value
    case "--out":
        guard let value = arguments.popFirst() else { fail("--out needs a directory") }
        outputDirectory = value
    default: fail("unknown argument '\(argument)'\nusage: spate-detect-eval [--data DIR] [--out DIR] [--risk Q]")
    }
}

func cell(_ value: Double?, _ digits: Int = 2) -> String {
    guard let value, value.isFinite else { return "-" }
    return String(format: "%.\(digits)f", value)
}

func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
    let padding = String(repeating: " ", count: max(0, width - text.count))
    return left ? text + padding : padding + text
}

func writeScores(_ detector: String, _ file: String, rows: [(String, Double, Double?)], into outputDirectory: String) throws {
    let directory = outputDirectory + "/" + detector.replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "=", with: "")
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var text = "timestamp,value,anomaly_score\n"
    text.reserveCapacity(rows.count * 40)
    for (timestamp, value, score) in rows { text += "\(timestamp),\(value),\(score.map { String($0) } ?? "0")\n" }
    try Data(text.utf8).write(to: URL(fileURLWithPath: directory + "/" + (file.hasSuffix(".csv") ? file : file + ".csv")))
}

func configuration(_ detector: EvaluatedDetector, inputs: Int = 1) -> DetectorConfiguration {
    var options = detector.options
    if let riskOverride { options["risk"] = riskOverride }
    do { return try DetectorConfiguration(function: detector.function, inputCount: inputs, options: options) } catch { fail("\(error)") }
}

/// The table of every corpus's headline figures, printed last.
nonisolated(unsafe) var summary: [String] = []

func evaluateSeries() throws {
    guard FileManager.default.fileExists(atPath: dataDirectory + "/series/labels.json") else {
        print("Series: \(dataDirectory)/series/labels.json not found — skipped")
        return
    }
    let series = try loadSeries(directory: dataDirectory + "/series")
    print("Series: \(series.count) files, window-based scoring (a window is detected by any flag inside it; each flag outside is a false positive)")
    print("Default options for every file. delay = points from window start to first flag (mean); p99 out = 99th percentile score outside windows.")
    print()
    let header = [pad("detector", 14, left: true), pad("file", 26, left: true), pad("threshold", 9), pad("windows", 7), pad("found", 5),
                  pad("FP", 5), pad("precision", 9), pad("recall", 6), pad("F1", 5), pad("delay", 6), pad("p99 out", 8)]
    print(header.joined(separator: "  "))
    print(String(repeating: "-", count: header.joined(separator: "  ").count))
    for detector in seriesDetectors {
        let config = configuration(detector)
        var totals = (windows: 0, detected: 0, falsePositives: 0)
        for file in series {
            var model = config.makeModel()
            var scores: [Double?] = []
            var flags: [Bool] = []
            for value in file.values {
                let observation = model.observe([value])
                scores.append(observation.score)
                flags.append(observation.isAnomaly)
            }
            let result = WindowScore(flags: flags, scores: scores, windows: file.windows)
            totals.windows += result.windows
            totals.detected += result.detected
            totals.falsePositives += result.falsePositives
            print([pad(detector.label, 14, left: true), pad(file.name, 26, left: true), pad(cell(config.threshold, 1), 9),
                   pad("\(result.windows)", 7), pad("\(result.detected)", 5), pad("\(result.falsePositives)", 5),
                   pad(cell(result.precision), 9), pad(cell(result.recall), 6), pad(cell(f1(result.precision, result.recall)), 5),
                   pad(cell(result.meanDelay, 1), 6), pad(cell(result.outsideP99), 8)].joined(separator: "  "))
            try writeScores(detector.label, file.name, rows: (0..<file.values.count).map { (file.timestamps[$0], file.values[$0], scores[$0]) }, into: outputDirectory)
        }
        let precision = totals.detected + totals.falsePositives == 0 ? nil : Double(totals.detected) / Double(totals.detected + totals.falsePositives)
        let recall = Double(totals.detected) / Double(totals.windows)
        print([pad(detector.label, 14, left: true), pad("ALL", 26, left: true), pad("", 9), pad("\(totals.windows)", 7), pad("\(totals.detected)", 5),
               pad("\(totals.falsePositives)", 5), pad(cell(precision), 9), pad(cell(recall), 6), pad(cell(f1(precision, recall)), 5),
               pad("", 6), pad("", 8)].joined(separator: "  "))
        let points = series.reduce(0) { $0 + $1.values.count }
        summary.append([pad("series", 13, left: true), pad(detector.label, 14, left: true),
                        pad("windows \(totals.detected)/\(totals.windows), false alarms \(totals.falsePositives) (\(cell(1000 * Double(totals.falsePositives) / Double(points))) per 1,000 points), F1 \(cell(f1(precision, recall)))", 0, left: true)]
            .joined(separator: "  "))
    }
}

func evaluateTransactions() throws {
    guard FileManager.default.fileExists(atPath: dataDirectory + "/transactions.jsonl") else {
        print("Transactions: \(dataDirectory)/transactions.jsonl not found — skipped")
        return
    }
    let transactions = try loadTransactions(path: dataDirectory + "/transactions.jsonl")
    let labels = try loadTransactionLabels(path: dataDirectory + "/transactions.labels.jsonl")
    print()
    print("Transactions: \(transactions.count) events, \(labels.count) labelled, scored per userId (OVER (PARTITION BY userId)), point-wise")
    print()
    let kinds = Set(labels.values).sorted()
    let transactionHeader = [pad("detector", 14, left: true), pad("threshold", 9), pad("flagged", 7), pad("TP", 5), pad("FP", 5),
                             pad("precision", 9), pad("recall", 6), pad("F1", 5)] + kinds.map { pad("recall " + $0, 20) }
    print(transactionHeader.joined(separator: "  "))
    print(String(repeating: "-", count: transactionHeader.joined(separator: "  ").count))
    for detector in transactionDetectors {
        let config = configuration(detector)
        var models: [String: DetectorModel] = [:]
        var result = PointScore()
        var rows: [(String, Double, Double?)] = []
        rows.reserveCapacity(transactions.count)
        for event in transactions {
            var model = models.removeValue(forKey: event.userId) ?? config.makeModel()
            let observation = model.observe([event.amount])
            models[event.userId] = model
            result.add(flagged: observation.isAnomaly, label: labels[event.transactionId])
            rows.append((String(event.timestampMs), event.amount, observation.score))
        }
        let flagged = result.truePositives + result.falsePositives
        print(([pad(detector.label, 14, left: true), pad(cell(config.threshold, 1), 9), pad("\(flagged)", 7), pad("\(result.truePositives)", 5),
                pad("\(result.falsePositives)", 5), pad(cell(result.precision), 9), pad(cell(result.recall), 6),
                pad(cell(f1(result.precision, result.recall)), 5)]
               + kinds.map { kind in
                   let entry = result.recallByKind[kind] ?? (0, 0)
                   return pad("\(entry.found)/\(entry.total)", 20)
               }).joined(separator: "  "))
        try writeScores(detector.label, "transactions", rows: rows, into: outputDirectory)
        summary.append([pad("transactions", 13, left: true), pad(detector.label, 14, left: true),
                        "precision \(cell(result.precision)), recall \(cell(result.recall)), F1 \(cell(f1(result.precision, result.recall)))"]
            .joined(separator: "  "))
    }
}

func evaluateSKAB() throws {
    let experiments = try loadSKAB(directory: dataDirectory + "/skab")
    guard !experiments.isEmpty else {
        print("SKAB: \(dataDirectory)/skab not found — skipped")
        return
    }
    let trainingCount = 400
    print()
    print("SKAB: \(experiments.count) experiments, \(skabColumns.count) inputs (\(skabColumns.joined(separator: ", "))), scored per experiment (OVER (PARTITION BY file)),")
    print("point-wise over every point after each experiment's first \(trainingCount) (as SKAB's README); unscored points count as not flagged.")
    print("Published: Conv-AE F1 0.78 (FAR 13.6 %, MAR 28.0 %), MSET 0.78, T-squared+Q 0.76, LSTM-AE 0.74, T-squared 0.66, Isolation forest 0.29.")
    print()
    let header = [pad("detector", 14, left: true), pad("flagged", 7), pad("precision", 9), pad("recall", 6), pad("F1", 5), pad("FAR %", 6), pad("MAR %", 6)]
    print(header.joined(separator: "  "))
    print(String(repeating: "-", count: header.joined(separator: "  ").count))
    for detector in sensorDetectors {
        let config = configuration(detector, inputs: skabColumns.count)
        var result = SensorScore()
        for experiment in experiments {
            var model = DetectorModel(config, inputNames: skabColumns)
            var flags: [Bool] = []
            var rows: [(String, Double, Double?)] = []
            for (index, values) in experiment.values.enumerated() {
                let observation = model.observe(values)
                flags.append(observation.isAnomaly)
                rows.append((String(index), values[0], observation.score))
            }
            result.add(flags: flags, labels: experiment.labels, skipping: trainingCount)
            try writeScores(detector.label, "skab-" + experiment.name.replacingOccurrences(of: "/", with: "-"), rows: rows, into: outputDirectory)
        }
        let f = f1(result.precision, result.recall)
        print([pad(detector.label, 14, left: true), pad("\(result.truePositives + result.falsePositives)", 7), pad(cell(result.precision), 9),
               pad(cell(result.recall), 6), pad(cell(f), 5), pad(cell(result.falseAlarmRate, 1), 6), pad(cell(result.missedAlarmRate, 1), 6)]
            .joined(separator: "  "))
        summary.append([pad("SKAB", 13, left: true), pad(detector.label, 14, left: true),
                        "F1 \(cell(f)), FAR \(cell(result.falseAlarmRate, 1)) %, MAR \(cell(result.missedAlarmRate, 1)) %"].joined(separator: "  "))
    }
}

do {
    try evaluateSeries()
    try evaluateTransactions()
    try evaluateSKAB()
    print()
    print("Summary (default options, WHERE anomaly):")
    for line in summary { print("  " + line) }
    print()
    print("Per-point scores: \(outputDirectory)/<detector>/<file>.csv")
} catch let error as EvalError {
    fail(error.message)
} catch {
    fail("\(error)")
}
