// Walks the frames of one segment file from a position to the end, checking each
// frame's length and CRC and that sequences follow one another. Recovery, the
// catch-up of a writer that shares a shard with other processes, the seek of a
// reader into the active segment and the rebuilding of an index all use it.

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
}
