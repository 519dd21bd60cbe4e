// CRC32C against its published check value and a bit-by-bit reference; MD5
// against RFC 1321's test suite; routing against Python's hashlib.

@testable import SpateLog
import Testing

@Suite struct ChecksumTests {
    /// The textbook bitwise CRC32C, independent of the table-driven code.
    func referenceCRC32C(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }

    /// Three checksums computed together equal three computed apart, at every
    /// length from 0 to 80 in every combination of short and long.
    @Test func threeInterleavedChecksumsEqualSeparateOnes() {
        var random = SystemRandomNumberGenerator()
        let data = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }
        data.withUnsafeBytes { raw in
            let base = raw.baseAddress!
            for a in stride(from: 0, through: 80, by: 7) {
                for b in 0...80 {
                    let c = (a * 31 + b * 17) % 200
                    let (x, y, z) = CRC32C.checksums(base + 1, a, base + 300, b, base + 1003, c)
                    #expect(x == CRC32C.checksum(UnsafeRawBufferPointer(start: base + 1, count: a)))
                    #expect(y == CRC32C.checksum(UnsafeRawBufferPointer(start: base + 300, count: b)))
                    #expect(z == CRC32C.checksum(UnsafeRawBufferPointer(start: base + 1003, count: c)))
                }
            }
        }
    }

    @Test func crc32cCheckValue() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
    }

    @Test func crc32cMatchesBitwiseReferenceAtEveryLengthAndAlignment() {
        var generator = SystemRandomNumberGenerator()
        let data = (0..<300).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for start in 0..<9 {
            for length in stride(from: 0, to: 280, by: 7) {
                let slice = Array(data[start..<start + length])
                #expect(CRC32C.checksum(slice) == referenceCRC32C(slice))
            }
        }
    }

    @Test func crc32cUpdateContinuesAChecksum() {
        let whole = Array("the quick brown fox jumps over the lazy dog".utf8)
        let first = whole.withUnsafeBytes { CRC32C.update(0, UnsafeRawBufferPointer(rebasing: $0[0..<10])) }
        let both = whole.withUnsafeBytes { CRC32C.update(first, UnsafeRawBufferPointer(rebasing: $0[10...])) }
        #expect(both == CRC32C.checksum(whole))
    }

    func hex(_ value: UInt128) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 32 - digits.count) + digits
    }

    @Test func md5MatchesRFC1321TestSuite() {
        let suite: [(String, String)] = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            ("12345678901234567890123456789012345678901234567890123456789012345678901234567890",
             "57edf4a22be3c955ac49da2e2107b67a"),
        ]
        for (input, expected) in suite {
            #expect(hex(MD5.digest(Array(input.utf8))) == expected, "MD5(\"\(input)\")")
        }
    }

    @Test func md5AcrossBlockBoundaries() {
        // Lengths 55, 56, 63, 64, 65 exercise the one- and two-block paddings;
        // expected digests from Python's hashlib.
        let expected: [Int: String] = [
            55: "ef1772b6dff9a122358552954ad0df65", 56: "3b0c8ac703f828b04c6c197006d17218",
            63: "b06521f39153d618550606be297466d5", 64: "014842d480b571495a4a0363793f7367",
            65: "c743a45e0d2e6a95cb859adae0248435",
        ]
        for (length, digest) in expected {
            #expect(hex(MD5.digest(Array(repeating: UInt8(ascii: "a"), count: length))) == digest, "length \(length)")
        }
    }
}
