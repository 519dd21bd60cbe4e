// Small appends: one 100-byte record per `LogStream.append` call, the worst case
// for a durable log, because every call waits for an fsync. `always` syncs once
// per call; `batch` lets concurrent callers share one fsync (group commit), so
// with N writers the rate should approach N times the fsync rate. Each row runs
// for a fixed time on a fresh 1-shard stream; the last column divides the
// append rate by the raw fsync rate measured at the start of the run.

import SpateLog

#if canImport(Glibc)
import Glibc
#endif

func runSmallAppends(in directory: String, scale: Scale, raw: RawDiskFigures) throws(LogError) {
    printSection("""
        Small appends: 1 record of 100 B per LogStream.append call, \(fixed(scale.smallAppendSeconds, 1)) s per run, \
        median of \(scale.smallAppendRuns) run(s) per row, 1-shard stream
          latency = one append call; x fsync = appends/s divided by the raw fsync rate (\(fixed(raw.fsyncsPerSecond, 0))/s)
        """)
    let table = Table([
        .init(title: "durability", width: 10, leftAligned: true),
        .init(title: "writers", width: 7),
        .init(title: "appends/s", width: 10),
        .init(title: "range", width: 13),
        .init(title: "p50", width: 9),
        .init(title: "p99", width: 9),
        .init(title: "p999", width: 9),
        .init(title: "x fsync", width: 7),
    ])
    table.printHeader()
    let store = try LogStore.open(directory + "/small")
    let source = RecordSource(payloadBytes: 100, seed: 7)
    for (durability, writerCount) in [(Durability.always, 1), (.batch, 1), (.batch, 4), (.batch, 16)] {
        var runs: [SmallResult] = []
        for _ in 0..<scale.smallAppendRuns {
            runs.append(try measureSmall(durability: durability, writerCount: writerCount, store: store, source: source,
                                         seconds: scale.smallAppendSeconds))
        }
        runs.sort { $0.rate < $1.rate }
        let (rate, latencies) = (runs[runs.count / 2].rate, runs[runs.count / 2].latencies)
        let range = runs.count < 2 ? "-" : groupedRate(runs[0].rate) + "-" + groupedRate(runs.last!.rate)
        table.printRow([
            durability.rawValue, "\(writerCount)", groupedRate(rate), range,
            latencies.text(0.5), latencies.text(0.99), latencies.text(0.999),
            fixed(rate / raw.fsyncsPerSecond, 2),
        ])
        if runs.contains(where: \.stoppedEarly) { printLine("  (a writer filled its latency buffer and stopped before the time was up)") }
    }
}

/// What one run of one row measured.
private struct SmallResult {
    var rate: Double
    var latencies: Percentiles
    var stoppedEarly: Bool
}

private func measureSmall(durability: Durability, writerCount: Int, store: LogStore, source: RecordSource,
                          seconds runSeconds: Double) throws(LogError) -> SmallResult {
    let name = "small-\(durability.rawValue)-\(writerCount)w"
    let stream = try store.createStream(name, settings: StreamSettings(shardCount: 1, durability: durability))
    // No fsync-bound writer gets near 200,000 appends/s; the buffer is only touched as it fills.
    let capacity = Int(runSeconds * 200_000) + 1_000
    let latencies = (0..<writerCount).map { _ in LatencySamples(capacity: capacity) }
    let batches = PerThread<AppendBatch>(count: writerCount, initial: AppendBatch())
    for w in 0..<writerCount {
        try batches[w].append(key: source.key(0), payload: source.payload(ofRecord: 0))
        batches[w].removeAll()
    }
    let errors = PerThread<LogError?>(count: writerCount, initial: nil)
    sync()

    let start = monotonicNs()
    let deadline = start + UInt64(runSeconds * 1e9)
    runOnThreads(writerCount) { w in
        var batch = batches[w]
        let samples = latencies[w]
        var n = w * 1_000_003  // writers pick different key sequences
        do throws(LogError) {
            while monotonicNs() < deadline && !samples.isFull {
                batch.removeAll()
                try batch.append(key: source.key(source.keyIndex(ofRecord: n)), payload: source.payload(ofRecord: n))
                let before = monotonicNs()
                _ = try stream.append(batch)
                samples.record(monotonicNs() - before)
                n += 1
            }
        } catch {
            errors[w] = error
        }
    }
    let elapsed = seconds(from: start, to: monotonicNs())
    if let error = errors.all.compactMap({ $0 }).first { throw error }
    let count = latencies.reduce(0) { $0 + $1.count }
    let stored = try stream.describe().recordCount
    precondition(stored == UInt64(count), "the stream holds every record appended")
    try store.deleteStream(name)
    return SmallResult(rate: Double(count) / elapsed, latencies: Percentiles(latencies),
                       stoppedEarly: latencies.contains { $0.isFull })
}
