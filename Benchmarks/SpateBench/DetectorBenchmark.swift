// Detectors: points per second through DetectorOperator (the path a query
// takes: key lookup, batch loops, score and flag vectors) and bytes of state
// per key, for ZSCORE, ROBUST_SCORE and RCF 50 trees × 256 samples × shingle 4.
//
// Input: a noisy sine (period 288, like 5-minute points over a day) with a
// spike every 10,007 points, in batches of `batchRowCapacity` rows, one key
// (no PARTITION BY) unless stated. The keyed ZSCORE row uses 10,000 BIGINT keys
// round robin, which adds the key encoding and hash lookup per row. Each figure
// is the best of 3 runs; one thread (the operator is single-threaded per query).
// SPATE_BENCH_ONLY=<text> runs only the rows whose label contains <text>.

@_spi(DetectorBenchmark) import SpateRuntime
import SpateSQL

#if canImport(Glibc)
import Glibc
#endif

/// `spate-bench detectors [--quick]`: needs no scratch directory, so main.swift
/// hands it the arguments before the storage benchmarks' option parsing.
func runDetectorsCommand(_ arguments: [String]) -> Never {
    var quick = false
    for argument in arguments {
        guard argument == "--quick" else { fail("unknown option '\(argument)' for detectors\nusage: spate-bench detectors [--quick]", code: 2) }
        quick = true
    }
    do {
        try runDetectors(scale: DetectorScale(isQuick: quick))
    } catch {
        fail("\(error)")
    }
    printPeakMemory()
    exit(0)
}

/// Points per figure, full or quick (about 10x fewer).
struct DetectorScale {
    var isQuick: Bool
    var fastPoints: Int { (isQuick ? 10_000 : 100_000) * batchRowCapacity }
    var mediumPoints: Int { (isQuick ? 1_000 : 10_000) * batchRowCapacity }
    var forestPoints: Int { (isQuick ? 100 : 500) * batchRowCapacity }
}

func runDetectors(scale: DetectorScale) throws(DetectorError) {
    printSection("Detectors: DetectorOperator over batches of \(batchRowCapacity) rows, best of 3 runs, one thread")
    let table = Table([
        .init(title: "detector", width: 44, leftAligned: true),
        .init(title: "points", width: 11),
        .init(title: "points/s", width: 12),
        .init(title: "ns/point", width: 8),
        .init(title: "state B/key", width: 11),
        .init(title: "flagged", width: 7),
    ])
    table.printHeader()
    let input = BoundExpression(.field(0), type: .double)
    let key = BoundExpression(.field(1), type: .bigint)
    let cases: [(String, DetectorPlan, Int, Bool)] = [
        ("ZSCORE, one key", DetectorPlan(name: "ZSCORE", arguments: [input], options: [:], partitionBy: []), scale.fastPoints, false),
        ("ZSCORE, 10,000 keys", DetectorPlan(name: "ZSCORE", arguments: [input], options: [:], partitionBy: [key]), scale.fastPoints, true),
        ("ROBUST_SCORE (window \(DetectorConfiguration.robustWindowDefault)), one key", DetectorPlan(name: "ROBUST_SCORE", arguments: [input], options: [:], partitionBy: []), scale.mediumPoints, false),
        ("RCF 50 trees × 256 samples, shingle 4", DetectorPlan(name: "RCF", arguments: [input], options: ["shingle": 4], partitionBy: []), scale.forestPoints, false),
        ("RCF 50 trees × 256 samples, shingle 1", DetectorPlan(name: "RCF", arguments: [input], options: [:], partitionBy: []), scale.forestPoints, false),
    ]
    let only = getenv("SPATE_BENCH_ONLY").map { String(cString: $0) }
    for (label, plan, points, keyed) in cases where only == nil || label.contains(only!) {
        var best = Double.infinity
        var flagged = 0
        var stateBytes = 0
        for _ in 0..<3 {
            let detector = try DetectorOperator(plans: [plan])
            let (seconds, flags) = timeDetector(detector, points: points, keyed: keyed)
            best = min(best, seconds)
            flagged = flags
            stateBytes = detector.stateBytesPerKey[0]
        }
        table.printRow([label, grouped(points), groupedRate(Double(points) / best), fixed(best / Double(points) * 1e9, 1),
                        grouped(stateBytes), grouped(flagged)])
    }
    printLine("  RCF box arithmetic: \(RandomCutForest.boxKernels)")
    printLine("  state B/key: the documented bound at full state (DetectorConfiguration.stateBytesPerKey), key bytes excluded")
}

/// Seconds to score `points` points, and how many were flagged.
private func timeDetector(_ detector: DetectorOperator, points: Int, keyed: Bool) -> (Double, Int) {
    let rows = batchRowCapacity
    let scores = ColumnVector(type: .double, capacity: rows)
    let flags = ColumnVector(type: .boolean, capacity: rows)
    scores.benchmarkLoad(count: rows)
    flags.benchmarkLoad(count: rows)
    // Batches filled before the clock starts, so that it sees only the operator.
    var random: UInt64 = 0x2545_F491_4F6C_DD1D
    let batchCount = 64
    let valueBatches: [ColumnVector] = (0..<batchCount).map { batch in
        let values = (0..<rows).map { row in
            let i = batch * rows + row
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let noise = Double(random >> 11) * 0x1.0p-53 - 0.5
            return 50 + 10 * sin(2 * Double.pi * Double(i) / 288) + 4 * noise + (i % 10_007 == 10_006 ? 60 : 0)
        }
        let vector = ColumnVector(type: .double, capacity: rows)
        vector.benchmarkLoad(doubles: values, count: rows)
        return vector
    }
    let keyBatches: [ColumnVector] = (0..<batchCount).map { batch in
        let vector = ColumnVector(type: .bigint, capacity: rows)
        vector.benchmarkLoad(ints: (0..<rows).map { Int64((batch * rows + $0) % 10_000) }, count: rows)
        return vector
    }
    var flagged = 0
    let start = monotonicSeconds()
    var done = 0
    var batch = 0
    while done < points {
        // Whole batches: `points` is a multiple of the batch size in every scale.
        detector.process(keys: keyed ? [keyBatches[batch]] : [], inputs: [[valueBatches[batch]]], rows: rows, selection: nil,
                         into: [scores], flags: flags)
        flagged += flags.benchmarkTrueCount()
        done += rows
        batch = (batch + 1) % batchCount
    }
    return (monotonicSeconds() - start, flagged)
}

private func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}
