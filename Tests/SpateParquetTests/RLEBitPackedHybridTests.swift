// RLEBitPackedHybridTests.swift — definition levels encoded and decoded again by a
// test-only decoder written from the format description, over hand-picked and
// random NULL patterns; and the exact bytes of the common cases.

import Testing
@testable import SpateParquet

@Suite struct RLEBitPackedHybridTests {
    func encode(_ levels: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        levels.withUnsafeBufferPointer { RLEBitPackedHybrid.encode($0, into: &out) }
        return out
    }

    /// Decodes `count` levels of bit width 1.
    func decode(_ bytes: [UInt8], count: Int) -> [UInt8]? {
        var levels: [UInt8] = []
        var offset = 0
        while levels.count < count {
            var header: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard offset < bytes.count else { return nil }
                header |= UInt64(bytes[offset] & 0x7F) << shift
                offset += 1
                if bytes[offset - 1] < 0x80 { break }
                shift += 7
            }
            if header & 1 == 0 {
                guard offset < bytes.count else { return nil }
                levels += [UInt8](repeating: bytes[offset], count: Int(header >> 1))
                offset += 1
            } else {
                for _ in 0..<Int(header >> 1) {
                    guard offset < bytes.count else { return nil }
                    for bit in 0..<8 { levels.append(bytes[offset] >> UInt8(bit) & 1) }
                    offset += 1
                }
            }
        }
        guard offset == bytes.count, levels[count...].allSatisfy({ $0 == 0 }) else { return nil }
        return Array(levels[..<count])
    }

    @Test func aPageWithoutNullsIsOneRun() {
        #expect(encode([UInt8](repeating: 1, count: 1_000)) == [0xD0, 0x0F, 0x01])  // 2000 as a varint, then 1
        #expect(encode([UInt8](repeating: 0, count: 3)) == [0x06, 0x00])
        #expect(encode([1]) == [0x02, 0x01])
    }

    @Test func mixedLevelsArePackedLeastSignificantBitFirst() {
        // 1 0 1 1 0 0 0 1 | 1 1: one bit-packed run of two groups.
        #expect(encode([1, 0, 1, 1, 0, 0, 0, 1, 1, 1]) == [0x05, 0b1000_1101, 0b0000_0011])
    }

    @Test func everyPatternDecodesToItself() {
        var generator = SystemRandomNumberGenerator()
        var patterns: [[UInt8]] = []
        for count in 1...70 {
            patterns.append((0..<count).map { _ in UInt8.random(in: 0...1, using: &generator) })
            patterns.append((0..<count).map { $0 % 17 == 3 ? 0 : 1 })
            patterns.append((0..<count).map { $0 / 9 % 2 == 0 ? 1 : 0 })
        }
        for _ in 0..<200 {
            var pattern: [UInt8] = []
            while pattern.count < 5_000 {
                let run = Int.random(in: 1...40, using: &generator)
                pattern += [UInt8](repeating: UInt8.random(in: 0...1, using: &generator), count: run)
            }
            patterns.append(pattern)
        }
        for pattern in patterns {
            #expect(decode(encode(pattern), count: pattern.count) == pattern, "\(pattern.prefix(40))")
        }
    }

    @Test func packBitsPadsTheLastByte() {
        var out: [UInt8] = []
        [1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1].withUnsafeBufferPointer { RLEBitPackedHybrid.packBits($0, into: &out) }
        #expect(out == [0b0000_0011, 0b0000_0101])
    }
}
