// spate-detect-eval: the detectors' quality harness.
//
//   spate-detect-eval [--data DIR] [--out DIR]
//
// Runs every detector with its DEFAULT options — the same for every file, no
// per-file tuning — over the labelled series (DIR/series/*.csv, windows in
// labels.json) and over DIR/transactions.jsonl per userId (labels in
// transactions.labels.jsonl), and prints precision, recall, F1 and detection
// delay (Metrics.swift defines them). Per-point scores go to
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
    EvaluatedDetector(label: "ANOMALY_SCORE", function: "ANOMALY_SCORE", options: [:]),
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

var dataDirectory = "../shared/data"
var outputDirectory = "./.detector-eval"
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--data":
        guard let value = arguments.popFirst() else { fail("--data needs a directory") }
        dataDirectory = value
    case "--out":
        guard let value = arguments.popFirst() else { fail("--out needs a directory") }
        outputDirectory = value
    default: fail("unknown argument '\(argument)'\nusage: spate-detect-eval [--data DIR] [--out DIR]")
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

func configuration(_ detector: EvaluatedDetector) -> DetectorConfiguration {
    do { return try DetectorConfiguration(function: detector.function, inputCount: 1, options: detector.options) } catch { fail("\(error)") }
}

do {
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
                let score = model.score([value])
                scores.append(score)
                flags.append(model.isAnomaly(score))
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
            let score = model.score([event.amount])
            models[event.userId] = model
            result.add(flagged: model.isAnomaly(score), label: labels[event.transactionId])
            rows.append((String(event.timestampMs), event.amount, score))
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
    }
    print()
    print("Per-point scores: \(outputDirectory)/<detector>/<file>.csv")
} catch let error as EvalError {
    fail(error.message)
} catch {
    fail("\(error)")
}
