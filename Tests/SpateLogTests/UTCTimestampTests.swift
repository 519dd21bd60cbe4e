// Time text round trips, checked against Foundation's ISO 8601 formatter.

import Foundation
@testable import SpateLog
import Testing

@Suite struct UTCTimestampTests {
    @Test func formatsLikeFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let ms = Int64.random(in: -2_000_000_000_000...4_000_000_000_000, using: &generator)
            let expected = formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
            #expect(UTCTimestamp.format(ms) == expected)
            #expect(UTCTimestamp.parse(UTCTimestamp.format(ms)) == ms)
        }
    }

    @Test func parsesWhatUsersType() {
        #expect(UTCTimestamp.parse("1970-01-01") == 0)
        #expect(UTCTimestamp.parse("2024-11-23T22:13:20Z") == 1_732_400_000_000)
        #expect(UTCTimestamp.parse("2024-11-23 22:13:20.5") == 1_732_400_000_500)
        #expect(UTCTimestamp.parse("2024-11-23T23:13:20+01:00") == 1_732_400_000_000)
        #expect(UTCTimestamp.parse("2024-11-23T22:13") == 1_732_399_980_000)
        #expect(UTCTimestamp.parse("1732400000000") == 1_732_400_000_000)
        #expect(UTCTimestamp.parse("2024-02-30") == nil)
        #expect(UTCTimestamp.parse("2024-11-23T25:00") == nil)
        #expect(UTCTimestamp.parse("yesterday") == nil)
        #expect(UTCTimestamp.parse("2024-11-23T22:13:20Zjunk") == nil)
    }
}
