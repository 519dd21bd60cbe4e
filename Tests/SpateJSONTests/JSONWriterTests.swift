// JSONWriter's numbers are written as bytes (no String per value): checked
// against the text Swift's own formatting gives, for the timestamps the
// Kinesis endpoint writes per record and for integers of every width.

import Foundation
import SpateJSON
import Testing

@Suite struct JSONWriterTests {
    /// The AWS JSON protocol's timestamp: epoch seconds with three decimals,
    /// floored (a millisecond before the epoch is -1.999).
    static func expectedEpochSeconds(_ ms: Int64) -> String {
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        return "\(seconds)." + String(format: "%03d", Int(ms - seconds * 1000))
    }

    static func written(_ write: (inout JSONWriter) -> Void) -> String {
        var w = JSONWriter()
        w.beginArray()
        write(&w)
        w.endArray()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    @Test func epochSecondsAreFlooredWithThreeDecimals() {
        #expect(Self.written { $0.epochSeconds(ms: 1_700_000_000_123) } == "[1700000000.123]")
        #expect(Self.written { $0.epochSeconds(ms: 5) } == "[0.005]")
        #expect(Self.written { $0.epochSeconds(ms: 0) } == "[0.000]")
        #expect(Self.written { $0.epochSeconds(ms: -1) } == "[-1.999]")
        #expect(Self.written { $0.epochSeconds(ms: -1_000) } == "[-1.000]")
        var random = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let ms = Int64.random(in: -4_000_000_000_000...4_000_000_000_000, using: &random)
            #expect(Self.written { $0.epochSeconds(ms: ms) } == "[\(Self.expectedEpochSeconds(ms))]")
        }
    }

    @Test func integersOfEveryWidthAndBooleans() {
        #expect(Self.written { $0.integer(Int64.min); $0.integer(Int64.max); $0.integer(0); $0.integer(-7) }
                == "[-9223372036854775808,9223372036854775807,0,-7]")
        #expect(Self.written { $0.integer(UInt64.max); $0.integer(Int32.min); $0.integer(UInt8(255)) }
                == "[18446744073709551615,-2147483648,255]")
        #expect(Self.written { $0.bool(true); $0.bool(false) } == "[true,false]")
    }
}
