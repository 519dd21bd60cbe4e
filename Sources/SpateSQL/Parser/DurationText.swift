// DurationText: parses durations and points in time written inside strings:
// '24 hours', '500ms', '1h30m', '1 hour 30 minutes', '1 hour ago',
// '2024-05-01T12:00:00Z', '2024-05-01 12:00:00.250+02:00', '2024-05-01'.
//
// Layer: SpateSQL parser; pure functions over the string, no clock, no Foundation.
// Errors are returned as messages; the caller positions them at the string literal.
//
// Rules:
// - A duration is one or more `<whole number> <unit>` parts (space between number and
//   unit optional); units as in SQLDuration.Unit.named. The total must fit in Int64 ms.
// - A relative time is a duration followed by the word `ago`.
// - An absolute time is ISO-8601: YYYY-MM-DD, optionally followed by `T` or a space
//   and HH:MM[:SS[.fraction]], optionally followed by `Z` or an offset ±HH[:MM].
//   Without a zone the time is UTC. Fractions finer than a millisecond are truncated.

enum DurationText {
    /// Parses a duration string. Zero is returned as zero; callers decide if it is allowed.
    static func parseDuration(_ text: String) -> Result<SQLDuration, DurationTextError> {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        var total: Int64 = 0
        var parts = 0
        func skipSpaces() { while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 } }
        skipSpaces()
        while index < scalars.count {
            let numberStart = index
            while index < scalars.count, ("0"..."9").contains(scalars[index]) { index += 1 }
            if index == numberStart {
                return .failure(.init("expected a number in duration '\(text)', such as '10 minutes'"))
            }
            if index < scalars.count, scalars[index] == "." {
                return .failure(.init("durations are whole numbers of a unit: write '\(text)' with a smaller unit, e.g. '90 minutes' for 1.5 hours"))
            }
            guard let count = Int64(String(String.UnicodeScalarView(scalars[numberStart..<index]))) else {
                return .failure(.init("duration '\(text)' is too large"))
            }
            skipSpaces()
            let unitStart = index
            while index < scalars.count, scalars[index].properties.isAlphabetic { index += 1 }
            let word = String(String.UnicodeScalarView(scalars[unitStart..<index]))
            guard let unit = SQLDuration.Unit.named(word) else {
                let found = word.isEmpty ? "nothing" : "'\(word)'"
                return .failure(.init("expected a time unit (ms, seconds, minutes, hours, days) after \(count) in '\(text)', found \(found)",
                                      suggestion: NameSuggester.nearest(to: Keywords.uppercased(word), in: SQLDuration.Unit.suggestionNames)?.lowercased()))
            }
            guard let part = SQLDuration.of(count, unit) else { return .failure(.init("duration '\(text)' is too large")) }
            let (sum, overflow) = total.addingReportingOverflow(part.milliseconds)
            if overflow { return .failure(.init("duration '\(text)' is too large")) }
            total = sum
            parts += 1
            skipSpaces()
            if index < scalars.count, scalars[index] == "," { index += 1; skipSpaces() }
        }
        if parts == 0 { return .failure(.init("empty duration; write e.g. '10 minutes'")) }
        return .success(SQLDuration(milliseconds: total))
    }

    /// Parses '<duration> ago' or an ISO-8601 time.
    static func parseTimePoint(_ text: String) -> Result<TimePoint, DurationTextError> {
        let trimmed = text.trimmingSpaces
        let lower = trimmed.lowercased()
        if lower.hasSuffix("ago"), lower.count > 3 {
            let body = String(trimmed.dropLast(3))
            guard body.last == " " || body.last == "\t" || body.last.map({ $0.isLetter }) == true else {
                return .failure(.init("cannot read time '\(text)'"))
            }
            switch parseDuration(body) {
            case .success(let duration): return .success(.ago(duration))
            case .failure(let error): return .failure(error)
            }
        }
        if let first = trimmed.unicodeScalars.first, first.properties.numericType != nil,
           trimmed.unicodeScalars.count >= 5, Array(trimmed.unicodeScalars)[4] == "-" {
            return parseISO8601(trimmed).map { .absolute(epochMilliseconds: $0) }
        }
        if case .success = parseDuration(trimmed) {
            return .failure(.init("'\(text)' is a duration, not a time", suggestion: "'\(trimmed) ago'"))
        }
        return .failure(.init("cannot read time '\(text)': write an ISO-8601 time such as '2024-05-01T12:00:00Z' or a relative one such as '1 hour ago'"))
    }

    /// Milliseconds since the Unix epoch for an ISO-8601 date or date-time.
    static func parseISO8601(_ text: String) -> Result<Int64, DurationTextError> {
        let s = Array(text.utf8)
        var i = 0
        let invalid = DurationTextError("cannot read time '\(text)': expected YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH:MM]")
        func number(_ digits: Int) -> Int64? {
            guard i + digits <= s.count else { return nil }
            var value: Int64 = 0
            for k in 0..<digits {
                let b = s[i + k]
                guard b >= 0x30 && b <= 0x39 else { return nil }
                value = value * 10 + Int64(b - 0x30)
            }
            i += digits
            return value
        }
        func literal(_ c: Character) -> Bool {
            guard i < s.count, s[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let year = number(4), literal("-"), let month = number(2), literal("-"), let day = number(2) else { return .failure(invalid) }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else {
            return .failure(.init("'\(text)' is not a valid date"))
        }
        var hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, millisecond: Int64 = 0, offsetMinutes: Int64 = 0
        if i < s.count {
            guard literal("T") || literal("t") || literal(" ") else { return .failure(invalid) }
            guard let h = number(2), literal(":"), let m = number(2) else { return .failure(invalid) }
            hour = h; minute = m
            if literal(":") {
                guard let sec = number(2) else { return .failure(invalid) }
                second = sec
                if literal(".") || literal(",") {
                    var digits = 0
                    while i < s.count, s[i] >= 0x30, s[i] <= 0x39 {
                        if digits < 3 { millisecond = millisecond * 10 + Int64(s[i] - 0x30) }
                        digits += 1
                        i += 1
                    }
                    guard digits > 0, digits <= 9 else { return .failure(invalid) }
                    if digits < 3 { for _ in digits..<3 { millisecond *= 10 } }
                }
            }
            guard hour < 24, minute < 60, second < 60 else { return .failure(.init("'\(text)' is not a valid time of day")) }
            if literal("Z") || literal("z") {
            } else if i < s.count {
                let sign: Int64
                if literal("+") { sign = 1 } else if literal("-") { sign = -1 } else { return .failure(invalid) }
                guard let oh = number(2), oh <= 18 else { return .failure(invalid) }
                var om: Int64 = 0
                if literal(":") {
                    guard let value = number(2) else { return .failure(invalid) }
                    om = value
                } else if i < s.count {
                    guard let value = number(2) else { return .failure(invalid) }
                    om = value
                }
                guard om < 60 else { return .failure(invalid) }
                offsetMinutes = sign * (oh * 60 + om)
            }
            guard i == s.count else { return .failure(invalid) }
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
        return .success(seconds * 1000 + millisecond)
    }

    static func isLeap(_ year: Int64) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// Why a duration or time string could not be read.
struct DurationTextError: Error {
    var message: String
    var suggestion: String?

    init(_ message: String, suggestion: String? = nil) {
        self.message = message
        self.suggestion = suggestion
    }
}
