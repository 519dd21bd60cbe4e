// The files of one shard directory, `<stream>/shardId-<n>/`: segments named by
// their first sequence, their sealed indexes, and the append lock. Everything
// here reads the directory as it is now; other processes may change it.

struct ShardDirectory: Sendable {
    static let lockFileName = "append.lock"

    let path: String

    /// Kinesis-style name of shard `index`: `shardId-000000000000`.
    static func shardName(_ index: Int) -> String {
        let digits = String(index)
        return "shardId-" + String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }

    func logPath(_ firstSequence: UInt64) -> String { path + "/" + SegmentName.log(firstSequence) }
    func indexPath(_ firstSequence: UInt64) -> String { path + "/" + SegmentName.index(firstSequence) }
    var lockPath: String { path + "/" + Self.lockFileName }

    /// First sequences of the segments present, ascending. The last is the active one.
    func segmentFirstSequences() throws(LogError) -> [UInt64] {
        do throws(LogError) {
            return try FileSystem.list(path).compactMap(SegmentName.parseLog).sorted()
        } catch {
            throw FileSystem.isDirectory(path) ? error : .streamNotFound(streamName)
        }
    }

    var streamName: String {
        let parent = FileSystem.parentOf(path)
        return String(parent[parent.index(after: parent.lastIndex(of: "/") ?? parent.startIndex)...])
    }

    /// The newest arrival time of a sealed segment from its index header alone
    /// (no CRC check: a bisection hint, confirmed by loading the index it picks).
    func sealedArrivalMsMax(_ firstSequence: UInt64) -> Int64? {
        indexHeader(firstSequence)?.arrivalMsMax
    }

    /// The summary of a sealed segment from its index header alone (no CRC
    /// check, no entries: for hints and `describe`); nil without a readable index.
    func indexHeader(_ firstSequence: UInt64) -> SegmentIndex? {
        guard let file = try? LogFile.openForReading(indexPath(firstSequence)) else { return nil }
        var header = [UInt8](repeating: 0, count: SegmentIndex.headerBytes)
        guard let n = try? withMutableBytes(&header, { (raw) throws(LogError) in try file.read(into: raw, at: 0) }),
              n == SegmentIndex.headerBytes, Array(header[0..<8]) == SegmentIndex.magic else { return nil }
        return header.withUnsafeBytes { raw -> SegmentIndex? in
            func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
            guard u64(16) == firstSequence, u64(24) >= firstSequence else { return nil }
            var index = SegmentIndex(firstSequence: firstSequence)
            index.nextSequence = u64(24)
            index.segmentBytes = Int(u64(32))
            index.arrivalMsMin = Int64(bitPattern: u64(40))
            index.arrivalMsMax = Int64(bitPattern: u64(48))
            return index
        }
    }

    /// The index of the sealed segment starting at `firstSequence`: from its
    /// `.idx` when that is valid, else rebuilt by scanning (and written back only
    /// when `writeBack`, which only the holder of the append lock passes: readers
    /// never write). A sealed segment with an invalid frame, or whose size is not
    /// the one its valid index recorded, is corrupt: an error naming the file and
    /// the offset.
    func sealedIndex(_ firstSequence: UInt64, buffer: UnsafeMutableRawBufferPointer,
                     writeBack: Bool = false) throws(LogError) -> SegmentIndex {
        let logPath = logPath(firstSequence)
        let logSize = FileSystem.fileSize(logPath)
        if let bytes = try? FileSystem.readAll(indexPath(firstSequence)),
           let index = SegmentIndex.decode(bytes), index.firstSequence == firstSequence {
            if index.segmentBytes == logSize { return index }
            guard let logSize else {
                throw .corruptSegment(path: logPath, position: 0, reason: "segment missing (its index is there)")
            }
            throw .corruptSegment(path: logPath, position: min(logSize, index.segmentBytes),
                                  reason: "the file is \(logSize) bytes but its index says \(index.segmentBytes)"
                                      + (logSize < index.segmentBytes ? " (truncated)" : ""))
        }
        let file = try LogFile.openForReading(logPath)
        let (index, outcome) = try SegmentScanner.buildIndex(file, firstSequence: firstSequence, buffer: buffer)
        switch outcome.stop {
        case .endOfFile: break
        case .incompleteFrame:
            throw .corruptSegment(path: logPath, position: outcome.validEnd, reason: "sealed segment ends inside a record")
        case let .invalidFrame(reason):
            throw .corruptSegment(path: logPath, position: outcome.validEnd, reason: reason)
        }
        if writeBack { try? FileSystem.replaceAtomically(indexPath(firstSequence), with: index.encoded()) }
        return index
    }
}

/// A scratch buffer big enough for the largest frame, for scans.
final class ScanBuffer {
    static let bytes = 1 << 20 + RecordFrame.headerBytes + RecordFrame.bodyBytesMax
    let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: ScanBuffer.bytes, alignment: 16)
    deinit { raw.deallocate() }
}
