// RLEBitPackedHybrid.swift — Parquet's RLE/bit-packed hybrid encoding at bit width 1,
// for the definition levels of a data page; and LSB-first bit packing, which
// PLAIN uses for booleans too.
//
// Layer: SpateParquet (internal). Format (parquet-format Encodings.md, "RLE"):
// a sequence of runs, each starting with a ULEB128 varint header.
//
// - RLE run: header `count << 1`, then the repeated value in ceil(width / 8) = 1 byte.
// - Bit-packed run: header `groups << 1 | 1`, then groups × 8 values packed
//   least-significant bit first, one byte per group at width 1. A run in the
//   middle of the data holds a multiple of 8 values; the last run may end in a
//   partial group padded with zeros (the reader knows the page's value count).
//
// The encoder is greedy: at each position, a run of 16 or more equal levels
// (or 8 or more, or the rest of the page, when no bit-packed run is open)
// becomes an RLE run; otherwise the next 8 levels join the open bit-packed run.
// A page without NULLs (the common case) is therefore one RLE run of 2–6 bytes.

/// Encodes levels of bit width 1 (each byte 0 or 1).
enum RLEBitPackedHybrid {
    /// Appends the encoding of `levels` to `out` (without Parquet's 4-byte length prefix).
    static func encode(_ levels: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let count = levels.count
        var position = 0
        var packedStart: Int? = nil
        while position < count {
            let value = levels[position]
            let run = runLength(levels, from: position, value: value)
            let reachesEnd = position + run == count
            if run >= 16 || (packedStart == nil && (run >= 8 || reachesEnd)) {
                if let start = packedStart {
                    appendPackedRun(UnsafeBufferPointer(rebasing: levels[start..<position]), into: &out)
                    packedStart = nil
                }
                ULEB128.append(UInt64(run) << 1, to: &out)
                out.append(value)
                position += run
            } else {
                if packedStart == nil { packedStart = position }
                position = min(position + 8, count)
            }
        }
        if let start = packedStart {
            appendPackedRun(UnsafeBufferPointer(rebasing: levels[start..<count]), into: &out)
        }
    }

    /// Appends `bits` (each byte 0 or 1) packed 8 to a byte, least significant bit
    /// first; a last partial byte is padded with zeros.
    static func packBits(_ bits: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let fullBytes = bits.count / 8
        out.reserveCapacity(out.count + fullBytes + 1)
        var index = 0
        for _ in 0..<fullBytes {
            var byte: UInt8 = 0
            for bit in 0..<8 { byte |= bits[index + bit] << UInt8(bit) }
            out.append(byte)
            index += 8
        }
        if index < bits.count {
            var byte: UInt8 = 0
            for bit in 0..<(bits.count - index) { byte |= bits[index + bit] << UInt8(bit) }
            out.append(byte)
        }
    }

    /// The number of consecutive levels equal to `value` from `start`.
    private static func runLength(_ levels: UnsafeBufferPointer<UInt8>, from start: Int, value: UInt8) -> Int {
        var end = start + 1
        while end < levels.count && levels[end] == value { end += 1 }
        return end - start
    }

    /// A bit-packed run of `levels`, whose count is a multiple of 8 unless it ends the page.
    private static func appendPackedRun(_ levels: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let groups = (levels.count + 7) / 8
        ULEB128.append(UInt64(groups) << 1 | 1, to: &out)
        packBits(levels, into: &out)
    }
}
