// Parser + channels and alarms: CREATE CHANNEL, CREATE ALARM.
//
// Layer: SpateSQL parser. CREATE ALARM reads its clauses in the fixed order of
// CreateAlarmStatement's grammar; each missing clause is named in the error.

extension Parser {
    mutating func parseCreateChannel() throws(SQLError) -> CreateChannelStatement {
        let ifNotExists = try parseIfNotExists()
        let name = try parseIdentifier("a channel name")
        try expectKeyword("TYPE", "after CREATE CHANNEL \(name)")
        let types = CreateChannelStatement.ChannelType.allCases.map(\.rawValue)
        let (type, _) = try expectOneOf(types, "after TYPE")
        var statement = CreateChannelStatement(name: name, ifNotExists: ifNotExists, channelType: .init(rawValue: type)!)
        if consumeKeyword("WITH") != nil { statement.options = try parseOptions(required: true) }
        return statement
    }

    mutating func parseCreateAlarm() throws(SQLError) -> CreateAlarmStatement {
        let ifNotExists = try parseIfNotExists()
        let name = try parseIdentifier("an alarm name")
        try expectKeyword("ON", "after CREATE ALARM \(name)")
        try expectKeyword("METRIC", "after ON")
        let (metric, metricRange) = try parseMetricName()

        var dimensions: [AlarmDimension] = []
        if consumeKeyword("WHERE") != nil {
            repeat {
                try checkCount(dimensions.count, limit: limits.listCountMax, "dimension filters")
                let dimension = try parseIdentifier("a dimension name")
                try expect(.equal, "'=' after dimension \(dimension.value)")
                guard at(.string) else {
                    throw unexpected("a dimension value in quotes, such as '\(dimension.value == "job" ? "fraud_watch" : "value")'", suggesting: [])
                }
                dimensions.append(AlarmDimension(name: dimension, value: advance().text))
            } while consumeKeyword("AND") != nil
        }

        try expectKeyword("STATISTIC", "after the metric")
        let statistics = CreateAlarmStatement.Statistic.allCases.map(\.rawValue)
        let (statistic, _) = try expectOneOf(statistics, "after STATISTIC")

        try expectKeyword("PERIOD", "after STATISTIC \(statistic)")
        let period = try parseDuration("alarm PERIOD", allowZero: false)

        try expectKeyword("WHEN", "and a threshold after PERIOD")
        let comparison: CreateAlarmStatement.Comparison
        switch current.kind {
        case .greater: comparison = .greater
        case .greaterEqual: comparison = .greaterEqual
        case .less: comparison = .less
        case .lessEqual: comparison = .lessEqual
        default: throw unexpected("a comparison (>, >=, < or <=) after WHEN", suggesting: [])
        }
        advance()
        let threshold = try parseSignedNumber("a threshold number after WHEN \(comparison.rawValue)").literal

        try expectKeyword("FOR", "and FOR m OF n PERIODS after the threshold")
        let (datapoints, datapointsToken) = try parseInteger("the number of breaching periods after FOR")
        try expectKeyword("OF", "in FOR m OF n PERIODS")
        let (periods, periodsToken) = try parseInteger("the number of evaluated periods after OF")
        _ = try expectOneOf(["PERIODS", "PERIOD"], "in FOR m OF n PERIODS")
        guard periods >= 1, periods <= CreateAlarmStatement.evaluationPeriodsMax else {
            throw error(.invalidValue, "an alarm evaluates between 1 and \(CreateAlarmStatement.evaluationPeriodsMax) periods, not \(periods)", at: periodsToken)
        }
        guard datapoints >= 1, datapoints <= periods else {
            throw error(.invalidValue, "FOR \(datapoints) OF \(periods): the breaching periods must be between 1 and \(periods)", at: datapointsToken)
        }

        var missing: CreateAlarmStatement.MissingData?
        if consumeKeyword("MISSING") != nil {
            try expectKeyword("AS", "after MISSING")
            let (treatment, _) = try expectOneOf(CreateAlarmStatement.MissingData.allCases.map(\.rawValue), "after MISSING AS")
            missing = .init(rawValue: treatment)
        }
        var notify: [Identifier] = []
        if consumeKeyword("NOTIFY") != nil { notify = try parseNotifyList() }

        return CreateAlarmStatement(name: name, ifNotExists: ifNotExists, metric: metric, metricRange: metricRange,
                                    dimensions: dimensions, statistic: .init(rawValue: statistic)!, period: period,
                                    comparison: comparison, threshold: threshold, datapointsToAlarm: datapoints,
                                    evaluationPeriods: periods, missingData: missing, notify: notify)
    }

    /// `job.records_in` (dotted names) or `'job.records_in'`.
    mutating func parseMetricName() throws(SQLError) -> (String, SourceRange) {
        if at(.string) {
            let token = advance()
            guard !token.text.isEmpty else { throw error(.invalidValue, "a metric name cannot be empty", at: token) }
            return (token.text, token.range)
        }
        let first = try parseIdentifier("a metric name such as job.records_in")
        var parts = [first.value]
        var range = first.range
        while consume(.dot) != nil {
            try checkCount(parts.count, limit: 16, "parts in a metric name")
            let part = try parseIdentifier("a metric name part after '.'", allowReserved: true)
            parts.append(part.value)
            range = range.extended(to: part.range)
        }
        return (parts.joined(separator: "."), range)
    }

    /// `ops, pager` or `'ops,pager'`.
    mutating func parseNotifyList() throws(SQLError) -> [Identifier] {
        var names: [Identifier] = []
        if at(.string) {
            let token = advance()
            for part in token.text.split(separator: ",", omittingEmptySubsequences: false) {
                let name = String(part).trimmingSpaces
                guard !name.isEmpty else {
                    throw error(.invalidValue, "empty channel name in NOTIFY '\(token.text)'", at: token)
                }
                names.append(Identifier(name, range: token.range))
            }
        } else {
            repeat {
                names.append(try parseIdentifier("a channel name after NOTIFY"))
            } while consume(.comma) != nil
        }
        guard names.count <= CreateAlarmStatement.notifyChannelsMax else {
            throw error(.limitExceeded, "an alarm notifies at most \(CreateAlarmStatement.notifyChannelsMax) channels", at: tokens[position - 1])
        }
        var seen = Set<String>()
        for name in names where !seen.insert(name.value).inserted {
            throw SQLError(.syntax, "channel '\(name.value)' is named twice in NOTIFY", at: name.range.start)
        }
        return names
    }
}
