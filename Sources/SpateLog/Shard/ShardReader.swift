// The read side of one shard: a cursor that reads records in sequence order into
// a reusable `ReadBatch`. Readers take no lock and never block writers. They find
// their way by file names: a segment is sealed once a segment named after its
// next sequence exists, and only then is the end of its data final.
//
// In a sealed segment every frame must be valid: anything else is corruption and
// an error naming the file and offset. At the end of the active segment an
// incomplete or invalid frame is treated as "no more data yet": it is either a
// write in progress or a dead writer's torn tail that the next writer will cut.
// A reader whose segment was deleted by retention continues at the oldest
// segment kept, and counts the records it skipped.

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
    let directory: ShardDirectory
    private let scanBuffer = ScanBuffer()

    private var segmentFirst: UInt64 = 0
    private var file: LogFile?
    private var position = 0
    /// Sequence of the next record this reader returns.
    public private(set) var nextSequence: UInt64 = 0
    /// Records below this sequence / before this time are skipped (seeking
    /// lands on an index entry before the target).
    private var skipSequenceBelow: UInt64 = 0
    private var skipArrivalBelowMs: Int64 = .min
    /// Records retention deleted before this reader got to them.
    public private(set) var recordsSkippedByRetention: UInt64 = 0

    init(shardIndex: Int, path: String, from start: ReadPosition) throws(LogError) {
        self.shardIndex = shardIndex
        self.directory = ShardDirectory(path: path)
        try seek(to: start)
    }

    // MARK: Positioning

    /// Moves the cursor.
    public func seek(to start: ReadPosition) throws(LogError) {
        let firsts = try directory.segmentFirstSequences()
        guard let oldest = firsts.first, let newest = firsts.last else { throw .streamNotFound(directory.streamName) }
        skipSequenceBelow = 0
        skipArrivalBelowMs = .min
        switch start {
        case .earliest:
            try moveTo(segment: oldest, position: 0, sequence: oldest)
        case .latest:
            let (index, _) = try activeIndex(newest)
            try moveTo(segment: newest, position: index.segmentBytes, sequence: index.nextSequence)
        case let .afterSequence(sequence):
            try seek(toSequence: sequence &+ 1, firsts)
        case let .atSequence(sequence):
            try seek(toSequence: sequence, firsts)
        case let .atTime(timeMs):
            try seek(toTime: timeMs, firsts)
        }
    }

    private func seek(toSequence sequence: UInt64, _ firsts: [UInt64]) throws(LogError) {
        guard sequence > firsts[0] else {
            try moveTo(segment: firsts[0], position: 0, sequence: firsts[0])
            return
        }
        let segment = firsts.last(where: { $0 <= sequence })!
        let index = segment == firsts.last! ? try activeIndex(segment).0 : try directory.sealedIndex(segment, buffer: scanBuffer.raw)
        if sequence >= index.nextSequence && segment == firsts.last! {
            try moveTo(segment: segment, position: index.segmentBytes, sequence: index.nextSequence)
            return
        }
        let start = index.scanStart(forSequence: sequence)
        try moveTo(segment: segment, position: start.position, sequence: start.sequence)
        skipSequenceBelow = sequence
    }

    private func seek(toTime timeMs: Int64, _ firsts: [UInt64]) throws(LogError) {
        for first in firsts {
            let isActive = first == firsts.last!
            let index = isActive ? try activeIndex(first).0 : try directory.sealedIndex(first, buffer: scanBuffer.raw)
            if index.recordCount > 0 && index.arrivalMsMax >= timeMs || isActive {
                let start = index.scanStart(forTime: timeMs)
                try moveTo(segment: first, position: start.position, sequence: start.sequence)
                skipArrivalBelowMs = timeMs
                return
            }
        }
    }

    /// The index of the active segment, built by scanning it (it has no file yet).
    private func activeIndex(_ first: UInt64) throws(LogError) -> (SegmentIndex, SegmentScanOutcome) {
        let file = try LogFile.openForReading(directory.logPath(first))
        return try SegmentScanner.buildIndex(file, firstSequence: first, buffer: scanBuffer.raw)
    }

    private func moveTo(segment: UInt64, position: Int, sequence: UInt64) throws(LogError) {
        if segment != segmentFirst || file == nil {
            file = try? LogFile.openForReading(directory.logPath(segment))
        }
        segmentFirst = segment
        self.position = position
        nextSequence = sequence
    }

    // MARK: Reading

    /// Reads up to `maxRecords` records into `batch` (replacing what it held);
    /// returns how many. Zero means the reader is at the end of the shard for now.
    @discardableResult
    public func read(into batch: ReadBatch, maxRecords: Int = 10_000) throws(LogError) -> Int {
        batch.descriptors.removeAll(keepingCapacity: true)
        batch.shardIndex = shardIndex
        batch.filled = 0
        while batch.descriptors.isEmpty {
            guard let file else {
                try recoverFromDeletedSegment()
                continue
            }
            let got = try file.read(into: batch.buffer, at: position)
            batch.filled = got
            let bytes = UnsafeRawBufferPointer(rebasing: batch.buffer[0..<got])
            var at = 0
            var stopReason: String?
            decoding: while batch.descriptors.count < maxRecords {
                switch RecordFrame.decode(bytes, at: at) {
                case let .record(d, length):
                    if d.sequence != nextSequence {
                        throw .corruptSegment(path: file.path, position: position + at,
                                              reason: "sequence \(d.sequence) where \(nextSequence) was expected")
                    }
                    at += length
                    nextSequence += 1
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
            position += at
            if !batch.descriptors.isEmpty || at > 0 { continue }
            // Nothing decodable here: end of the segment, or of the data for now.
            guard try advanceToNextSegment(file: file, stopReason: stopReason)
            else { return 0 }
        }
        return batch.descriptors.count
    }

    /// Moves to the next segment when this one is sealed and fully read. Returns
    /// false when the reader is at the end of the active segment.
    private func advanceToNextSegment(file: LogFile, stopReason: String?) throws(LogError) -> Bool {
        let nextPath = directory.logPath(nextSequence)
        if nextSequence > segmentFirst && FileSystem.exists(nextPath) {
            // Sealed: its data is final, so whatever stands at `position` must be the end.
            let size = try file.size()
            if position < size {
                throw .corruptSegment(path: file.path, position: position, reason: stopReason ?? "sealed segment ends inside a record")
            }
            self.file = try? LogFile.openForReading(nextPath)
            segmentFirst = nextSequence
            position = 0
            return true
        }
        if try file.isUnlinked() {
            // Retention deleted this segment (and the ones after it, or the next
            // would exist): go on at the oldest segment kept.
            self.file = nil
            return true
        }
        if let stopReason, let newest = try directory.segmentFirstSequences().last, newest > segmentFirst {
            // An invalid frame with newer segments after it is not a tail in progress.
            throw .corruptSegment(path: file.path, position: position, reason: stopReason)
        }
        return false
    }

    /// The segment to read was deleted by retention: continue at the oldest kept.
    private func recoverFromDeletedSegment() throws(LogError) {
        let firsts = try directory.segmentFirstSequences()
        guard let oldest = firsts.first else { throw .streamNotFound(directory.streamName) }
        if let containing = firsts.last(where: { $0 <= nextSequence }), containing == segmentFirst {
            // The file exists again (it was just created): open it.
            file = try LogFile.openForReading(directory.logPath(containing))
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
