// Checking a shard end to end (`spate stream check`) and, only when asked,
// repairing it (`--repair`).
//
// The check reads every segment whole — every frame's length, CRC and sequence —
// compares each sealed segment with its index (present, valid, same size and
// sequences) and checks that segments follow one another with no gap. It
// changes nothing. Past a bad frame it looks for the next valid one, so that it
// can say how many good records lie beyond the damage.
//
// A repair cuts the shard at its first bad record: the segment holding it is
// truncated there and becomes the active segment, and every later segment is
// deleted. What it discards is counted by the check first, so the user is told
// before anything is removed. Damaged or missing indexes of the segments kept
// are rewritten from their logs. Both run under the shard's append lock, so
// no writer is mid-write while they look or cut.

/// One thing wrong with a shard's files.
public struct ShardProblem: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    /// Byte offset in `path` where the damage starts.
    public var position: Int
    public var reason: String

    public var description: String { "\(path) at byte \(position): \(reason)" }
}

/// What `Shard.check` found.
public struct ShardCheckReport: Sendable, Equatable {
    public var index: Int
    public var name: String
    public var segmentCount: Int
    /// Whole, valid records found (after damage too).
    public var recordCount: UInt64
    public var firstSequence: UInt64?
    public var lastSequence: UInt64?
    public var problems: [ShardProblem]
    /// Where a repair would cut (nil when the records are all sound).
    public var cutPoint: CutPoint?
    /// Valid records a repair would discard (those at or after the cut).
    public var recordsDiscardedByRepair: UInt64
    /// Sealed segments whose index is missing or damaged (their logs are sound).
    public var indexesToRewrite: [UInt64]

    /// A segment (by first sequence), a byte in it, and the sequence of the
    /// first record a cut there removes.
    public struct CutPoint: Sendable, Equatable {
        public var segment: UInt64
        public var position: Int
        public var sequence: UInt64
    }

    public var isSound: Bool { problems.isEmpty }
}

extension Shard {
    /// Reads every segment and index of this shard and reports what is wrong;
    /// changes nothing.
    public func check() throws(LogError) -> ShardCheckReport {
        try withAppendLock { () throws(LogError) -> ShardCheckReport in try checkLocked() }
    }

    /// Cuts the shard at the first bad record found by `check` (truncating that
    /// segment and deleting later ones) and rewrites damaged indexes; returns
    /// the report of what was wrong before. Requires that the user asked for it.
    @discardableResult
    public func repair() throws(LogError) -> ShardCheckReport {
        try withAppendLock { () throws(LogError) -> ShardCheckReport in
            let report = try checkLocked()
            if let cut = report.cutPoint {
                let firsts = try directory.segmentFirstSequences()
                for first in firsts.reversed() where first > cut.segment {
                    try FileSystem.remove(directory.logPath(first))
                    if FileSystem.exists(directory.indexPath(first)) { try FileSystem.remove(directory.indexPath(first)) }
                }
                let file = try LogFile.openForWriting(directory.logPath(cut.segment), create: false)
                try file.truncate(to: cut.position)
                try file.sync()
                if FileSystem.exists(directory.indexPath(cut.segment)) { try FileSystem.remove(directory.indexPath(cut.segment)) }
            }
            let buffer = ScanBuffer()
            for first in report.indexesToRewrite where report.cutPoint.map({ first < $0.segment }) ?? true {
                let (index, _) = try SegmentScanner.buildIndex(try LogFile.openForReading(directory.logPath(first)),
                                                               firstSequence: first, buffer: buffer.raw)
                try FileSystem.replaceAtomically(directory.indexPath(first), with: index.encoded())
            }
            try FileSystem.syncDirectory(directory.path)
            try reopenAfterRepair()
            return report
        }
    }

    private func checkLocked() throws(LogError) -> ShardCheckReport {
        let firsts = try directory.segmentFirstSequences()
        let buffer = ScanBuffer()
        var report = ShardCheckReport(index: index, name: ShardDirectory.shardName(index), segmentCount: firsts.count,
                                      recordCount: 0, problems: [], recordsDiscardedByRepair: 0, indexesToRewrite: [])
        func problem(_ path: String, _ position: Int, _ reason: String, cut: (UInt64, Int, UInt64)?) {
            report.problems.append(ShardProblem(path: path, position: position, reason: reason))
            if let cut, report.cutPoint == nil {
                report.cutPoint = .init(segment: cut.0, position: cut.1, sequence: cut.2)
            }
        }
        var previous: (first: UInt64, end: Int, next: UInt64)?
        for (i, first) in firsts.enumerated() {
            let path = directory.logPath(first)
            let isActive = i == firsts.count - 1
            if let previous, first != previous.next {
                let reason = first > previous.next
                    ? "records \(previous.next) to \(first - 1) are missing: the segment ends early or one was deleted (the next starts at \(first))"
                    : "the next segment starts at \(first), inside this one (which ends at \(previous.next - 1))"
                problem(directory.logPath(previous.first), previous.end, reason, cut: (previous.first, previous.end, previous.next))
            }
            let file = try LogFile.openForReading(path)
            var at = 0
            var expected = first
            var segmentEnd = 0
            var clean = true
            while true {
                let outcome = try SegmentScanner.scan(file, from: at, expecting: expected, buffer: buffer.raw) { sequence, _, position, length in
                    report.recordCount += 1
                    if report.firstSequence == nil { report.firstSequence = sequence }
                    report.lastSequence = sequence
                    if report.cutPoint != nil { report.recordsDiscardedByRepair += 1 }
                    segmentEnd = position + length
                }
                expected = outcome.nextSequence
                let reason: String
                switch outcome.stop {
                case .endOfFile: reason = ""
                case .incompleteFrame: reason = "the file ends inside a record"
                case let .invalidFrame(why): reason = why
                }
                if reason.isEmpty { break }
                clean = false
                let following = try SegmentScanner.validFrame(file, after: outcome.validEnd, sequenceAtLeast: outcome.nextSequence,
                                                              buffer: buffer.raw)
                let tail = isActive && following == nil
                let size = outcome.fileSize - outcome.validEnd
                problem(path, outcome.validEnd,
                        tail ? "torn tail of \(size) bytes (\(reason)); the next append cuts it"
                            : reason + (following.map { "; valid records follow from sequence \($0.sequence) at byte \($0.position)" } ?? ""),
                        cut: (first, outcome.validEnd, outcome.nextSequence))
                guard let following else { break }
                at = following.position
                expected = following.sequence
            }
            if !isActive { checkIndex(first, logBytes: try file.size(), clean: clean, next: expected, report: &report) }
            previous = (first, segmentEnd, expected)
        }
        return report
    }

    /// Compares a sealed segment with its index file.
    private func checkIndex(_ first: UInt64, logBytes: Int, clean: Bool, next: UInt64, report: inout ShardCheckReport) {
        let path = directory.indexPath(first)
        guard let bytes = try? FileSystem.readAll(path) else {
            report.problems.append(ShardProblem(path: path, position: 0, reason: "index missing (readers rebuild it in memory; --repair writes it)"))
            if clean { report.indexesToRewrite.append(first) }
            return
        }
        guard let index = SegmentIndex.decode(bytes), index.firstSequence == first else {
            report.problems.append(ShardProblem(path: path, position: 0, reason: "index damaged (readers rebuild it in memory; --repair rewrites it)"))
            if clean { report.indexesToRewrite.append(first) }
            return
        }
        if index.segmentBytes != logBytes || index.nextSequence != next {
            report.problems.append(ShardProblem(
                path: directory.logPath(first), position: min(logBytes, index.segmentBytes),
                reason: "the file is \(logBytes) bytes holding records up to \(next) (exclusive) but its index says \(index.segmentBytes) bytes up to \(index.nextSequence)"))
            if clean && report.cutPoint == nil && logBytes < index.segmentBytes {
                report.cutPoint = .init(segment: first, position: logBytes, sequence: next)
            }
        }
    }
}
