// Unix milliseconds ⇄ ISO 8601 text in UTC, without Foundation: arrival times
// are printed for every record `spate cat --meta` shows, so formatting must be
// cheap. Accepts what users type for a point in time: `2026-11-26`,
// `2026-11-26T14:05`, `2026-11-26 14:05:09.250Z`, `…+01:00`, or epoch ms digits.

/// Conversions between Unix epoch milliseconds and ISO 8601 UTC text.
public enum UTCTimestamp {
    /// `2026-11-26T14:05:09.250Z`.
    public static func format(_ ms: Int64) -> String {
        let (days, msOfDay) = ms.quotientAndRemainder(dividingBy: 86_400_000)
        let (d, t) = msOfDay < 0 ? (days - 1, msOfDay + 86_400_000) : (days, msOfDay)
        let (year, month, day) = civil(fromDays: d)
        let hour = t / 3_600_000, minute = t / 60_000 % 60, second = t / 1000 % 60, milli = t % 1000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(milli, 3))Z"
    }

    /// Parses an ISO 8601 date or date-time (UTC unless an offset is given), or
    /// a number of epoch milliseconds; nil when the text is neither.
    public static func parse(_ text: String) -> Int64? {
        let s = Array(text.utf8)
        if !s.isEmpty, s.allSatisfy({ $0 >= 48 && $0 <= 57 }) { return Int64(text) }
        var i = 0
        func number(_ digits: Int) -> Int64? {
            guard i + digits <= s.count else { return nil }
            var value: Int64 = 0
            for k in i..<i + digits {
                guard s[k] >= 48 && s[k] <= 57 else { return nil }
                value = value * 10 + Int64(s[k] - 48)
            }
            i += digits
            return value
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < s.count, s[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2),
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day) else { return nil }
        var ms = days(fromCivil: year, month, day) * 86_400_000
        if i == s.count { return ms }
        guard expect(84) || expect(32) || expect(116) else { return nil }  // 'T', ' ', 't'
        guard let hour = number(2), hour < 24, expect(58), let minute = number(2), minute < 60 else { return nil }
        ms += hour * 3_600_000 + minute * 60_000
        if expect(58) {
            guard let second = number(2), second < 60 else { return nil }
            ms += second * 1000
            if expect(46) || expect(44) {
                var scale: Int64 = 100
                var digits = 0
                while i < s.count, s[i] >= 48 && s[i] <= 57 {
                    ms += Int64(s[i] - 48) * scale
                    scale /= 10
                    i += 1
                    digits += 1
                }
                guard digits > 0 else { return nil }
            }
        }
        if i == s.count || expect(90) || expect(122) { return i == s.count ? ms : nil }  // 'Z'
        let sign: Int64
        if expect(43) { sign = 1 } else if expect(45) { sign = -1 } else { return nil }
        guard let offsetHours = number(2) else { return nil }
        _ = expect(58)
        let offsetMinutes = number(2) ?? 0
        guard i == s.count, offsetHours < 24, offsetMinutes < 60 else { return nil }
        return ms - sign * (offsetHours * 3_600_000 + offsetMinutes * 60_000)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    private static func isLeap(_ year: Int64) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
