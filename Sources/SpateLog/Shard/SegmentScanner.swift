// Walks the frames of one segment file from a position to the end, checking each
// frame's length and CRC and that sequences follow one another. Recovery, the
// catch-up of a writer that shares a shard with other processes, the seek of a
// reader into the active segment and the rebuilding of an index all use it.
//
// A bad frame is a torn tail only when no valid frame follows it: a writer that
// died mid-write leaves garbage at the very end and nothing after it.
// `validFrame(after:)` looks for one — a frame with a plausible length, a
// sequence after the last good one and a matching CRC at any byte position
// after the bad bytes — so that recovery cuts only torn tails and reports
// corruption followed by good records as an error.

/// The result of scanning a segment to its end.
struct SegmentScanOutcome {
    enum Stop: Equatable {
        /// Every byte up to the end of file is whole, valid frames.
        case endOfFile
        /// The file ends inside a frame (a torn write, or one in progress).
        case incompleteFrame
        /// An invalid frame: a torn write or corruption.
        case invalidFrame(String)
    }

    /// Position after the last valid frame.
    var validEnd: Int
    /// Sequence after the last valid frame.
    var nextSequence: UInt64
    var stop: Stop
    var fileSize: Int
}

enum SegmentScanner {
    /// Scans `file` from `position`, expecting `sequence` next; calls `visit` for
    /// every valid frame with (sequence, arrival ms, position, frame length).
    static func scan(
        _ file: LogFile, from position: Int, expecting sequence: UInt64,
        buffer: UnsafeMutableRawBufferPointer,
        visit: (UInt64, Int64, Int, Int) -> Void
    ) throws(LogError) -> SegmentScanOutcome {
        let fileSize = try file.size()
        var chunkStart = position
        var expected = sequence
        while chunkStart < fileSize {
            let want = min(buffer.count, fileSize - chunkStart)
            let got = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]), at: chunkStart)
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<got])
            let isLastChunk = chunkStart + got >= fileSize
            var at = 0
            frames: while true {
                switch RecordFrame.decode(bytes, at: at) {
                case let .record(d, length):
                    if d.sequence != expected {
                        return SegmentScanOutcome(
                            validEnd: chunkStart + at, nextSequence: expected,
                            stop: .invalidFrame("sequence \(d.sequence) where \(expected) was expected"), fileSize: fileSize)
                    }
                    visit(d.sequence, d.arrivalMs, chunkStart + at, length)
                    expected += 1
                    at += length
                case .incomplete:
                    if !isLastChunk && at > 0 { break frames }  // read on from this frame
                    let end = chunkStart + at
                    return SegmentScanOutcome(validEnd: end, nextSequence: expected,
                                              stop: end == fileSize ? .endOfFile : .incompleteFrame, fileSize: fileSize)
                case let .invalid(reason):
                    return SegmentScanOutcome(validEnd: chunkStart + at, nextSequence: expected,
                                              stop: .invalidFrame(reason), fileSize: fileSize)
                }
            }
            chunkStart += at
        }
        return SegmentScanOutcome(validEnd: chunkStart, nextSequence: expected, stop: .endOfFile, fileSize: fileSize)
    }

    /// Builds the index of a whole segment by scanning it.
    static func buildIndex(
        _ file: LogFile, firstSequence: UInt64, buffer: UnsafeMutableRawBufferPointer
    ) throws(LogError) -> (SegmentIndex, SegmentScanOutcome) {
        var index = SegmentIndex(firstSequence: firstSequence)
        let outcome = try scan(file, from: 0, expecting: firstSequence, buffer: buffer) { seq, arrival, pos, len in
            index.add(sequence: seq, arrivalMs: arrival, position: pos, frameLength: len)
        }
        return (index, outcome)
    }

    /// The first valid frame that starts after `position` and carries a sequence
    /// at or after `sequence`: its position and sequence, or nil when none
    /// follows (what is at `position` is then a torn tail). Cheap checks (length,
    /// sequence range) come before the CRC, so scanning garbage costs little.
    static func validFrame(
        _ file: LogFile, after position: Int, sequenceAtLeast sequence: UInt64,
        buffer: UnsafeMutableRawBufferPointer
    ) throws(LogError) -> (position: Int, sequence: UInt64)? {
        let fileSize = try file.size()
        let smallestFrame = RecordFrame.headerBytes + RecordFrame.bodyFixedBytes
        var chunkStart = position + 1
        while chunkStart + smallestFrame <= fileSize {
            let want = min(buffer.count, fileSize - chunkStart)
            let got = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]), at: chunkStart)
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<got])
            let base = bytes.baseAddress!
            var at = 0
            while at + smallestFrame <= got {
                let bodyLength = Int(UInt32(littleEndian: (base + at).loadUnaligned(as: UInt32.self)))
                let candidateSequence = UInt64(littleEndian: (base + at + RecordFrame.headerBytes).loadUnaligned(as: UInt64.self))
                let sequencesLeft = UInt64((fileSize - chunkStart - at) / smallestFrame) + 1
                if bodyLength >= RecordFrame.bodyFixedBytes, bodyLength <= RecordFrame.bodyBytesMax,
                   chunkStart + at + RecordFrame.headerBytes + bodyLength <= fileSize,
                   candidateSequence >= sequence, candidateSequence - sequence <= sequencesLeft + UInt64((chunkStart + at - position) / smallestFrame) {
                    if at + RecordFrame.headerBytes + bodyLength > got {
                        break  // the candidate does not fit in this chunk: read again from it
                    }
                    if case let .record(d, _) = RecordFrame.decode(bytes, at: at) { return (chunkStart + at, d.sequence) }
                }
                at += 1
            }
            if chunkStart + got >= fileSize && at + smallestFrame > got { return nil }
            chunkStart += max(at, 1)
        }
        return nil
    }
}
