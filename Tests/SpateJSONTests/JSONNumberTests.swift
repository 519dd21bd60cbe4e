// JSONNumberTests.swift — number text to Double and Int64, checked against Swift's own parser,
// and Int64 to text against Swift's own.

import Testing
@testable import SpateJSON

@Suite struct JSONNumberTests {
    func double(_ text: String) -> Double? { withBytes(text) { JSONNumber.parseDouble($0) } }
    func int64(_ text: String) -> Int64? { withBytes(text) { JSONNumber.parseInt64($0) } }

    @Test func doubleEdgeCases() {
        #expect(double("0")?.bitPattern == (0.0).bitPattern)
        #expect(double("-0")?.bitPattern == (-0.0).bitPattern)
        #expect(double("-0.0e5")?.bitPattern == (-0.0).bitPattern)
        #expect(double("0.1") == 0.1)
        #expect(double("338.72") == 338.72)
        #expect(double("-122.026020") == -122.026020)
        #expect(double("1e308") == 1e308)
        #expect(double("1.7976931348623157e308") == .greatestFiniteMagnitude)
        // Out of range rounds to infinity, as IEEE 754 and Double(String) do.
        #expect(double("1e309") == .infinity)
        #expect(double("-1e309") == -.infinity)
        #expect(double("1e99999999999999999999") == .infinity)
        #expect(double("4.9e-324") == .leastNonzeroMagnitude)
        #expect(double("1e-400")?.bitPattern == (0.0).bitPattern)
        #expect(double("-1e-400")?.bitPattern == (-0.0).bitPattern)
        #expect(double("1732400000004") == 1_732_400_000_004)
        #expect(double("9007199254740993") == 9_007_199_254_740_992)  // 2^53 + 1 rounds to even
        #expect(double("123456789012345678901234567890") == 1.2345678901234568e29)
        #expect(double("0.000000000000000000000000000001") == 1e-30)
        #expect(double("1E+2") == 100)
        #expect(double("2.5E-3") == 0.0025)
    }

    @Test(arguments: ["", "-", "1.", ".5", "+1", "01", "-01", "1e", "1e+", "1.e5", "1x", " 1", "1 ", "0x10",
                      "NaN", "Infinity", "--1", "1..2", "1e5.5"])
    func doubleRejectsNonJSONNumbers(_ text: String) {
        #expect(double(text) == nil)
    }

    @Test func int64IsExact() {
        #expect(int64("123456789012345678") == 123_456_789_012_345_678)
        #expect(int64("1732400000004") == 1_732_400_000_004)
        #expect(int64("0") == 0)
        #expect(int64("-0") == 0)
        #expect(int64("9223372036854775807") == .max)
        #expect(int64("-9223372036854775808") == .min)
        #expect(int64("9223372036854775808") == nil)
        #expect(int64("-9223372036854775809") == nil)
        #expect(int64("99999999999999999999") == nil)
        #expect(int64("1.0") == nil)
        #expect(int64("1e3") == nil)
        #expect(int64("01") == nil)
        #expect(int64("-") == nil)
        #expect(int64("") == nil)
        #expect(int64("12a") == nil)
    }

    /// 100k random decimal strings of many shapes (short and long significands,
    /// fractions, exponents up to ±350, subnormals, overflow): every result must
    /// be bit-identical to Swift's correctly rounded `Double(String)`.
    @Test func doubleMatchesSwiftBitForBit() {
        var random = SplitMix64(seed: 0x5EED)
        var fastAndSlow = (0, 0)
        for _ in 0 ..< 100_000 {
            let text = Self.randomDecimal(using: &random)
            guard let expected = Double(text) else {
                Issue.record("Swift rejects \(text)")
                continue
            }
            let parsed = withBytes(text) { JSONNumber.parseDouble($0) }
            #expect(parsed?.bitPattern == expected.bitPattern, "\(text): \(String(describing: parsed)) != \(expected)")
            if text.count <= 17 { fastAndSlow.0 += 1 } else { fastAndSlow.1 += 1 }
        }
        #expect(fastAndSlow.0 > 10_000 && fastAndSlow.1 > 10_000)  // both paths exercised
    }

    /// The scanner-trusting parsers (the query's path for number fields) must
    /// agree bit for bit with the checking ones on every valid JSON number.
    @Test func scannedParsersMatchTheCheckingOnes() {
        var random = SplitMix64(seed: 0x5CA7)
        var integers = 0
        for _ in 0 ..< 100_000 {
            let text = Self.randomDecimal(using: &random)
            let checked = withBytes(text) { JSONNumber.parseDouble($0) }
            let scanned = withBytes(text) { JSONNumber.parseScannedDouble($0) }
            #expect(scanned?.bitPattern == checked?.bitPattern, "\(text)")
            let checkedInteger = withBytes(text) { JSONNumber.parseInt64($0) }
            let scannedInteger = withBytes(text) { JSONNumber.parseScannedInt64($0) }
            #expect(scannedInteger == checkedInteger, "\(text)")
            if checkedInteger != nil { integers += 1 }
        }
        #expect(integers > 5_000)
        for text in ["0", "-0", "-0.0", "0.05", "1732400000000", "-1732400000000", "123456789012345678", "9007199254740993",
                     "12345678901234567.8", "999999999999999999", "1.7976931348623157", "4.9"] {
            #expect(withBytes(text) { JSONNumber.parseScannedDouble($0) }?.bitPattern == Double(text)?.bitPattern, "\(text)")
            #expect(withBytes(text) { JSONNumber.parseScannedInt64($0) } == withBytes(text) { JSONNumber.parseInt64($0) }, "\(text)")
        }
    }

    static func randomDecimal(using random: inout SplitMix64) -> String {
        var text = Bool.random(using: &random) ? "-" : ""
        let integerDigits = Int.random(in: 1 ... (Bool.random(using: &random) ? 6 : 25), using: &random)
        if Int.random(in: 0 ..< 5, using: &random) == 0 {
            text += "0"
        } else {
            text += String(Int.random(in: 1 ... 9, using: &random))
            for _ in 1 ..< integerDigits { text += String(Int.random(in: 0 ... 9, using: &random)) }
        }
        if Bool.random(using: &random) {
            text += "."
            let fractionDigits = Int.random(in: 1 ... (Bool.random(using: &random) ? 4 : 30), using: &random)
            for _ in 0 ..< fractionDigits { text += String(Int.random(in: 0 ... 9, using: &random)) }
        }
        switch Int.random(in: 0 ..< 4, using: &random) {
        case 0: text += "e\(Int.random(in: -25 ... 25, using: &random))"
        case 1: text += "E+\(Int.random(in: 0 ... 350, using: &random))"
        case 2: text += "e-\(Int.random(in: 0 ... 350, using: &random))"
        default: break
        }
        return text
    }

    /// appendDecimal writes what String(i) writes: every digit count, both
    /// signs, the extremes, and values around each power of ten.
    @Test func decimalTextMatchesSwift() {
        var values: [Int64] = [0, 1, 9, 10, 11, 99, 100, 101, 999, 1_000, 1_700_000_000_000, .max, .min, .min + 1]
        var power: Int64 = 1
        for _ in 0..<18 {
            power *= 10
            values += [power - 1, power, power + 1]
        }
        var random = SystemRandomNumberGenerator()
        for _ in 0..<10_000 { values.append(Int64(bitPattern: random.next()) >> Int64.random(in: 0..<63, using: &random)) }
        for value in values + values.map { $0 == .min ? .max : -$0 } {
            var out: [UInt8] = [UInt8(ascii: "[")]
            JSONNumber.appendDecimal(value, to: &out)
            #expect(out == Array("[\(value)".utf8))
        }
    }
}
