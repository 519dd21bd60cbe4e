// What the job log costs a job (issue 19: ≤ 2 % of job throughput). A job
// makes, per checkpoint, one debug call that nothing stores (a level check),
// and per checkpoint interval (a minute) one stored entry: built and appended
// to the buffer on the job's thread, written with others in one transaction by
// the runner's supervisor. Each of those is timed here in isolation; with the
// rate at which a job makes them, they bound the job log's share of a job's time.
// (The end-to-end figure is the reference job's throughput above, before and
// after the job log: its differences are this machine's noise.) Times are the
// calling thread's CPU time, so that other processes on a busy machine do not
// count (nothing here waits for a disk: the catalog commits without fsync).

import Spate
import SpateCatalog
import SpateLog

#if canImport(Glibc)
import Glibc
#endif

/// CPU time of the calling thread, ns.
private func threadCPUNs() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

func runJobLogCost(in directory: String) throws {
    printSection("Jobs: what the job log costs (the calls a job makes, timed alone)")
    let catalog: Catalog
    do { catalog = try Catalog.open(dataDirectory: directory) } catch { throw BenchError("\(error)") }
    let logger = catalog.jobLogger(.job, "bench", nowMs: { wallClockMs() })

    // Per checkpoint: the debug call, below every handler's level.
    let calls = 1_000_000
    var start = threadCPUNs()
    for i in 0..<calls {
        logger.event(.debug, "checkpoint_committed", "checkpoint in \(i) ms", ["duration_ms": .stringConvertible(Double(i))])
    }
    let debugNs = Double(threadCPUNs() - start) / Double(calls)

    // Per interval: one summary entry of ten fields, built and buffered on the job's thread.
    let entries = JobLogBuffer.entriesMax
    start = threadCPUNs()
    for i in 0..<entries {
        logger.event(.info, "checkpoint", "60 checkpoints in 60.0 s (last 0.9 ms, max 3.1 ms); read \(i), wrote 3, late 0, bad 0; at offsets \(i),\(i)", [
            "checkpoints": .stringConvertible(60), "interval_ms": .stringConvertible(60_000), "duration_ms": .stringConvertible(0.9),
            "duration_ms_max": .stringConvertible(3.1), "offsets": .array([.stringConvertible(i), .stringConvertible(i)]),
            "records_in": .stringConvertible(i), "records_out": .stringConvertible(3), "late_records": .stringConvertible(0),
            "bad_records": .stringConvertible(0), "missing_records": .stringConvertible(0),
        ])
    }
    let entryNs = Double(threadCPUNs() - start) / Double(entries)

    // Written: a full buffer in one transaction, then flushes of one entry (the usual case).
    start = threadCPUNs()
    do { try catalog.flushJobLog(nowMs: wallClockMs()) } catch { throw BenchError("\(error)") }
    let batchNsPerEntry = Double(threadCPUNs() - start) / Double(entries)
    var singles: [UInt64] = []
    for i in 0..<200 {
        logger.event(.info, "checkpoint", "entry \(i)")
        let flushStart = threadCPUNs()
        do { try catalog.flushJobLog(nowMs: wallClockMs()) } catch { throw BenchError("\(error)") }
        singles.append(threadCPUNs() - flushStart)
    }
    singles.sort()
    let singleNs = Double(singles[singles.count / 2])

    let table = Table([Table.Column(title: "what", width: 58, leftAligned: true), Table.Column(title: "CPU", width: 10)])
    table.printHeader()
    table.printRow(["a debug call per checkpoint (not stored)", fixed(debugNs, 1) + " ns"])
    table.printRow(["a stored entry, built and buffered (job's thread)", fixed(entryNs / 1000, 2) + " µs"])
    table.printRow(["written in a batch of \(grouped(entries)) (supervisor), per entry", fixed(batchNsPerEntry / 1000, 2) + " µs"])
    table.printRow(["a flush of one entry, with both trims (median of 200)", fixed(singleNs / 1000, 1) + " µs"])
    // A job checkpoints at most every step (~ms under load, 1 s by default) and stores an
    // entry a minute; the flush holds the catalog connection a job's checkpoint also needs.
    let perSecondNs = debugNs * 1_000 + (entryNs + singleNs) / 60
    printLine("  a job checkpointing 1,000 times a second and storing a summary a minute: \(fixed(perSecondNs / 1e9 * 100, 4)) % of one core")
}
