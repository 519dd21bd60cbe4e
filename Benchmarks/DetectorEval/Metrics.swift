// How the harness judges flags against labels.
//
// Series (window-based, NAB-like): a labelled window [start, end] (inclusive)
// is DETECTED when at least one point in it is flagged — a true positive — and
// missed otherwise (a false negative). Every flagged point outside all windows
// is one false positive (as in NAB, each such detection counts; a job would
// raise one alert per flagged row). precision = TP / (TP + FP), recall =
// TP / windows, F1 their harmonic mean. Delay: for each detected window, the
// points from its start to its first flag (0 = flagged at the first point of the
// window); the mean over detected windows. The generator centres a window on
// its anomaly (spikes: 20 points either side), so an ideal detector shows a
// delay of about 20 on spikes and 20 on a level shift.
//
// Transactions (point-wise): each event is flagged or not and labelled or not;
// precision, recall and F1 over all events. Events scored NULL (warm-up) count
// as not flagged.

struct WindowScore {
    var windows = 0
    var detected = 0
    var falsePositives = 0
    var delays: [Int] = []
    /// The 99th percentile of the scores outside windows (the threshold's headroom).
    var outsideP99 = Double.nan

    init(flags: [Bool], scores: [Double?], windows: [ClosedRange<Int>]) {
        self.windows = windows.count
        var inside = [Bool](repeating: false, count: flags.count)
        for window in windows {
            for index in window { inside[index] = true }
            if let first = window.first(where: { flags[$0] }) {
                detected += 1
                delays.append(first - window.lowerBound)
            }
        }
        var outsideScores: [Double] = []
        for index in flags.indices where !inside[index] {
            if flags[index] { falsePositives += 1 }
            if let score = scores[index] { outsideScores.append(score) }
        }
        outsideScores.sort()
        if !outsideScores.isEmpty { outsideP99 = outsideScores[min(outsideScores.count - 1, outsideScores.count * 99 / 100)] }
    }

    var precision: Double? { detected + falsePositives == 0 ? nil : Double(detected) / Double(detected + falsePositives) }
    var recall: Double? { windows == 0 ? nil : Double(detected) / Double(windows) }
    var meanDelay: Double? { delays.isEmpty ? nil : Double(delays.reduce(0, +)) / Double(delays.count) }
}

struct PointScore {
    var truePositives = 0
    var falsePositives = 0
    var falseNegatives = 0
    var recallByKind: [String: (found: Int, total: Int)] = [:]

    mutating func add(flagged: Bool, label: String?) {
        switch (flagged, label) {
        case (true, .some): truePositives += 1
        case (true, .none): falsePositives += 1
        case (false, .some): falseNegatives += 1
        case (false, .none): break
        }
        if let label {
            var entry = recallByKind[label] ?? (0, 0)
            entry.total += 1
            if flagged { entry.found += 1 }
            recallByKind[label] = entry
        }
    }

    var precision: Double? { truePositives + falsePositives == 0 ? nil : Double(truePositives) / Double(truePositives + falsePositives) }
    var recall: Double? { truePositives + falseNegatives == 0 ? nil : Double(truePositives) / Double(truePositives + falseNegatives) }
}

func f1(_ precision: Double?, _ recall: Double?) -> Double? {
    guard let precision, let recall else { return nil }
    return precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
}

/// SKAB's outlier-detection scoring (its README): point-wise over every point
/// after each experiment's first `trainingCount` (400) points, pooled over the
/// experiments; a point the detector left unscored counts as not flagged.
/// FAR = FP / (FP + TN), MAR = FN / (FN + TP), in %.
struct SensorScore {
    var truePositives = 0, falsePositives = 0, falseNegatives = 0, trueNegatives = 0

    mutating func add(flags: [Bool], labels: [Bool], skipping trainingCount: Int) {
        for index in trainingCount..<min(flags.count, labels.count) {
            switch (flags[index], labels[index]) {
            case (true, true): truePositives += 1
            case (true, false): falsePositives += 1
            case (false, true): falseNegatives += 1
            case (false, false): trueNegatives += 1
            }
        }
    }

    var precision: Double? { truePositives + falsePositives == 0 ? nil : Double(truePositives) / Double(truePositives + falsePositives) }
    var recall: Double? { truePositives + falseNegatives == 0 ? nil : Double(truePositives) / Double(truePositives + falseNegatives) }
    var falseAlarmRate: Double { 100 * Double(falsePositives) / Double(max(falsePositives + trueNegatives, 1)) }
    var missedAlarmRate: Double { 100 * Double(falseNegatives) / Double(max(falseNegatives + truePositives, 1)) }
}
