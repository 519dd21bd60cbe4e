// JSONNumber.swift — JSON number text to Double and Int64, and Int64 to text.
//
// Layer: SpateJSON. The SQL runtime decodes the number fields a
// query reads (`amount`, `timestamp`) for every record, so this is hot.
//
// Double: correctly rounded (bit-identical to Swift's `Double(String)`):
// - Fast path (Clinger, 1990): when the decimal significand has at most 19
//   digits, fits in 53 bits, and the decimal exponent is within ±22, both the
//   significand and 10^|exponent| are exact doubles, so ONE IEEE multiply or
//   divide gives the correctly rounded result. Covers typical data
//   (`338.72`, `1732400000004`) with no call and no copy.
// - Otherwise: Glibc `strtod` on a NUL-terminated copy in a stack buffer
//   (`withUnsafeTemporaryAllocation`; heap only for absurdly long numbers).
//   `strtod` honours LC_NUMERIC: Spate never calls `setlocale`, so the C
//   locale (decimal point `.`) applies; a host program that sets LC_NUMERIC to
//   a comma locale would break the slow path (Glibc's `strtod_l` is not
//   visible from Swift's Glibc module).
// - Overflow: magnitudes above Double.greatestFiniteMagnitude round to
//   ±infinity (`1e309` → +inf), underflow to a subnormal or ±0, exactly like
//   IEEE 754 and `Double(String)`. JSON cannot spell inf/NaN, so a non-finite
//   result always means "out of range"; callers that must reject it check
//   `isFinite`.
//
// Int64: exact, from integer literals only: `1.0`, `1e3` and values outside
// Int64's range give nil (the caller then falls back to parseDouble).
//
// Both functions accept exactly the RFC 8259 number grammar (no surrounding
// whitespace, no `+`, no leading zeros) and return nil for anything else, so
// they are safe on bytes that were never scanned.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decoding of JSON number literals (as located by `JSONScanner`).
public enum JSONNumber {
    /// The Double nearest to the JSON number `bytes` (correctly rounded,
    /// ties to even), or nil when `bytes` is not a JSON number.
    ///
    /// Out-of-range magnitudes give ±infinity or ±0, as in IEEE 754.
    /// - Complexity: O(bytes.count). No allocation; numbers that miss the fast
    ///   path (more than 15-19 significant digits or exponent beyond ±22) cost
    ///   a copy and a `strtod` call.
    public static func parseDouble(_ bytes: UnsafeRawBufferPointer) -> Double? {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return nil }
        let digits = base.assumingMemoryBound(to: UInt8.self)
        guard let decimal = Decimal.parse(digits, count: bytes.count) else { return nil }
        if let fast = decimal.fastDouble() { return fast }
        return slowDouble(digits, count: bytes.count)
    }

    /// The Int64 value of the JSON integer literal `bytes` (`-?(0|[1-9][0-9]*)`),
    /// or nil when `bytes` is not an integer literal or is out of range.
    /// - Complexity: O(bytes.count), no allocation.
    public static func parseInt64(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        guard let base = bytes.baseAddress, bytes.count > 0, bytes.count <= 20 else { return nil }
        let text = base.assumingMemoryBound(to: UInt8.self)
        let count = bytes.count
        let negative = text[0] == JSONByte.minus
        var index = negative ? 1 : 0
        guard index < count else { return nil }
        if text[index] == JSONByte.zero && count - index > 1 { return nil }  // leading zero
        if count - index <= 18 {
            // At most 18 digits cannot overflow: no per-digit overflow checks.
            // Eight digits at a time first (epoch milliseconds have 13).
            var magnitude: Int64 = 0
            while count - index >= 8 {
                guard let eight = eightDigits(text + index) else { return nil }
                magnitude = magnitude &* 100_000_000 &+ Int64(eight)
                index += 8
            }
            while index < count {
                let digit = text[index] &- JSONByte.zero
                guard digit < 10 else { return nil }
                magnitude = magnitude &* 10 &+ Int64(digit)
                index += 1
            }
            return negative ? -magnitude : magnitude
        }
        // Accumulate negatively: Int64's range has one more negative value.
        var value: Int64 = 0
        while index < count {
            let digit = text[index] &- JSONByte.zero
            guard digit < 10 else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = times10.subtractingReportingOverflow(Int64(digit))
            if overflow1 || overflow2 { return nil }
            value = next
            index += 1
        }
        if negative { return value }
        return value == .min ? nil : -value
    }

    // MARK: Numbers the scanner has checked

    /// `parseDouble` for bytes the scanner located as a JSON number (so the
    /// grammar holds): one loop over the digits for the common shape
    /// `-?digits(.digits)?` with at most 19 digits, then Clinger's exact
    /// multiply or divide — the same correctly rounded result as `parseDouble`,
    /// to which anything else (exponents, long numbers) goes. Measured: the
    /// generic path's grammar checks were a third of the number decoding.
    @inline(__always)
    public static func parseScannedDouble(_ bytes: UnsafeRawBufferPointer) -> Double? {
        guard let base = bytes.baseAddress, bytes.count > 0, bytes.count <= 19 else { return parseDouble(bytes) }  // ≤ 19 digits
        let text = base.assumingMemoryBound(to: UInt8.self)
        let negative = text[0] == JSONByte.minus
        var index = negative ? 1 : 0
        var significand: UInt64 = 0
        var fractionDigits = 0
        var afterDot = false
        while index < bytes.count {
            let byte = text[index]
            index += 1
            if byte == JSONByte.dot { afterDot = true; continue }
            let digit = byte &- JSONByte.zero
            guard digit < 10 else { return parseDouble(bytes) }  // an exponent
            significand = significand &* 10 &+ UInt64(digit)  // ≤ 19 digits: no overflow
            if afterDot { fractionDigits += 1 }
        }
        guard significand <= 1 << 53 else { return parseDouble(bytes) }
        var value = Double(significand)
        if fractionDigits > 0 { value /= Decimal.powerOfTen(fractionDigits) }  // ≤ 19: exact power
        return negative ? -value : value
    }

    /// `parseInt64` for bytes the scanner located as a JSON number: nil for a
    /// fraction or exponent (the caller then tries `parseDouble`), exact otherwise.
    @inline(__always)
    public static func parseScannedInt64(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        guard let base = bytes.baseAddress, bytes.count > 0, bytes.count <= 18 else { return parseInt64(bytes) }
        let text = base.assumingMemoryBound(to: UInt8.self)
        let negative = text[0] == JSONByte.minus
        var index = negative ? 1 : 0
        var magnitude: Int64 = 0
        while bytes.count - index >= 8 {
            guard let eight = eightDigits(text + index) else { return nil }
            magnitude = magnitude &* 100_000_000 &+ Int64(eight)
            index += 8
        }
        let left = bytes.count - index
        if left > 0 && bytes.count >= 8 {
            // The last `left` digits with one more SWAR step: the 8 bytes that end
            // with them, the bytes before them (already counted) replaced by '0'.
            let last = UInt64(littleEndian: UnsafeRawPointer(text + bytes.count - 8).loadUnaligned(as: UInt64.self))
            let counted: UInt64 = (1 << (8 * UInt64(8 - left))) - 1
            guard let tail = eightDigits(word: (last & ~counted) | (0x3030_3030_3030_3030 & counted)) else { return nil }
            magnitude = magnitude &* Int64(Decimal.powerOfTen(left)) &+ Int64(tail)  // 10^1...10^7, exact
            index = bytes.count
        }
        while index < bytes.count {
            let digit = text[index] &- JSONByte.zero
            guard digit < 10 else { return nil }
            magnitude = magnitude &* 10 &+ Int64(digit)
            index += 1
        }
        return negative ? -magnitude : magnitude
    }

    /// The value of the eight ASCII digits at `text`, or nil when one is not a
    /// digit: SWAR, three multiplies instead of eight dependent multiply-adds
    /// (the technique of simdjson's parse_eight_digits_unrolled; measured: the
    /// timestamp's parse fell from 6 % to 2 % of the reference query).
    @inline(__always)
    static func eightDigits(_ text: UnsafePointer<UInt8>) -> UInt64? {
        eightDigits(word: UInt64(littleEndian: UnsafeRawPointer(text).loadUnaligned(as: UInt64.self)))
    }

    /// `eightDigits` of a little-endian word (first digit in the lowest byte).
    @inline(__always)
    static func eightDigits(word: UInt64) -> UInt64? {
        // Every byte 0x30...0x39: high nibble 3, and adding 6 keeps it 3.
        let highNibbles = (word & 0xF0F0_F0F0_F0F0_F0F0) | (((word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4)
        guard highNibbles == 0x3333_3333_3333_3333 else { return nil }
        var value = word & 0x0F0F_0F0F_0F0F_0F0F
        value = (value &* (10 << 8 + 1)) >> 8  // pairs: 10·a + b in every second byte
        value = ((value & 0x00FF_00FF_00FF_00FF) &* (100 << 16 + 1)) >> 16  // quads in every second 16-bit lane
        return ((value & 0x0000_FFFF_0000_FFFF) &* (10_000 << 32 + 1)) >> 32
    }

    /// `strtod` on a NUL-terminated stack copy: correctly rounded for any length.
    private static func slowDouble(_ text: UnsafePointer<UInt8>, count: Int) -> Double? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buffer -> Double? in
            let copy = buffer.baseAddress!
            UnsafeMutableRawPointer(copy).copyMemory(from: text, byteCount: count)
            copy[count] = 0
            var parsedEnd: UnsafeMutablePointer<CChar>? = nil
            let value = strtod(copy, &parsedEnd)
            // The grammar was checked already; strtod must consume everything.
            guard parsedEnd == copy + count else { return nil }
            return value
        }
    }
}

extension JSONNumber {
    /// A JSON number split into sign, significand (up to 19 digits) and
    /// decimal exponent, checking the grammar on the way.
    struct Decimal {
        var negative: Bool
        var significand: UInt64
        var exponent10: Int
        /// A nonzero digit did not fit in the 19-digit significand.
        var truncated: Bool

        /// Exponents beyond this are all "out of range" for a Double; capping
        /// keeps the arithmetic from overflowing on `1e99999999999999999999`.
        static let exponentCap = 100_000

        static func parse(_ text: UnsafePointer<UInt8>, count: Int) -> Decimal? {
            var index = 0
            var result = Decimal(negative: false, significand: 0, exponent10: 0, truncated: false)
            var significantDigits = 0
            if text[0] == JSONByte.minus { result.negative = true; index = 1 }
            guard index < count, JSONByte.isDigit(text[index]) else { return nil }
            if text[index] == JSONByte.zero {
                index += 1
                if index < count, JSONByte.isDigit(text[index]) { return nil }
            } else {
                while index < count, JSONByte.isDigit(text[index]) {
                    let digit = UInt64(text[index] &- JSONByte.zero)
                    if significantDigits < 19 {
                        result.significand = result.significand &* 10 &+ digit
                        significantDigits += 1
                    } else {
                        result.exponent10 += 1
                        if digit != 0 { result.truncated = true }
                    }
                    index += 1
                }
            }
            if index < count, text[index] == JSONByte.dot {
                index += 1
                guard index < count, JSONByte.isDigit(text[index]) else { return nil }
                while index < count, JSONByte.isDigit(text[index]) {
                    let digit = UInt64(text[index] &- JSONByte.zero)
                    if significantDigits < 19 {
                        if result.significand != 0 || digit != 0 {
                            result.significand = result.significand &* 10 &+ digit
                            significantDigits += 1
                        }
                        result.exponent10 -= 1
                    } else if digit != 0 {
                        result.truncated = true
                    }
                    index += 1
                }
            }
            if index < count, text[index] | 0x20 == JSONByte.lowerE {
                index += 1
                var exponentNegative = false
                if index < count, text[index] == JSONByte.plus || text[index] == JSONByte.minus {
                    exponentNegative = text[index] == JSONByte.minus
                    index += 1
                }
                guard index < count, JSONByte.isDigit(text[index]) else { return nil }
                var exponent = 0
                while index < count, JSONByte.isDigit(text[index]) {
                    if exponent < exponentCap { exponent = exponent * 10 + Int(text[index] &- JSONByte.zero) }
                    index += 1
                }
                result.exponent10 += exponentNegative ? -exponent : exponent
            }
            return index == count ? result : nil
        }

        /// The correctly rounded Double when Clinger's fast path applies, else nil.
        @inline(__always)
        func fastDouble() -> Double? {
            if truncated { return nil }
            if significand == 0 { return negative ? -0.0 : 0.0 }
            guard significand <= 1 << 53, exponent10 >= -22, exponent10 <= 22 else { return nil }
            var value = Double(significand)  // exact: at most 53 bits
            if exponent10 >= 0 {
                value *= Self.powerOfTen(exponent10)
            } else {
                value /= Self.powerOfTen(-exponent10)
            }
            return negative ? -value : value
        }

        /// 10^exponent for 0...22, all exactly representable as Double.
        @inline(__always)
        static func powerOfTen(_ exponent: Int) -> Double {
            switch exponent {
            case 0: return 1e0
            case 1: return 1e1
            case 2: return 1e2
            case 3: return 1e3
            case 4: return 1e4
            case 5: return 1e5
            case 6: return 1e6
            case 7: return 1e7
            case 8: return 1e8
            case 9: return 1e9
            case 10: return 1e10
            case 11: return 1e11
            case 12: return 1e12
            case 13: return 1e13
            case 14: return 1e14
            case 15: return 1e15
            case 16: return 1e16
            case 17: return 1e17
            case 18: return 1e18
            case 19: return 1e19
            case 20: return 1e20
            case 21: return 1e21
            default: return 1e22
            }
        }
    }

    /// Appends `i` in decimal to `out`, two digits at a time written
    /// backwards into a stack buffer (no String on the way: a job's result
    /// rows write five or more a row, most of them 13-digit timestamps).
    public static func appendDecimal(_ i: Int64, to out: inout [UInt8]) {
        if i < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = i.magnitude
        if magnitude < 10 { return out.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude)) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            while magnitude >= 100 {
                let (quotient, pair) = magnitude.quotientAndRemainder(dividingBy: 100)
                start -= 2
                digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: pair / 10)
                digits[start + 1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: pair % 10)
                magnitude = quotient
            }
            if magnitude >= 10 {
                start -= 2
                digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude / 10)
                digits[start + 1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
            } else {
                start -= 1
                digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude)
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }
}
