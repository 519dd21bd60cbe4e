// MD5 (RFC 1321), used only to route a partition key to a shard exactly as
// Kinesis does (the key's MD5 read as a 128-bit big-endian integer). Not used for
// security. Hand-written rather than taken from swift-crypto because it runs once
// per appended record: a one-block digest of a short key here costs ~100 ns with
// no allocation, where a general hashing API costs several times that.

/// A 128-bit MD5 digest computed without allocating.
public enum MD5 {
    /// The digest of `bytes` as a big-endian 128-bit integer (byte 0 is the most
    /// significant), which is how Kinesis orders hash keys.
    public static func digest(_ bytes: UnsafeRawBufferPointer) -> UInt128 {
        var a0: UInt32 = 0x6745_2301, b0: UInt32 = 0xEFCD_AB89
        var c0: UInt32 = 0x98BA_DCFE, d0: UInt32 = 0x1032_5476
        let count = bytes.count
        var block = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        withUnsafeMutableBytes(of: &block) { blockBytes in
            var offset = 0
            // Whole 64-byte blocks straight from the input.
            while count - offset >= 64 {
                blockBytes.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 64]))
                compress(blockBytes, &a0, &b0, &c0, &d0)
                offset += 64
            }
            // The tail, the 0x80 terminator and the bit length (one or two blocks).
            let rest = count - offset
            for i in 0..<64 { blockBytes[i] = 0 }
            for i in 0..<rest { blockBytes[i] = bytes[offset + i] }
            blockBytes[rest] = 0x80
            if rest >= 56 {
                compress(blockBytes, &a0, &b0, &c0, &d0)
                for i in 0..<64 { blockBytes[i] = 0 }
            }
            let bitLength = UInt64(count) &* 8
            blockBytes.storeBytes(of: bitLength.littleEndian, toByteOffset: 56, as: UInt64.self)
            compress(blockBytes, &a0, &b0, &c0, &d0)
        }
        // Digest bytes are a0..d0 little-endian; read them as one big-endian number.
        func bigEndianWord(_ x: UInt32) -> UInt128 { UInt128(x.byteSwapped) }
        return bigEndianWord(a0) << 96 | bigEndianWord(b0) << 64 | bigEndianWord(c0) << 32 | bigEndianWord(d0)
    }

    /// The digest of `bytes` (see `digest(_:)`).
    public static func digest(_ bytes: [UInt8]) -> UInt128 {
        bytes.withUnsafeBytes { digest($0) }
    }

    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]

    /// K[i] = floor(2^32 * |sin(i + 1)|), RFC 1321's table.
    private static let sines: [UInt32] = [
        0xD76A_A478, 0xE8C7_B756, 0x2420_70DB, 0xC1BD_CEEE,
        0xF57C_0FAF, 0x4787_C62A, 0xA830_4613, 0xFD46_9501,
        0x6980_98D8, 0x8B44_F7AF, 0xFFFF_5BB1, 0x895C_D7BE,
        0x6B90_1122, 0xFD98_7193, 0xA679_438E, 0x49B4_0821,
        0xF61E_2562, 0xC040_B340, 0x265E_5A51, 0xE9B6_C7AA,
        0xD62F_105D, 0x0244_1453, 0xD8A1_E681, 0xE7D3_FBC8,
        0x21E1_CDE6, 0xC337_07D6, 0xF4D5_0D87, 0x455A_14ED,
        0xA9E3_E905, 0xFCEF_A3F8, 0x676F_02D9, 0x8D2A_4C8A,
        0xFFFA_3942, 0x8771_F681, 0x6D9D_6122, 0xFDE5_380C,
        0xA4BE_EA44, 0x4BDE_CFA9, 0xF6BB_4B60, 0xBEBF_BC70,
        0x289B_7EC6, 0xEAA1_27FA, 0xD4EF_3085, 0x0488_1D05,
        0xD9D4_D039, 0xE6DB_99E5, 0x1FA2_7CF8, 0xC4AC_5665,
        0xF429_2244, 0x432A_FF97, 0xAB94_23A7, 0xFC93_A039,
        0x655B_59C3, 0x8F0C_CC92, 0xFFEF_F47D, 0x8584_5DD1,
        0x6FA8_7E4F, 0xFE2C_E6E0, 0xA301_4314, 0x4E08_11A1,
        0xF753_7E82, 0xBD3A_F235, 0x2AD7_D2BB, 0xEB86_D391,
    ]

    private static func compress(
        _ block: UnsafeMutableRawBufferPointer,
        _ a0: inout UInt32, _ b0: inout UInt32, _ c0: inout UInt32, _ d0: inout UInt32
    ) {
        var a = a0, b = b0, c = c0, d = d0
        shifts.withUnsafeBufferPointer { s in
            sines.withUnsafeBufferPointer { k in
                for i in 0..<64 {
                    var f: UInt32
                    let g: Int
                    switch i >> 4 {
                    case 0: f = (b & c) | (~b & d); g = i
                    case 1: f = (d & b) | (~d & c); g = (5 &* i &+ 1) & 15
                    case 2: f = b ^ c ^ d; g = (3 &* i &+ 5) & 15
                    default: f = c ^ (b | ~d); g = (7 &* i) & 15
                    }
                    let word = UInt32(littleEndian: block.load(fromByteOffset: g * 4, as: UInt32.self))
                    f = f &+ a &+ k[i] &+ word
                    a = d; d = c; c = b
                    b = b &+ ((f << s[i]) | (f >> (32 - s[i])))
                }
            }
        }
        a0 = a0 &+ a; b0 = b0 &+ b; c0 = c0 &+ c; d0 = d0 &+ d
    }
}
