// Parser + durations and times: `1 MINUTE`, `'24 hours'`, SINCE/UNTIL/FROM positions.
//
// Layer: SpateSQL parser. Durations are validated here, where the text is, so that
// a zero, negative or overflowing duration is reported at the number that caused it.

extension Parser {
    /// A duration written as `<integer> <unit>` or as a string ('24 hours').
    ///
    /// - Parameters:
    ///   - what: names the duration in errors ("window SIZE").
    ///   - allowZero: whether zero is a valid value (only GRACE).
    mutating func parseDuration(_ what: String, allowZero: Bool) throws(SQLError) -> SQLDuration {
        let start = current
        let duration: SQLDuration
        switch start.kind {
        case .string:
            advance()
            switch DurationText.parseDuration(start.text) {
            case .success(let value): duration = value
            case .failure(let failure):
                throw error(.invalidValue, "\(what): \(failure.message)", at: start, suggestion: failure.suggestion.map { "'\($0)'" })
            }
        case .minus:
            throw error(.invalidValue, "\(what) cannot be negative", at: start)
        case .decimal:
            throw error(.invalidValue, "\(what) must be a whole number of a unit; use a smaller unit (e.g. 90 SECONDS for 1.5 minutes)", at: start)
        case .integer:
            advance()
            guard let count = Int64(start.text) else {
                throw error(.invalidValue, "\(what) \(start.text) is too large", at: start)
            }
            let unitToken = current
            guard unitToken.kind == .word, let unit = SQLDuration.Unit.named(unitToken.text) else {
                throw unexpected("a time unit (MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS) after \(what) \(count)", suggesting: SQLDuration.Unit.suggestionNames)
            }
            advance()
            guard let value = SQLDuration.of(count, unit) else {
                throw error(.invalidValue, "\(what) \(count) \(unit.rawValue)S is too large (the limit is \(Int64.max) milliseconds)", at: start)
            }
            duration = value
        default:
            throw unexpected("a duration for \(what), such as 1 MINUTE or '10 seconds'", suggesting: [])
        }
        if duration.milliseconds == 0 && !allowZero {
            throw error(.invalidValue, "\(what) must be longer than zero", at: start)
        }
        return duration
    }

    /// A time string: '1 hour ago' or an ISO-8601 time.
    mutating func parseTimeText(_ what: String) throws(SQLError) -> TimeText {
        let token = current
        guard token.kind == .string else {
            throw unexpected(what, suggesting: [])
        }
        advance()
        switch DurationText.parseTimePoint(token.text) {
        case .success(let point):
            return TimeText(text: token.text, point: point, range: token.range)
        case .failure(let failure):
            throw error(.invalidValue, failure.message, at: token, suggestion: failure.suggestion)
        }
    }

    /// `EARLIEST | LATEST | '<time>'` (after SINCE, or RESTART JOB ... FROM).
    mutating func parseStartPosition(_ context: String) throws(SQLError) -> StartPosition {
        if consumeKeyword("EARLIEST") != nil { return .earliest }
        if consumeKeyword("LATEST") != nil { return .latest }
        if at(.string) { return .time(try parseTimeText("a time")) }
        throw unexpected("EARLIEST, LATEST or a time such as '1 hour ago' \(context)", suggesting: ["EARLIEST", "LATEST"])
    }

    /// `NOW | '<time>'` (after UNTIL).
    mutating func parseEndPosition() throws(SQLError) -> EndPosition {
        if consumeKeyword("NOW") != nil {
            if at(.leftParen), peek().kind == .rightParen { advance(); advance() }
            return .now
        }
        if at(.string) { return .time(try parseTimeText("a time")) }
        throw unexpected("NOW or a time such as '2024-05-01T00:00:00Z' after UNTIL", suggesting: ["NOW"])
    }
}
