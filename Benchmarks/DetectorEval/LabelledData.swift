// The labelled data of the quality harness, as the data generator writes it
// (../shared/data/make_data.py):
//   series/*.csv          timestamp,value — one point every 5 minutes
//   series/labels.json    file name → anomaly windows [[start, end], ...], inclusive,
//                         times in the CSV's own format (so they compare as strings)
//   transactions.jsonl    {"userId", "amount", "timestamp" (epoch ms), "transactionId", ...}
//   transactions.labels.jsonl  {"transactionId", "kind"} for each injected anomaly

import Foundation

struct EvalError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

struct Series {
    var name: String
    var timestamps: [String]
    var values: [Double]
    /// Inclusive index ranges of the anomaly windows.
    var windows: [ClosedRange<Int>]
}

struct Transaction {
    var userId: String
    var amount: Double
    var timestampMs: Int64
    var transactionId: String
}

func readText(_ path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else { throw EvalError("cannot read \(path)") }
    return String(decoding: data, as: UTF8.self)
}

func loadSeries(directory: String) throws -> [Series] {
    let labelsPath = directory + "/labels.json"
    guard let labels = try JSONSerialization.jsonObject(with: Data(readText(labelsPath).utf8)) as? [String: [[String]]] else {
        throw EvalError("\(labelsPath): expected {file: [[start, end], ...]}")
    }
    var result: [Series] = []
    for file in labels.keys.sorted() {
        var series = Series(name: file, timestamps: [], values: [], windows: [])
        for line in try readText(directory + "/" + file).split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",")
            guard fields.count == 2, let value = Double(fields[1]) else { throw EvalError("\(file): bad line '\(line)'") }
            series.timestamps.append(String(fields[0]))
            series.values.append(value)
        }
        for window in labels[file] ?? [] {
            guard window.count == 2,
                  let first = series.timestamps.firstIndex(where: { $0 >= window[0] }),
                  let last = series.timestamps.lastIndex(where: { $0 <= window[1] }), first <= last
            else { throw EvalError("\(file): window \(window) matches no points") }
            series.windows.append(first...last)
        }
        result.append(series)
    }
    return result
}

func loadTransactions(path: String) throws -> [Transaction] {
    var result: [Transaction] = []
    result.reserveCapacity(200_000)
    for line in try readText(path).split(separator: "\n") {
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let user = object["userId"] as? String, let amount = (object["amount"] as? NSNumber)?.doubleValue,
              let timestamp = (object["timestamp"] as? NSNumber)?.int64Value, let id = object["transactionId"] as? String
        else { throw EvalError("\(path): bad record \(line.prefix(80))") }
        result.append(Transaction(userId: user, amount: amount, timestampMs: timestamp, transactionId: id))
    }
    return result
}

/// transactionId → kind.
func loadTransactionLabels(path: String) throws -> [String: String] {
    var result: [String: String] = [:]
    for line in try readText(path).split(separator: "\n") {
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let id = object["transactionId"] as? String else { throw EvalError("\(path): bad label \(line)") }
        result[id] = object["kind"] as? String ?? "anomaly"
    }
    return result
}

/// One SKAB experiment: 8 sensor columns a second, a 0/1 anomaly label per point.
struct SensorExperiment {
    var name: String
    var values: [[Double]]
    var labels: [Bool]
}

/// SKAB's columns, in file order, as the harness names them in SQL.
let skabColumns = ["a1", "a2", "cur", "pre", "tmp", "thc", "vol", "flow"]

/// Loads DIR/{valve1,valve2,other}/*.csv (`;`-separated: datetime, 8 sensors,
/// anomaly, changepoint), in numeric file order; [] when DIR is absent.
func loadSKAB(directory: String) throws -> [SensorExperiment] {
    var result: [SensorExperiment] = []
    for group in ["valve1", "valve2", "other"] {
        let folder = directory + "/" + group
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
        for name in names.filter({ $0.hasSuffix(".csv") }).sorted(by: { Int($0.dropLast(4)) ?? 0 < Int($1.dropLast(4)) ?? 0 }) {
            var experiment = SensorExperiment(name: group + "/" + name, values: [], labels: [])
            // Split on any newline: "\r\n" is one Character, so split(separator: "\n") would not cut it.
            for line in try readText(folder + "/" + name).split(whereSeparator: \.isNewline).dropFirst() {
                let fields = line.split(separator: ";", omittingEmptySubsequences: false)
                guard fields.count >= 10 else { throw EvalError("\(group)/\(name): bad line '\(line.prefix(60))'") }
                let numbers = fields[1...9].map { Double($0.trimmingCharacters(in: .whitespaces)) }
                guard numbers.allSatisfy({ $0 != nil }) else { throw EvalError("\(group)/\(name): bad number in '\(line.prefix(60))'") }
                experiment.values.append(numbers[0..<8].map { $0! })
                experiment.labels.append(numbers[8]! > 0.5)
            }
            result.append(experiment)
        }
    }
    return result
}
