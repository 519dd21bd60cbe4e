// MD5 (RFC 1321), used only to route a partition key to a shard exactly as
// Kinesis does (the key's MD5 read as a 128-bit big-endian integer). Not used for
// security. Hand-written rather than taken from swift-crypto because it runs once
// per appended record: a one-block digest of a short key here costs ~110 ns with
// no allocation, where a general hashing API costs several times that. The 64
// steps are written out (generated from RFC 1321's tables): a loop over the
// tables with a switch per step took ~155 ns a digest of a short key.

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

    /// One 64-byte block, its 64 steps written out (RFC 1321's F, G, H, I
    /// rounds with their constants inline: no table, no branch).
    private static func compress(
        _ block: UnsafeMutableRawBufferPointer,
        _ a0: inout UInt32, _ b0: inout UInt32, _ c0: inout UInt32, _ d0: inout UInt32
    ) {
        let x0 = UInt32(littleEndian: block.load(fromByteOffset: 0, as: UInt32.self))
        let x1 = UInt32(littleEndian: block.load(fromByteOffset: 4, as: UInt32.self))
        let x2 = UInt32(littleEndian: block.load(fromByteOffset: 8, as: UInt32.self))
        let x3 = UInt32(littleEndian: block.load(fromByteOffset: 12, as: UInt32.self))
        let x4 = UInt32(littleEndian: block.load(fromByteOffset: 16, as: UInt32.self))
        let x5 = UInt32(littleEndian: block.load(fromByteOffset: 20, as: UInt32.self))
        let x6 = UInt32(littleEndian: block.load(fromByteOffset: 24, as: UInt32.self))
        let x7 = UInt32(littleEndian: block.load(fromByteOffset: 28, as: UInt32.self))
        let x8 = UInt32(littleEndian: block.load(fromByteOffset: 32, as: UInt32.self))
        let x9 = UInt32(littleEndian: block.load(fromByteOffset: 36, as: UInt32.self))
        let x10 = UInt32(littleEndian: block.load(fromByteOffset: 40, as: UInt32.self))
        let x11 = UInt32(littleEndian: block.load(fromByteOffset: 44, as: UInt32.self))
        let x12 = UInt32(littleEndian: block.load(fromByteOffset: 48, as: UInt32.self))
        let x13 = UInt32(littleEndian: block.load(fromByteOffset: 52, as: UInt32.self))
        let x14 = UInt32(littleEndian: block.load(fromByteOffset: 56, as: UInt32.self))
        let x15 = UInt32(littleEndian: block.load(fromByteOffset: 60, as: UInt32.self))
        var a = a0, b = b0, c = c0, d = d0
        a = b &+ rotate(a &+ f(b, c, d) &+ x0 &+ 0xD76AA478, 7)
        d = a &+ rotate(d &+ f(a, b, c) &+ x1 &+ 0xE8C7B756, 12)
        c = d &+ rotate(c &+ f(d, a, b) &+ x2 &+ 0x242070DB, 17)
        b = c &+ rotate(b &+ f(c, d, a) &+ x3 &+ 0xC1BDCEEE, 22)
        a = b &+ rotate(a &+ f(b, c, d) &+ x4 &+ 0xF57C0FAF, 7)
        d = a &+ rotate(d &+ f(a, b, c) &+ x5 &+ 0x4787C62A, 12)
        c = d &+ rotate(c &+ f(d, a, b) &+ x6 &+ 0xA8304613, 17)
        b = c &+ rotate(b &+ f(c, d, a) &+ x7 &+ 0xFD469501, 22)
        a = b &+ rotate(a &+ f(b, c, d) &+ x8 &+ 0x698098D8, 7)
        d = a &+ rotate(d &+ f(a, b, c) &+ x9 &+ 0x8B44F7AF, 12)
        c = d &+ rotate(c &+ f(d, a, b) &+ x10 &+ 0xFFFF5BB1, 17)
        b = c &+ rotate(b &+ f(c, d, a) &+ x11 &+ 0x895CD7BE, 22)
        a = b &+ rotate(a &+ f(b, c, d) &+ x12 &+ 0x6B901122, 7)
        d = a &+ rotate(d &+ f(a, b, c) &+ x13 &+ 0xFD987193, 12)
        c = d &+ rotate(c &+ f(d, a, b) &+ x14 &+ 0xA679438E, 17)
        b = c &+ rotate(b &+ f(c, d, a) &+ x15 &+ 0x49B40821, 22)
        a = b &+ rotate(a &+ g(b, c, d) &+ x1 &+ 0xF61E2562, 5)
        d = a &+ rotate(d &+ g(a, b, c) &+ x6 &+ 0xC040B340, 9)
        c = d &+ rotate(c &+ g(d, a, b) &+ x11 &+ 0x265E5A51, 14)
        b = c &+ rotate(b &+ g(c, d, a) &+ x0 &+ 0xE9B6C7AA, 20)
        a = b &+ rotate(a &+ g(b, c, d) &+ x5 &+ 0xD62F105D, 5)
        d = a &+ rotate(d &+ g(a, b, c) &+ x10 &+ 0x02441453, 9)
        c = d &+ rotate(c &+ g(d, a, b) &+ x15 &+ 0xD8A1E681, 14)
        b = c &+ rotate(b &+ g(c, d, a) &+ x4 &+ 0xE7D3FBC8, 20)
        a = b &+ rotate(a &+ g(b, c, d) &+ x9 &+ 0x21E1CDE6, 5)
        d = a &+ rotate(d &+ g(a, b, c) &+ x14 &+ 0xC33707D6, 9)
        c = d &+ rotate(c &+ g(d, a, b) &+ x3 &+ 0xF4D50D87, 14)
        b = c &+ rotate(b &+ g(c, d, a) &+ x8 &+ 0x455A14ED, 20)
        a = b &+ rotate(a &+ g(b, c, d) &+ x13 &+ 0xA9E3E905, 5)
        d = a &+ rotate(d &+ g(a, b, c) &+ x2 &+ 0xFCEFA3F8, 9)
        c = d &+ rotate(c &+ g(d, a, b) &+ x7 &+ 0x676F02D9, 14)
        b = c &+ rotate(b &+ g(c, d, a) &+ x12 &+ 0x8D2A4C8A, 20)
        a = b &+ rotate(a &+ h(b, c, d) &+ x5 &+ 0xFFFA3942, 4)
        d = a &+ rotate(d &+ h(a, b, c) &+ x8 &+ 0x8771F681, 11)
        c = d &+ rotate(c &+ h(d, a, b) &+ x11 &+ 0x6D9D6122, 16)
        b = c &+ rotate(b &+ h(c, d, a) &+ x14 &+ 0xFDE5380C, 23)
        a = b &+ rotate(a &+ h(b, c, d) &+ x1 &+ 0xA4BEEA44, 4)
        d = a &+ rotate(d &+ h(a, b, c) &+ x4 &+ 0x4BDECFA9, 11)
        c = d &+ rotate(c &+ h(d, a, b) &+ x7 &+ 0xF6BB4B60, 16)
        b = c &+ rotate(b &+ h(c, d, a) &+ x10 &+ 0xBEBFBC70, 23)
        a = b &+ rotate(a &+ h(b, c, d) &+ x13 &+ 0x289B7EC6, 4)
        d = a &+ rotate(d &+ h(a, b, c) &+ x0 &+ 0xEAA127FA, 11)
        c = d &+ rotate(c &+ h(d, a, b) &+ x3 &+ 0xD4EF3085, 16)
        b = c &+ rotate(b &+ h(c, d, a) &+ x6 &+ 0x04881D05, 23)
        a = b &+ rotate(a &+ h(b, c, d) &+ x9 &+ 0xD9D4D039, 4)
        d = a &+ rotate(d &+ h(a, b, c) &+ x12 &+ 0xE6DB99E5, 11)
        c = d &+ rotate(c &+ h(d, a, b) &+ x15 &+ 0x1FA27CF8, 16)
        b = c &+ rotate(b &+ h(c, d, a) &+ x2 &+ 0xC4AC5665, 23)
        a = b &+ rotate(a &+ i(b, c, d) &+ x0 &+ 0xF4292244, 6)
        d = a &+ rotate(d &+ i(a, b, c) &+ x7 &+ 0x432AFF97, 10)
        c = d &+ rotate(c &+ i(d, a, b) &+ x14 &+ 0xAB9423A7, 15)
        b = c &+ rotate(b &+ i(c, d, a) &+ x5 &+ 0xFC93A039, 21)
        a = b &+ rotate(a &+ i(b, c, d) &+ x12 &+ 0x655B59C3, 6)
        d = a &+ rotate(d &+ i(a, b, c) &+ x3 &+ 0x8F0CCC92, 10)
        c = d &+ rotate(c &+ i(d, a, b) &+ x10 &+ 0xFFEFF47D, 15)
        b = c &+ rotate(b &+ i(c, d, a) &+ x1 &+ 0x85845DD1, 21)
        a = b &+ rotate(a &+ i(b, c, d) &+ x8 &+ 0x6FA87E4F, 6)
        d = a &+ rotate(d &+ i(a, b, c) &+ x15 &+ 0xFE2CE6E0, 10)
        c = d &+ rotate(c &+ i(d, a, b) &+ x6 &+ 0xA3014314, 15)
        b = c &+ rotate(b &+ i(c, d, a) &+ x13 &+ 0x4E0811A1, 21)
        a = b &+ rotate(a &+ i(b, c, d) &+ x4 &+ 0xF7537E82, 6)
        d = a &+ rotate(d &+ i(a, b, c) &+ x11 &+ 0xBD3AF235, 10)
        c = d &+ rotate(c &+ i(d, a, b) &+ x2 &+ 0x2AD7D2BB, 15)
        b = c &+ rotate(b &+ i(c, d, a) &+ x9 &+ 0xEB86D391, 21)
        a0 = a0 &+ a; b0 = b0 &+ b; c0 = c0 &+ c; d0 = d0 &+ d
    }

    @inline(__always) private static func f(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 { (x & y) | (~x & z) }
    @inline(__always) private static func g(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 { (x & z) | (y & ~z) }
    @inline(__always) private static func h(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 { x ^ y ^ z }
    @inline(__always) private static func i(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 { y ^ (x | ~z) }
    @inline(__always) private static func rotate(_ x: UInt32, _ n: UInt32) -> UInt32 { (x << n) | (x >> (32 - n)) }
}
