// SnappyCompressorTests.swift — the compressor's output decompressed by a test-only
// decoder written from google/snappy's format_description.txt (all four element
// kinds, so the decoder also accepts what other compressors write), over inputs
// that exercise literals, short and long copies, block boundaries and the worst case.

import Testing
@testable import SpateParquet

@Suite struct SnappyCompressorTests {
    func compress(_ input: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: SnappyCompressor.maxCompressedBytes(input.count))
        let count = input.withUnsafeBytes { source in
            output.withUnsafeMutableBufferPointer { SnappyCompressor.compress(source, into: $0.baseAddress!) }
        }
        #expect(count <= output.count)
        return Array(output[..<count])
    }

    /// Decompresses a raw Snappy block; nil if it is malformed.
    func decompress(_ input: [UInt8]) -> [UInt8]? {
        var offset = 0
        func byte() -> UInt8? {
            guard offset < input.count else { return nil }
            defer { offset += 1 }
            return input[offset]
        }
        func littleEndian(_ count: Int) -> Int? {
            var value = 0
            for index in 0..<count {
                guard let next = byte() else { return nil }
                value |= Int(next) << (8 * index)
            }
            return value
        }
        var expected = 0
        var shift = 0
        while true {
            guard let next = byte() else { return nil }
            expected |= Int(next & 0x7F) << shift
            if next < 0x80 { break }
            shift += 7
        }
        var output: [UInt8] = []
        while offset < input.count {
            let tag = input[offset]
            offset += 1
            var length: Int
            var distance: Int
            switch tag & 3 {
            case 0:
                length = Int(tag >> 2) + 1
                if tag >> 2 >= 60 {
                    guard let extra = littleEndian(Int(tag >> 2) - 59) else { return nil }
                    length = extra + 1
                }
                guard offset + length <= input.count else { return nil }
                output += input[offset..<(offset + length)]
                offset += length
                continue
            case 1:
                length = Int(tag >> 2 & 7) + 4
                guard let low = byte() else { return nil }
                distance = Int(tag >> 5) << 8 | Int(low)
            case 2:
                length = Int(tag >> 2) + 1
                guard let value = littleEndian(2) else { return nil }
                distance = value
            default:
                length = Int(tag >> 2) + 1
                guard let value = littleEndian(4) else { return nil }
                distance = value
            }
            guard distance > 0, distance <= output.count else { return nil }
            for _ in 0..<length { output.append(output[output.count - distance]) }
        }
        return output.count == expected ? output : nil
    }

    static func inputs() -> [(String, [UInt8])] {
        var generator = SystemRandomNumberGenerator()
        let random = (0..<200_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let text = Array((0..<20_000).map { "user\($0 % 997),\($0 * 31 % 1_000)\n" }.joined().utf8)
        var runs: [UInt8] = []
        while runs.count < 150_000 {
            runs += [UInt8](repeating: UInt8.random(in: 0...3, using: &generator), count: Int.random(in: 1...300, using: &generator))
        }
        var result: [(String, [UInt8])] = [("empty", []), ("one byte", [7]), ("zeros 1 MiB", [UInt8](repeating: 0, count: 1 << 20)),
                                          ("random", random), ("text", text), ("runs", runs)]
        for count in [14, 15, 16, 17, 59, 60, 61, 255, 256, 257, 65_535, 65_536, 65_537, 131_073] {
            result.append(("text prefix \(count)", Array(text.prefix(count))))
            result.append(("random prefix \(count)", Array(random.prefix(count))))
        }
        return result
    }

    @Test func everyInputDecompressesToItself() {
        for (name, input) in Self.inputs() {
            let compressed = compress(input)
            #expect(decompress(compressed) == input, "\(name)")
        }
    }

    @Test func repetitiveInputShrinksAndRandomInputStaysWithinTheBound() {
        let zeros = compress([UInt8](repeating: 0, count: 1 << 20))
        #expect(zeros.count < (1 << 20) / 20)
        // Lines that repeat every 1,261 lines (about 12 KB), well inside a 64 KiB block.
        let text = Array((0..<20_000).map { "{\"userId\":\"user\($0 % 97)\",\"n\":\($0 % 13)}\n" }.joined().utf8)
        #expect(compress(text).count < text.count / 4)
        var generator = SystemRandomNumberGenerator()
        let random = (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        #expect(compress(random).count <= random.count + random.count / 100)
    }

    @Test func shortInputIsOneLiteral() {
        #expect(compress(Array("abc".utf8)) == [0x03, 0x08, 0x61, 0x62, 0x63])
    }
}
