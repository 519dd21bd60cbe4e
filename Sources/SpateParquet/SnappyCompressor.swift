// SnappyCompressor.swift — Snappy's raw block format, compress side only (what Parquet's
// SNAPPY codec means: no framing, no checksums).
//
// Layer: SpateParquet (internal). Format (google/snappy format_description.txt):
// the uncompressed length as a ULEB128 varint, then elements, each starting with
// a tag byte whose low two bits give its kind:
//
// - 00 literal: length - 1 in the upper 6 bits when below 60; else 60...63 say
//   that 1...4 little-endian bytes of length - 1 follow. Then the bytes.
// - 01 copy, 1-byte offset: length 4...11 in bits 2-4 (as length - 4), offset
//   bits 8-10 in bits 5-7, then the offset's low byte.
// - 10 copy, 2-byte offset: length 1...64 in the upper 6 bits (as length - 1),
//   then the offset as 2 bytes little endian.
//
// The compressor is the reference's algorithm: the input is cut into blocks of
// 64 KiB compressed independently, so every offset fits 2 bytes; a hash table of
// the 4-byte sequences seen in the block finds match candidates; the search
// skips faster through data that does not match (one more byte per 32 misses),
// so incompressible input passes at memcpy-like speed. Output is written through
// a pointer without checks: it never exceeds `maxCompressedBytes`, the
// reference's worst case 32 + n + n / 6, which the caller must provide.

enum SnappyCompressor {
    private static let blockBytes = 1 << 16
    private static let hashTableBitsMax = 14
    /// The fast path needs this many bytes beyond a position to load freely.
    private static let inputMarginBytes = 15

    /// The most bytes `compress` can write for `inputBytes` bytes of input.
    static func maxCompressedBytes(_ inputBytes: Int) -> Int { 32 + inputBytes + inputBytes / 6 }

    /// Compresses `input` into `output`, which must have room for
    /// `maxCompressedBytes(input.count)` bytes; returns the bytes written.
    static func compress(_ input: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>) -> Int {
        var preamble: [UInt8] = []
        ULEB128.append(UInt64(input.count), to: &preamble)
        output.update(from: preamble, count: preamble.count)
        var out = output + preamble.count
        guard let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return preamble.count }
        let table = UnsafeMutablePointer<UInt16>.allocate(capacity: 1 << hashTableBitsMax)
        defer { table.deallocate() }
        var start = 0
        while start < input.count {
            let count = min(blockBytes, input.count - start)
            out = compressBlock(base + start, count: count, table: table, into: out)
            start += count
        }
        return out - output
    }

    /// One block of at most 64 KiB; returns the output position after it.
    private static func compressBlock(_ source: UnsafePointer<UInt8>, count: Int, table: UnsafeMutablePointer<UInt16>,
                                      into output: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var out = output
        var nextEmit = 0
        if count >= inputMarginBytes {
            var tableBits = 8
            while 1 << tableBits < count && tableBits < hashTableBitsMax { tableBits += 1 }
            table.update(repeating: 0, count: 1 << tableBits)
            let shift = UInt32(32 - tableBits)
            let positionLimit = count - inputMarginBytes
            var position = 1
            var nextHash = hash(load32(source + position), shift)
            search: while true {
                // Find a 4-byte match, skipping faster the longer none is found.
                var skip = 32
                var nextPosition = position
                var candidate = 0
                repeat {
                    position = nextPosition
                    let hashValue = nextHash
                    nextPosition = position + skip >> 5
                    skip += 1
                    if nextPosition > positionLimit { break search }
                    nextHash = hash(load32(source + nextPosition), shift)
                    candidate = Int(table[hashValue])
                    table[hashValue] = UInt16(truncatingIfNeeded: position)
                } while load32(source + position) != load32(source + candidate)

                out = emitLiteral(source + nextEmit, count: position - nextEmit, into: out)
                // Emit copies while the position right after a copy matches again.
                repeat {
                    let matchStart = position
                    let length = 4 + matchLength(source + candidate + 4, source + position + 4, end: source + count)
                    position += length
                    out = emitCopy(offset: matchStart - candidate, length: length, into: out)
                    nextEmit = position
                    if position >= positionLimit { break search }
                    table[hash(load32(source + position - 1), shift)] = UInt16(truncatingIfNeeded: position - 1)
                    let hashValue = hash(load32(source + position), shift)
                    candidate = Int(table[hashValue])
                    table[hashValue] = UInt16(truncatingIfNeeded: position)
                } while load32(source + position) == load32(source + candidate)
                position += 1
                nextHash = hash(load32(source + position), shift)
            }
        }
        if nextEmit < count {
            out = emitLiteral(source + nextEmit, count: count - nextEmit, into: out)
        }
        return out
    }

    @inline(__always)
    private static func load32(_ pointer: UnsafePointer<UInt8>) -> UInt32 {
        UnsafeRawPointer(pointer).loadUnaligned(as: UInt32.self)
    }

    @inline(__always)
    private static func hash(_ bytes: UInt32, _ shift: UInt32) -> Int {
        Int((bytes &* 0x1E35_A7BD) >> shift)
    }

    /// How many bytes from `a` and `b` are equal, stopping at `end` (b < end, a < b).
    @inline(__always)
    private static func matchLength(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) -> Int {
        var matched = 0
        while b + matched + 8 <= end {
            let x = UnsafeRawPointer(a + matched).loadUnaligned(as: UInt64.self)
            let y = UnsafeRawPointer(b + matched).loadUnaligned(as: UInt64.self)
            if x != y { return matched + (x ^ y).trailingZeroBitCount / 8 }
            matched += 8
        }
        while b + matched < end && a[matched] == b[matched] { matched += 1 }
        return matched
    }

    private static func emitLiteral(_ bytes: UnsafePointer<UInt8>, count: Int, into output: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var out = output
        let lengthMinusOne = count - 1
        if lengthMinusOne < 60 {
            out[0] = UInt8(lengthMinusOne << 2)
            out += 1
        } else {
            var extraBytes = 0
            var rest = lengthMinusOne
            while rest > 0 {
                out[1 + extraBytes] = UInt8(truncatingIfNeeded: rest)
                rest >>= 8
                extraBytes += 1
            }
            out[0] = UInt8((59 + extraBytes) << 2)
            out += 1 + extraBytes
        }
        out.update(from: bytes, count: count)
        return out + count
    }

    private static func emitCopy(offset: Int, length: Int, into output: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var out = output
        var rest = length
        // Long copies are cut into 64-byte pieces, leaving at least 4 for the last.
        while rest >= 68 {
            out = emitCopy2(offset: offset, length: 64, into: out)
            rest -= 64
        }
        if rest > 64 {
            out = emitCopy2(offset: offset, length: 60, into: out)
            rest -= 60
        }
        if rest < 12 && offset < 2048 {
            out[0] = UInt8(1 | (rest - 4) << 2 | (offset >> 8) << 5)
            out[1] = UInt8(truncatingIfNeeded: offset)
            return out + 2
        }
        return emitCopy2(offset: offset, length: rest, into: out)
    }

    @inline(__always)
    private static func emitCopy2(offset: Int, length: Int, into out: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        out[0] = UInt8(2 | (length - 1) << 2)
        out[1] = UInt8(truncatingIfNeeded: offset)
        out[2] = UInt8(truncatingIfNeeded: offset >> 8)
        return out + 3
    }
}
