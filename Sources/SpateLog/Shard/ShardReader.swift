// The read side of one shard: a cursor that reads records in sequence order into
// a reusable `ReadBatch`. Readers take no lock and never block writers. They find
// their way by file names: a segment is sealed once a segment named after its
// next sequence exists, and only then is the end of its data final.
//
// In a sealed segment every frame must be valid: anything else is corruption and
// an error naming the file and offset. Segments must follow one another: a
// sealed segment that ends before the next segment's first sequence (truncated,
// or a segment deleted in between) is an error too, never a silent gap. At the
// end of the active segment an incomplete or invalid frame with no valid frame
// after it is "no more data yet": a write in progress or a dead writer's torn
// tail that the next writer will cut (`tailProblem` says so); an invalid frame
// followed by valid ones is corruption. Readers never write a file.
// A reader whose segment was deleted by retention continues at the oldest
// segment kept, and counts the records it skipped.
//
// With an archive (`SegmentTiers`), the shard's segments are those of both
// tiers: a reader positioned before the oldest hot segment (.earliest, or a
// sequence or time that retention moved to the archive) reads the archived
// segments in sequence order and goes on into the hot ones — same bytes, same
// sequence numbers, no gap, no record twice (a segment in both tiers is one
// segment). A segment moved while it is read is followed to the archive. The
// archive is looked at only when a position needs it, so tailing the hot log
// goes on when the archive is unmounted; a read that needs it then fails with
// an error saying so.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a reader starts.
public enum ReadPosition: Sendable, Equatable {
    /// The oldest record kept.
    case earliest
    /// Just after the newest record: only records appended from now on.
    case latest
    /// The record with this sequence number (or the first after it).
    case atSequence(UInt64)
    /// The record after this sequence number.
    case afterSequence(UInt64)
    /// The first record that arrived at or after this time (Unix ms).
    case atTime(Int64)
}

/// A cursor over one shard.
public final class ShardReader {
    public let shardIndex: Int
    /// The tiers as they were when the reader was made, for a reader without a writer.
    private let tiersAtStart: SegmentTiers
    /// The shard's tiers now: an ALTER may add, change or remove the archive.
    var tiers: SegmentTiers { shard?.currentTiers ?? tiersAtStart }
    /// The hot tier: where the active segment is, and the writer.
    var directory: ShardDirectory { tiers.hot }
    private let scanBuffer = ScanBuffer()

    @exclusivity(unchecked) private var segmentFirst: UInt64 = 0
    @exclusivity(unchecked) private var file: LogFile?
    /// Whether `file` was opened from the archive.
    @exclusivity(unchecked) private var fileIsArchived = false
    @exclusivity(unchecked) private var position = 0
    /// Sequence of the next record this reader returns.
    public private(set) var nextSequence: UInt64 = 0
    /// Records below this sequence / before this time are skipped (seeking
    /// lands on an index entry before the target).
    @exclusivity(unchecked) private var skipSequenceBelow: UInt64 = 0
    @exclusivity(unchecked) private var skipArrivalBelowMs: Int64 = .min
    /// Records retention deleted before this reader got to them.
    public private(set) var recordsSkippedByRetention: UInt64 = 0
    /// When the last read stopped before bytes at the end of the active segment
    /// that are not a whole, valid record: what and where. A write in progress
    /// or a torn tail that the next append cuts; nil once the reader moves on.
    public private(set) var tailProblem: String?

    /// The shard's writer in this process, whose in-memory index of the active
    /// segment spares a seek from scanning that segment.
    private let shard: Shard?

    init(shardIndex: Int, tiers: SegmentTiers, shard: Shard? = nil, from start: ReadPosition) throws(LogError) {
        self.shardIndex = shardIndex
        self.tiersAtStart = tiers
        self.shard = shard
        try seek(to: start)
    }

    // MARK: Positioning

    /// Moves the cursor.
    public func seek(to start: ReadPosition) throws(LogError) {
        let hotFirsts = try tiers.hotFirstSequences()
        guard let hotOldest = hotFirsts.first, let newest = hotFirsts.last else { throw .streamNotFound(directory.streamName) }
        skipSequenceBelow = 0
        skipArrivalBelowMs = .min
        switch start {
        case .earliest:
            let oldest = tiers.hasArchive ? try tiers.allFirstSequences()[0] : hotOldest
            try moveTo(segment: oldest, position: 0, sequence: oldest)
        case .latest:
            let (index, _) = try activeIndex(newest)
            try moveTo(segment: newest, position: index.segmentBytes, sequence: index.nextSequence)
        case let .afterSequence(sequence):
            try seek(toSequence: sequence &+ 1, sequence &+ 1 < hotOldest ? try tiers.allFirstSequences() : hotFirsts)
        case let .atSequence(sequence):
            try seek(toSequence: sequence, sequence < hotOldest ? try tiers.allFirstSequences() : hotFirsts)
        case let .atTime(timeMs):
            try seek(toTime: timeMs, try archiveMayHoldTime(timeMs, hotFirsts) ? try tiers.allFirstSequences() : hotFirsts)
        }
    }

    /// Whether records at or after `timeMs` may lie before the hot tier: arrival
    /// times never decrease, so not when the oldest hot record arrived before it.
    private func archiveMayHoldTime(_ timeMs: Int64, _ hotFirsts: [UInt64]) throws(LogError) -> Bool {
        guard tiers.hasArchive else { return false }
        guard hotFirsts.count > 1, let oldestHot = directory.indexHeader(hotFirsts[0]), oldestHot.recordCount > 0 else { return true }
        return oldestHot.arrivalMsMin >= timeMs
    }

    private func seek(toSequence sequence: UInt64, _ firsts: [UInt64]) throws(LogError) {
        guard sequence > firsts[0] else {
            try moveTo(segment: firsts[0], position: 0, sequence: firsts[0])
            return
        }
        let segment = firsts.last(where: { $0 <= sequence })!
        let index = segment == firsts.last! ? try activeIndex(segment).0 : try tiers.sealedIndex(segment, buffer: scanBuffer.raw)
        if sequence >= index.nextSequence && segment == firsts.last! {
            try moveTo(segment: segment, position: index.segmentBytes, sequence: index.nextSequence)
            return
        }
        let start = index.scanStart(forSequence: sequence)
        try moveTo(segment: segment, position: start.position, sequence: start.sequence)
        skipSequenceBelow = sequence
    }

    private func seek(toTime timeMs: Int64, _ firsts: [UInt64]) throws(LogError) {
        // Arrival times never decrease, so the segments' newest arrival times are
        // sorted: bisect for the first segment with one at or after `timeMs`.
        let sealed = firsts.dropLast()
        var low = 0, high = sealed.count
        while low < high {
            let mid = (low + high) / 2
            let newest = tiers.sealedArrivalMsMax(sealed[sealed.startIndex + mid]) ?? .min
            if newest < timeMs { low = mid + 1 } else { high = mid }
        }
        let first = low < sealed.count ? sealed[sealed.startIndex + low] : firsts.last!
        let index = low < sealed.count ? try tiers.sealedIndex(first, buffer: scanBuffer.raw) : try activeIndex(first).0
        let start = index.scanStart(forTime: timeMs)
        try moveTo(segment: first, position: start.position, sequence: start.sequence)
        skipArrivalBelowMs = timeMs
    }

    /// The index of the active segment: the writer's in-memory index when this
    /// process has one (extended by scanning what was appended since), else
    /// built by scanning the segment.
    private func activeIndex(_ first: UInt64) throws(LogError) -> (SegmentIndex, SegmentScanOutcome) {
        let file = try LogFile.openForReading(directory.logPath(first))
        if let view = shard?.activeIndexView(), view.firstSequence == first, view.segmentBytes <= (try file.size()) {
            var index = view
            let outcome = try SegmentScanner.scan(file, from: index.segmentBytes, expecting: index.nextSequence,
                                                  buffer: scanBuffer.raw) { seq, arrival, position, length in
                index.add(sequence: seq, arrivalMs: arrival, position: position, frameLength: length)
            }
            return (index, outcome)
        }
        return try SegmentScanner.buildIndex(file, firstSequence: first, buffer: scanBuffer.raw)
    }

    private func moveTo(segment: UInt64, position: Int, sequence: UInt64) throws(LogError) {
        if segment != segmentFirst || file == nil {
            open(segment)
        }
        segmentFirst = segment
        self.position = position
        nextSequence = sequence
    }

    /// Opens segment `first` from the tier it is in; nil `file` when it is in
    /// neither (deleted meanwhile: the next read finds out where to go on).
    private func open(_ first: UInt64) {
        let opened = try? tiers.openLog(first)
        file = opened?.file
        fileIsArchived = opened?.archived ?? false
    }

    // MARK: Reading

    /// Reads up to `maxRecords` records into `batch` (replacing what it held);
    /// returns how many. Zero means the reader is at the end of the shard for now.
    @discardableResult
    public func read(into batch: ReadBatch, maxRecords: Int = 10_000) throws(LogError) -> Int {
        batch.descriptors.removeAll(keepingCapacity: true)
        batch.shardIndex = shardIndex
        // A fresh read asks for the read-ahead only; when a frame does not fit
        // in it, the next try asks for the whole buffer.
        var readSize = min(ReadBatch.readAheadBytes, batch.buffer.count)
        while batch.descriptors.isEmpty {
            guard let file else {
                batch.prefetchReader = nil
                try recoverFromDeletedSegment()
                continue
            }
            // Decode what the last read left in the buffer, else read afresh.
            let reused = batch.prefetchReader === self && batch.prefetchSegment == segmentFirst
                && batch.prefetchPosition == position && batch.unconsumedStart < batch.filled
            let start: Int
            if reused {
                start = batch.unconsumedStart
            } else {
                batch.filled = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: batch.buffer[0..<readSize]), at: position)
                start = 0
            }
            let bytes = UnsafeRawBufferPointer(rebasing: batch.buffer[0..<batch.filled])
            var at = start
            var stopReason: String?
            var verifiedUntil = at  // frames starting before this offset had their CRCs checked three at a time
            decoding: while batch.descriptors.count < maxRecords {
                if at >= verifiedUntil { verifiedUntil = RecordFrame.verifyThree(bytes, at: at) }
                switch RecordFrame.decode(bytes, at: at, crcVerified: at < verifiedUntil) {
                case let .record(d, length):
                    if d.sequence != nextSequence {
                        throw .corruptSegment(path: file.path, position: position + at - start,
                                              reason: "sequence \(d.sequence) where \(nextSequence) was expected")
                    }
                    at += length
                    nextSequence += 1
                    tailProblem = nil
                    if d.sequence < skipSequenceBelow || d.arrivalMs < skipArrivalBelowMs { continue }
                    skipArrivalBelowMs = .min
                    batch.descriptors.append(d)
                case .incomplete:
                    break decoding
                case let .invalid(reason):
                    stopReason = reason
                    break decoding
                }
            }
            position += at - start
            batch.prefetchReader = self
            batch.prefetchSegment = segmentFirst
            batch.prefetchPosition = position
            batch.unconsumedStart = at
            if !batch.descriptors.isEmpty || at > start { continue }
            if reused {
                batch.prefetchReader = nil  // the rest of the buffer is a partial frame: read on from the file
                continue
            }
            if stopReason == nil && batch.filled == readSize && readSize < batch.buffer.count {
                // A frame larger than the read-ahead: read again with room for it.
                batch.prefetchReader = nil
                readSize = batch.buffer.count
                continue
            }
            // Nothing decodable here: end of the segment, or of the data for now.
            batch.prefetchReader = nil
            guard try advanceToNextSegment(file: file, stopReason: stopReason, readEnd: position + batch.filled) else { return 0 }
        }
        return batch.descriptors.count
    }

    /// Moves to the next segment when this one is sealed and fully read. Returns
    /// false when the reader is at the end of the active segment. `readEnd`: the
    /// end of the bytes the last read saw; a file larger now was appended to since.
    private func advanceToNextSegment(file: LogFile, stopReason: String?, readEnd: Int) throws(LogError) -> Bool {
        // An archived segment's successor may be archived too; a hot one's is
        // hot unless it moved since (found below, when the hot tier shows a gap).
        if nextSequence > segmentFirst && tiers.exists(nextSequence, archiveToo: fileIsArchived) {
            return try enterNextSegment(file: file, stopReason: stopReason, readEnd: readEnd)
        }
        if try file.isUnlinked() {
            // Retention deleted this segment (and the ones after it, or the next
            // would exist), or moved it to the archive by copying: go on at the
            // oldest segment kept, or at this one in the archive.
            self.file = nil
            return true
        }
        // Listed before the size is read: once a newer segment exists this one
        // is sealed, so a size read after the listing is final.
        let following = try directory.segmentFirstSequences().first(where: { $0 > segmentFirst })
        let size = try file.size()
        if let following {
            if following == nextSequence { return true }  // rolled since the check above: move on
            if stopReason == nil && readEnd < size { return true }  // appended, then sealed, since the read: read on
            if nextSequence > segmentFirst && tiers.archiveHas(nextSequence) {
                // The next segment moved to the archive since the check above.
                return try enterNextSegment(file: file, stopReason: stopReason, readEnd: readEnd)
            }
            if let stopReason { throw .corruptSegment(path: file.path, position: position, reason: stopReason) }
            throw .corruptSegment(path: file.path, position: position, reason: gapReason(following: following, size: size))
        }
        if let stopReason, let valid = try SegmentScanner.validFrame(file, after: position, sequenceAtLeast: nextSequence,
                                                                    buffer: scanBuffer.raw) {
            throw .corruptSegment(path: file.path, position: position,
                                  reason: "\(stopReason), and valid records follow (sequence \(valid.sequence) at byte \(valid.position))")
        }
        if position < size {
            tailProblem = "the active segment \(file.path) ends with \(size - position) bytes at byte \(position) that are not a whole record ("
                + (stopReason ?? "torn record") + "): a write in progress, or a torn tail the next append cuts"
        }
        return false
    }

    /// The segment after this one exists, so this one is sealed and its data
    /// final: check that the read stopped at its end, then move to the next.
    private func enterNextSegment(file: LogFile, stopReason: String?, readEnd: Int) throws(LogError) -> Bool {
        let size = try file.size()
        if stopReason == nil && readEnd < size { return true }  // appended, then sealed, since the read: read on
        if position < size {
            throw .corruptSegment(path: file.path, position: position, reason: stopReason ?? "sealed segment ends inside a record")
        }
        open(nextSequence)
        segmentFirst = nextSequence
        position = 0
        return true
    }

    /// Why the records between this segment's end and the next segment are missing.
    private func gapReason(following: UInt64, size: Int) -> String {
        let missing = "records \(nextSequence) to \(following - 1) are missing (the next segment starts at \(following))"
        if let bytes = try? FileSystem.readAll(tiers.indexPath(segmentFirst)), let index = SegmentIndex.decode(bytes),
           index.firstSequence == segmentFirst, index.segmentBytes > size {
            return "the file is \(size) bytes but its index says \(index.segmentBytes) (truncated): " + missing
        }
        if position < size { return "sealed segment ends inside a record: " + missing }
        let archiveNote = tiers.archive.map { " from both the hot log and the archive \($0.path)" } ?? ""
        if nextSequence > segmentFirst { return "sealed segment ends early or a segment was deleted\(archiveNote): " + missing }
        return "segment missing\(archiveNote): " + missing
    }

    /// The segment to read was deleted by retention (continue at the oldest
    /// kept), or moved to the archive (continue there, at the same byte).
    private func recoverFromDeletedSegment() throws(LogError) {
        let firsts = try tiers.allFirstSequences()
        guard let oldest = firsts.first else { throw .streamNotFound(directory.streamName) }
        if let containing = firsts.last(where: { $0 <= nextSequence }), containing == segmentFirst {
            // The file exists again (it was just created), or in the archive: open it.
            let opened = try tiers.openLog(containing)
            (file, fileIsArchived) = (opened.file, opened.archived)
            return
        }
        if let containing = firsts.last(where: { $0 <= nextSequence }), containing == nextSequence, nextSequence > segmentFirst {
            // Read to its end, then moved to the archive with the ones after it
            // (by copy and unlink): go on at the next segment, wherever it is.
            try moveTo(segment: containing, position: 0, sequence: nextSequence)
            if file == nil { throw .io("open", directory.logPath(containing), ENOENT) }
            return
        }
        if oldest > nextSequence {
            recordsSkippedByRetention += oldest - nextSequence
            try moveTo(segment: oldest, position: 0, sequence: oldest)
            if file == nil { throw .io("open", directory.logPath(oldest), 2) }
            return
        }
        throw .corruptSegment(path: directory.logPath(segmentFirst), position: position, reason: "segment missing")
    }
}
