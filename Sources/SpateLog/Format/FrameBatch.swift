// A batch of records already laid out as on-disk frames (`RecordFrame`), back
// to back in one buffer, with their sequence, arrival time and CRC left to fill
// in. Framing is the costly part of an append (a copy of every byte); doing it
// here lets a bulk writer frame on other threads, and the shard that appends
// the batch only seals each frame in place (stamps sequence and arrival, CRCs
// the body) and writes slices of this buffer — no second copy.
//
// Ownership: one thread at a time. A batch is built, handed to one append
// (which seals it in place: the bytes then are exactly what the segment holds),
// and emptied with `removeAll` for reuse; appending it again re-seals it.
//
// Limits: `recordsMax` records and `bytesMax` frame bytes, the frame overhead
// of `AppendBatch`'s limits, so that any `AppendBatch` fits in one FrameBatch.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Records framed for one shard, waiting to be sealed and written.
public final class FrameBatch: @unchecked Sendable {
    /// Most records one batch holds (as `AppendBatch`).
    public static let recordsMax = AppendBatch.recordsMax
    /// Most frame bytes one batch holds: `AppendBatch.bytesMax` of keys and
    /// payloads plus the frame overhead of `recordsMax` records.
    public static let bytesMax = AppendBatch.bytesMax + AppendBatch.recordsMax * (RecordFrame.headerBytes + RecordFrame.bodyFixedBytes)

    // One owner at a time (see the header), so the runtime's exclusivity
    // checks on these are redundant; they cost 5 % of `spate put` (perf).
    @exclusivity(unchecked) private var buffer: UnsafeMutableRawBufferPointer
    /// Frame bytes held.
    @exclusivity(unchecked) public private(set) var byteCount = 0
    /// End offset of each frame (its start is the previous frame's end).
    @exclusivity(unchecked) private(set) var frameEnds: [Int] = []

    /// An empty batch with room for `byteCapacity` frame bytes before it grows.
    public init(byteCapacity: Int = 64 << 10) {
        buffer = .allocate(byteCount: max(byteCapacity, 64), alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// Records in the batch.
    public var count: Int { frameEnds.count }
    public var isEmpty: Bool { frameEnds.isEmpty }
    /// Bytes of buffer held (the batch keeps its memory across `removeAll`).
    public var byteCapacity: Int { buffer.count }

    /// Frames a record. Throws when the record or the batch would exceed a
    /// limit; the batch is unchanged then.
    public func append(key: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) throws(LogError) {
        try RecordFrame.checkLimits(keyCount: key.count, payloadCount: payload.count)
        if frameEnds.count >= Self.recordsMax {
            throw .batchTooLarge("more than \(Self.recordsMax) records")
        }
        let frameBytes = RecordFrame.frameBytes(keyCount: key.count, payloadCount: payload.count)
        if byteCount + frameBytes > Self.bytesMax {
            throw .batchTooLarge("more than \(Self.bytesMax) bytes of frames")
        }
        reserve(byteCount + frameBytes)
        byteCount += RecordFrame.encodeUnsealed(into: buffer.baseAddress! + byteCount, key: key, payload: payload)
        frameEnds.append(byteCount)
    }

    /// Frames every record of `batch`, in order.
    public func append(contentsOf batch: AppendBatch) throws(LogError) {
        reserve(byteCount + batch.frameBytes)
        for i in 0..<batch.count {
            try batch.withRecord(i) { (key, payload) throws(LogError) in try append(key: key, payload: payload) }
        }
    }

    /// Empties the batch, keeping its memory for reuse.
    public func removeAll() {
        byteCount = 0
        frameEnds.removeAll(keepingCapacity: true)
    }

    /// Byte offset where frame `index` starts.
    @inline(__always)
    func frameStart(_ index: Int) -> Int { index == 0 ? 0 : frameEnds[index - 1] }

    /// Bytes of frame `index`.
    @inline(__always)
    func frameBytes(_ index: Int) -> Int { frameEnds[index] - frameStart(index) }

    /// The bytes of frames `frames`, as they are (sealed or not).
    func bytes(_ frames: Range<Int>) -> UnsafeRawBufferPointer {
        let start = frameStart(frames.lowerBound)
        return UnsafeRawBufferPointer(rebasing: buffer[start..<frameStart(frames.upperBound)])
    }

    /// Seals frames `frames` in place: sequences from `firstSequence` up by
    /// one, arrival `arrivalMs`, and their CRCs (three interleaved CRC chains
    /// at a time: one chain waits on its own latency, three keep the unit busy).
    /// Each frame is stamped just before its CRC, in one pass: a write chunk
    /// (up to `Shard.writeChunkBytesMax`, 8 MiB) can be larger than a core's
    /// L2 cache (1 MiB here), and a pass of stamps and then one of CRCs
    /// brought each frame's first line in twice. `spate-bench append`, 100 B
    /// records without fsync (CPU-bound), old and new alternated twice: 1
    /// writer 14.6-15.5 -> 16.1-16.3 M records/s, 2 writers 25.3-25.6 ->
    /// 28.4-29.3 M.
    func seal(_ frames: Range<Int>, firstSequence: UInt64, arrivalMs: Int64) {
        let base = buffer.baseAddress!
        var sequence = firstSequence
        var i = frames.lowerBound
        while frames.upperBound - i >= 3 {
            let a = base + frameStart(i), b = base + frameEnds[i], c = base + frameEnds[i + 1]
            RecordFrame.stamp(a, sequence: sequence, arrivalMs: arrivalMs)
            RecordFrame.stamp(b, sequence: sequence + 1, arrivalMs: arrivalMs)
            RecordFrame.stamp(c, sequence: sequence + 2, arrivalMs: arrivalMs)
            sequence += 3
            let crcs = CRC32C.checksums(a + RecordFrame.headerBytes, RecordFrame.bodyLength(a),
                                        b + RecordFrame.headerBytes, RecordFrame.bodyLength(b),
                                        c + RecordFrame.headerBytes, RecordFrame.bodyLength(c))
            a.storeBytes(of: crcs.0.littleEndian, toByteOffset: 4, as: UInt32.self)
            b.storeBytes(of: crcs.1.littleEndian, toByteOffset: 4, as: UInt32.self)
            c.storeBytes(of: crcs.2.littleEndian, toByteOffset: 4, as: UInt32.self)
            i += 3
        }
        while i < frames.upperBound {
            let frame = base + frameStart(i)
            RecordFrame.stamp(frame, sequence: sequence, arrivalMs: arrivalMs)
            sequence += 1
            let crc = CRC32C.updateRaw(0, UnsafeRawPointer(frame + RecordFrame.headerBytes), RecordFrame.bodyLength(frame))
            frame.storeBytes(of: crc.littleEndian, toByteOffset: 4, as: UInt32.self)
            i += 1
        }
    }

    private func reserve(_ bytes: Int) {
        guard bytes > buffer.count else { return }
        let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes, buffer.count * 2), alignment: 16)
        if byteCount > 0 { grown.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: byteCount) }
        buffer.deallocate()
        buffer = grown
    }
}
