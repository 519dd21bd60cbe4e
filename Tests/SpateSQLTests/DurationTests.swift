@testable import SpateSQL
import Testing

@Suite struct DurationTests {
    @Test(arguments: [
        ("1 MINUTE", Int64(60_000)), ("10 SECONDS", 10_000), ("2 HOURS", 7_200_000), ("500 MILLISECONDS", 500),
        ("1 DAY", 86_400_000), ("3 days", 259_200_000), ("1 second", 1_000), ("1 ms", 1), ("2 WEEKS", 1_209_600_000),
    ])
    func sqlDurations(text: String, milliseconds: Int64) throws {
        let select = try selectOf("SELECT a FROM t WINDOW TUMBLING (SIZE \(text))")
        #expect(select.window?.kind == .tumbling(size: SQLDuration(milliseconds: milliseconds)))
    }

    @Test(arguments: [
        ("24 hours", Int64(86_400_000)), ("24h", 86_400_000), ("500ms", 500), ("10s", 10_000), ("5m", 300_000), ("1d", 86_400_000),
        ("1h30m", 5_400_000), ("1 hour 30 minutes", 5_400_000), ("  90 Seconds ", 90_000), ("0 s", 0),
    ])
    func durationStrings(text: String, milliseconds: Int64) throws {
        let duration = try DurationText.parseDuration(text).get()
        #expect(duration.milliseconds == milliseconds)
    }

    @Test(arguments: ["", "hours", "1.5 hours", "10 parsecs", "99999999999999999999 ms", "9223372036854775807 days", "5 minutes 3"])
    func badDurationStrings(text: String) {
        #expect(throws: DurationTextError.self) { try DurationText.parseDuration(text).get() }
    }

    @Test func canonicalDurationText() {
        #expect(SQLDuration(milliseconds: 60_000).description == "1 MINUTE")
        #expect(SQLDuration(milliseconds: 90_000).description == "90 SECONDS")
        #expect(SQLDuration(milliseconds: 1_500).description == "1500 MILLISECONDS")
        #expect(SQLDuration(milliseconds: 86_400_000 * 14).description == "2 WEEKS")
        #expect(SQLDuration(milliseconds: 0).description == "0 MILLISECONDS")
        #expect(SQLDuration.of(Int64.max, .second) == nil)
    }

    @Test func zeroGraceIsAllowedZeroSizeIsNot() throws {
        #expect(try selectOf("SELECT a FROM t WINDOW TUMBLING (SIZE 1 MINUTE, GRACE 0 SECONDS)").window?.grace == SQLDuration(milliseconds: 0))
        #expect(parseError("SELECT a FROM t WINDOW SESSION (GAP '0s')")?.message == "session GAP must be longer than zero")
        #expect(parseError("SELECT a FROM t WINDOW TUMBLING (SIZE 1.5 MINUTES)")?.kind == .invalidValue)
        #expect(parseError("SELECT INTERVAL '0' HOUR")?.message == "an INTERVAL must be longer than zero")
        #expect(parseError("CREATE ALARM a ON METRIC m STATISTIC SUM PERIOD 0 SECONDS WHEN > 1 FOR 1 OF 1 PERIODS")?.message == "alarm PERIOD must be longer than zero")
    }

    @Test func stringDurationErrorsArePositionedAtTheString() {
        let error = parseError("SELECT a FROM t WINDOW TUMBLING (SIZE '10 parsecs')")
        #expect(error?.location.column == 39)
        #expect(error?.message == "window SIZE: expected a time unit (ms, seconds, minutes, hours, days) after 10 in '10 parsecs', found 'parsecs'")
    }

    @Test(arguments: [
        ("1 hour ago", TimePoint.ago(SQLDuration(milliseconds: 3_600_000))),
        ("15m ago", .ago(SQLDuration(milliseconds: 900_000))),
        ("2 DAYS AGO", .ago(SQLDuration(milliseconds: 172_800_000))),
        ("1970-01-01", .absolute(epochMilliseconds: 0)),
        ("2024-05-01T12:00:00Z", .absolute(epochMilliseconds: 1_714_564_800_000)),
        ("2024-05-01 12:00:00", .absolute(epochMilliseconds: 1_714_564_800_000)),
        ("2024-05-01T14:00:00+02:00", .absolute(epochMilliseconds: 1_714_564_800_000)),
        ("2024-05-01T12:00:00.25Z", .absolute(epochMilliseconds: 1_714_564_800_250)),
        ("2024-05-01T12:00:00.123456789-0030", .absolute(epochMilliseconds: 1_714_566_600_123)),
        ("2024-02-29T23:59", .absolute(epochMilliseconds: 1_709_251_140_000)),
        ("1969-12-31T23:59:59Z", .absolute(epochMilliseconds: -1_000)),
    ])
    func timePoints(text: String, point: TimePoint) throws {
        #expect(try DurationText.parseTimePoint(text).get() == point)
    }

    @Test(arguments: ["yesterday", "2023-02-29", "2024-13-01", "2024-05-01T25:00", "2024-05-01T12:00:00Q", "2024-5-1", "1 hour", "ago"])
    func badTimePoints(text: String) {
        #expect(throws: DurationTextError.self) { try DurationText.parseTimePoint(text).get() }
    }
}
