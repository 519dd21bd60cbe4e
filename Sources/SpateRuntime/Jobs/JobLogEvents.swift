// What a job writes to its log (job_log, through swift-log: Catalog.jobLogger),
// in one place: the event names, their levels, their messages and fields. The
// worker and the runner call these at the moments they describe; nothing
// here runs per record.
//
// Events of a job:
//   started       info     the worker starts: from its checkpoint or from where
//                          the job starts; input offsets, parallelism, crashes
//   lease_taken   info     this process took the job's lease (notice when it
//                          took it over from another process whose lease expired)
//   checkpoint    info     a summary per `checkpointLogIntervalMs` (default 1
//                          minute) of the checkpoints in it: how many, duration
//                          (last, max), input offsets, records in and out, late,
//                          bad and missing records in the interval. Skipped for
//                          an interval in which the job read and wrote nothing.
//   checkpoint_committed  debug  each checkpoint (stderr at --log-level debug;
//                          never stored)
//   checkpoint_slow  warning  a checkpoint that took `checkpointSlowMs` or more
//   stopped       info     the worker stopped, with the final offsets and why
//   lease_lost    warning  another process holds the job now
//   restart       notice   RESTART JOB forgot the checkpoint; the job starts over
//   failed        error    the job failed: the error, and where it was
//   crashed       error    the process running the job died while it worked
//   quarantined   error    … for the `crashesInARowMax`-th time in a row

import Logging
import SpateCatalog
import SpateLog

/// A job's log: the events above, with their fields.
struct JobLogEvents {
    let logger: Logger
    /// A checkpoint this slow is logged as a warning.
    static let checkpointSlowMs = 1_000.0

    init(job: String, environment: JobEnvironment) {
        logger = environment.catalog.jobLogger(.job, job, nowMs: environment.nowMs, output: environment.options.logOutput)
    }

    static func offsets(_ offsets: [UInt64]) -> Logger.MetadataValue {
        .array(offsets.map { .stringConvertible($0) })
    }

    static func offsetsText(_ offsets: [UInt64]) -> String {
        offsets.count == 1 ? "offset \(offsets[0])" : "offsets " + offsets.map(String.init).joined(separator: ",")
    }

    func started(from: String, checkpointSequence: Int64?, offsets: [UInt64], parallelism: Int, input: String,
                 output: String, crashesInARow: Int64) {
        let whence = checkpointSequence.map { "from checkpoint \($0)" } ?? "from \(from)"
        var fields: Logger.Metadata = [
            "from": .string(checkpointSequence == nil ? from : "checkpoint"), "offsets": Self.offsets(offsets),
            "parallelism": .stringConvertible(parallelism), "input": .string(input), "output": .string(output),
            "crashes_in_a_row": .stringConvertible(crashesInARow),
        ]
        if let checkpointSequence { fields["checkpoint"] = .stringConvertible(checkpointSequence) }
        logger.event(.info, "started", "\(whence), reading \(input) at \(Self.offsetsText(offsets)), writing \(output)", fields)
    }

    func committed(durationMs: Double, offsets: [UInt64]) {
        logger.event(.debug, "checkpoint_committed", "checkpoint in \(Self.ms(durationMs)) ms at \(Self.offsetsText(offsets))",
                     ["duration_ms": .stringConvertible(Self.rounded(durationMs)), "offsets": Self.offsets(offsets)])
        if durationMs >= Self.checkpointSlowMs {
            logger.event(.warning, "checkpoint_slow", "a checkpoint took \(Self.ms(durationMs)) ms",
                         ["duration_ms": .stringConvertible(Self.rounded(durationMs)), "offsets": Self.offsets(offsets)])
        }
    }

    func checkpointSummary(_ tally: CheckpointTally, offsets: [UInt64], elapsedMs: Double) {
        let text = "\(tally.count) checkpoint\(tally.count == 1 ? "" : "s") in \(Self.seconds(elapsedMs)) s (last \(Self.ms(tally.lastMs)) ms, "
            + "max \(Self.ms(tally.maxMs)) ms); read \(tally.recordsIn), wrote \(tally.recordsOut), late \(tally.lateRecords), "
            + "bad \(tally.badRecords); at \(Self.offsetsText(offsets))"
        logger.event(.info, "checkpoint", "\(text)",
                     [
                        "checkpoints": .stringConvertible(tally.count),
                        "interval_ms": .stringConvertible(Int64(elapsedMs.rounded())),
                        "duration_ms": .stringConvertible(Self.rounded(tally.lastMs)),
                        "duration_ms_max": .stringConvertible(Self.rounded(tally.maxMs)),
                        "offsets": Self.offsets(offsets),
                        "records_in": .stringConvertible(tally.recordsIn),
                        "records_out": .stringConvertible(tally.recordsOut),
                        "late_records": .stringConvertible(tally.lateRecords),
                        "bad_records": .stringConvertible(tally.badRecords),
                        "missing_records": .stringConvertible(tally.missingRecords),
                     ])
    }

    func stopped(offsets: [UInt64], recordsIn: Int64) {
        logger.event(.info, "stopped", "after a final checkpoint at \(Self.offsetsText(offsets))",
                     ["offsets": Self.offsets(offsets), "records_in_total": .stringConvertible(recordsIn)])
    }

    /// Why a worker's checkpoint found the lease gone, as the catalog tells it now.
    func leaseGone(_ record: JobRecord?, owner: String, offsets: [UInt64]) {
        let fields: Logger.Metadata = ["offsets": Self.offsets(offsets)]
        guard let record else {
            logger.event(.info, "stopped", "the job was dropped", fields.merging(["reason": "dropped"]) { $1 })
            return
        }
        switch record.state {
        case .paused:
            logger.event(.info, "stopped", "the job was paused (RESUME JOB runs it again)", fields.merging(["reason": "paused"]) { $1 })
        case .failed:
            logger.event(.info, "stopped", "the job was set failed elsewhere", fields.merging(["reason": "failed"]) { $1 })
        case .running:
            if let holder = record.leaseOwner, holder != owner {
                logger.event(.warning, "lease_lost", "lost the lease to \(holder); stopped without writing (that process runs the job now)",
                             fields.merging(["owner": .string(owner), "new_owner": .string(holder)]) { $1 })
            } else {
                restart(startFrom: record.startFrom, offsets: offsets)
            }
        }
    }

    func restart(startFrom: String?, offsets: [UInt64]) {
        let from = Self.startText(startFrom)
        logger.event(.notice, "restart", "RESTART JOB: the checkpoint is forgotten; the job starts over from \(from)",
                     ["from": .string(from), "offsets_before": Self.offsets(offsets)])
    }

    func failed(_ message: String, offsets: [UInt64], recordsIn: Int64, phase: String) {
        logger.event(.error, "failed", "while \(phase): \(message)",
                     ["error": .string(message), "phase": .string(phase), "offsets": Self.offsets(offsets),
                      "records_in_total": .stringConvertible(recordsIn)])
    }

    func leaseTaken(owner: String, previousOwner: String?) {
        if let previousOwner, previousOwner != owner {
            logger.event(.notice, "lease_taken", "took the job over from \(previousOwner) (its lease expired)",
                         ["owner": .string(owner), "previous_owner": .string(previousOwner)])
        } else {
            logger.event(.info, "lease_taken", "took the job's lease", ["owner": .string(owner)])
        }
    }

    func crashed(count: Int64, quarantined: Bool, message: String) {
        logger.event(.error, "crashed", "the process running this job died while it worked (\(count) in a row)",
                     ["crashes_in_a_row": .stringConvertible(count)])
        if quarantined {
            logger.event(.error, "quarantined", "\(message)", ["crashes_in_a_row": .stringConvertible(count)])
        }
    }

    /// "earliest", "latest", a time, or "its SINCE".
    static func startText(_ startFrom: String?) -> String {
        switch startFrom {
        case nil: return "its SINCE"
        case let text? where Int64(text) != nil: return UTCTimestamp.format(Int64(text)!)
        case let text?: return text
        }
    }

    static func rounded(_ ms: Double) -> Double { (ms * 1000).rounded() / 1000 }
    static func ms(_ value: Double) -> String { String(format1: value) }
    static func seconds(_ ms: Double) -> String { String(format1: ms / 1000) }
}

/// What the checkpoints since the last summary covered.
struct CheckpointTally {
    var count = 0
    var lastMs = 0.0
    var maxMs = 0.0
    var recordsIn: Int64 = 0
    var recordsOut: Int64 = 0
    var lateRecords: Int64 = 0
    var badRecords: Int64 = 0
    var missingRecords: Int64 = 0

    /// Whether the interval read or wrote anything (an idle job's summaries are skipped).
    var isBusy: Bool { recordsIn > 0 || recordsOut > 0 || lateRecords > 0 || badRecords > 0 || missingRecords > 0 }

    mutating func add(durationMs: Double, recordsIn: Int64, recordsOut: Int64, late: Int64, bad: Int64, missing: Int64) {
        count += 1
        lastMs = durationMs
        maxMs = max(maxMs, durationMs)
        self.recordsIn += recordsIn
        self.recordsOut += recordsOut
        lateRecords += late
        badRecords += bad
        missingRecords += missing
    }
}

extension String {
    /// One decimal: 12.3.
    init(format1 value: Double) {
        let tenths = (value * 10).rounded()
        guard tenths.isFinite, abs(tenths) < 1e15 else { self = "\(value)"; return }
        let n = Int64(tenths)
        self = "\(n < 0 ? "-" : "")\(n.magnitude / 10).\(n.magnitude % 10)"
    }
}
