// What the check pass of a strict ingest (`spate put --strict`) learned about
// each chunk of its input, so that the append pass does not check every line
// again: strict mode's budget is one more read of the input, not a second
// JSON check (which was most of its extra ~100 ns a record of 100 B).
//
// The append pass reads the same input again and cuts it into the same chunks
// (`InputChunkReader` is deterministic). A chunk is trusted only when its size
// and fingerprint (the CRC32Cs of its three thirds, taken together) match the
// checked chunk's, so an input changed between the passes is checked line by
// line again, exactly as without this memo. In a trusted chunk every line
// that is not blank is a good record (the check pass rejected none), and its
// key is taken by `IngestLineChecker.quickKey` when the check pass found that
// quick look giving the same bytes as the full scan on every line of the chunk.
//
// Only chunks of short lines are remembered (`lineBytesMeanMax`): checking a
// line costs per token, fingerprinting it per byte (two CRC passes of ~8 bytes
// a cycle), so for long lines, whose long strings the JSON check skips 16 or
// 32 bytes a step, the memo costs more than it saves (1 KiB lines: +6 % of the
// CPU of `spate put --strict`, against -8 % for 100 B lines).
//
// Limits: one entry per chunk (~1 MiB of input), at most `chunksMax` (1 TiB of
// input); chunks after that are checked again.
//
// Threads: the check pass's sequencer records chunks in input order; the
// append pass's framers only read, after the check pass has joined its threads.

import SpateLog

/// A chunk's size and the CRC32Cs of its thirds.
struct ChunkFingerprint: Equatable, Sendable {
    var byteCount: Int
    var crc0: UInt32, crc1: UInt32, crc2: UInt32

    /// Fingerprints `bytes` (three CRC chains at once: ~8 bytes a cycle).
    init(_ bytes: UnsafeRawBufferPointer) {
        byteCount = bytes.count
        guard let base = bytes.baseAddress else {
            (crc0, crc1, crc2) = (0, 0, 0)
            return
        }
        let third = bytes.count / 3
        (crc0, crc1, crc2) = CRC32C.checksums(base, third, base + third, third, base + 2 * third, bytes.count - 2 * third)
    }
}

/// What the check pass found in one chunk.
struct CheckedChunk: Sendable {
    var fingerprint: ChunkFingerprint
    /// `IngestLineChecker.quickKey` gave the full scan's key on every good line.
    var quickKeysAgree: Bool
}

/// The chunks a strict ingest's check pass has checked, by chunk index.
final class CheckedChunks: @unchecked Sendable {
    /// Chunks remembered at most (about 1 TiB of input).
    static let chunksMax = 1 << 20
    /// Chunks whose lines are longer than this on average are not remembered (see the header).
    static let lineBytesMeanMax = 256
    /// By chunk index; nil: not remembered (long lines, or the pass stopped).
    private var chunks: [CheckedChunk?] = []

    /// Records chunk `index`, the next in input order (nil: check it again).
    func record(_ chunk: CheckedChunk?, index: Int) {
        if index == chunks.count && chunks.count < Self.chunksMax { chunks.append(chunk) }
    }

    /// Chunk `index` as checked, when it was remembered.
    func checked(_ index: Int) -> CheckedChunk? {
        index < chunks.count ? chunks[index] : nil
    }
}
