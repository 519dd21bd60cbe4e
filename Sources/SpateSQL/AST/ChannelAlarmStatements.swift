// Channel and alarm statements: CREATE CHANNEL, CREATE ALARM.
//
// Layer: SpateSQL AST. Alarms follow CloudWatch's model: a metric (with optional
// dimension filters), a statistic over a period, a comparison with a threshold,
// M of N datapoints, and the treatment of missing data.
//
// Invariants (checked by the parser): 1 <= datapointsToAlarm <= evaluationPeriods
// <= CreateAlarmStatement.evaluationPeriodsMax; period > 0; threshold is a number
// literal; channel names in NOTIFY are unique.

/// `CREATE CHANNEL [IF NOT EXISTS] name TYPE WEBHOOK|EXEC|FILE|STDOUT [WITH (...)]`
public struct CreateChannelStatement: Hashable, Sendable, CustomStringConvertible {
    public enum ChannelType: String, Hashable, Sendable, CaseIterable {
        case webhook = "WEBHOOK", exec = "EXEC", file = "FILE", stdout = "STDOUT"
    }

    public var name: Identifier
    public var ifNotExists: Bool
    public var channelType: ChannelType
    public var options: [Option]

    public init(name: Identifier, ifNotExists: Bool = false, channelType: ChannelType, options: [Option] = []) {
        self.name = name
        self.ifNotExists = ifNotExists
        self.channelType = channelType
        self.options = options
    }

    public var description: String {
        "CREATE CHANNEL " + (ifNotExists ? "IF NOT EXISTS " : "") + "\(name) TYPE \(channelType.rawValue)"
            + (options.isEmpty ? "" : " WITH " + options.parenthesized)
    }
}

/// `CREATE ALARM name ON METRIC m [WHERE dim = 'v' AND ...] STATISTIC s PERIOD d
///  WHEN op threshold FOR m OF n PERIODS [MISSING AS t] [NOTIFY c, ...]`
public struct CreateAlarmStatement: Hashable, Sendable, CustomStringConvertible {
    /// Most evaluation periods an alarm may look back over.
    public static let evaluationPeriodsMax: Int64 = 1440
    /// Most channels one alarm may notify.
    public static let notifyChannelsMax = 32

    public enum Statistic: String, Hashable, Sendable, CaseIterable {
        case sum = "SUM", average = "AVG", minimum = "MIN", maximum = "MAX", count = "COUNT"
    }

    public enum Comparison: String, Hashable, Sendable, CaseIterable {
        case greater = ">", greaterEqual = ">=", less = "<", lessEqual = "<="
    }

    /// CloudWatch's TreatMissingData.
    public enum MissingData: String, Hashable, Sendable, CaseIterable {
        case breaching = "BREACHING", notBreaching = "NOT_BREACHING", ignore = "IGNORE", missing = "MISSING"
    }

    public var name: Identifier
    public var ifNotExists: Bool
    /// The metric's name, e.g. "job.records_in".
    public var metric: String
    @SourceMetadata public var metricRange: SourceRange
    /// `WHERE job = 'fraud_watch' AND ...`, in the order written.
    public var dimensions: [AlarmDimension]
    public var statistic: Statistic
    public var period: SQLDuration
    public var comparison: Comparison
    /// `.integer` or `.decimal`.
    public var threshold: Literal
    /// M in FOR M OF N PERIODS.
    public var datapointsToAlarm: Int64
    /// N in FOR M OF N PERIODS.
    public var evaluationPeriods: Int64
    /// nil when not written (CloudWatch's default is MISSING).
    public var missingData: MissingData?
    /// Channels notified on every state change; empty when not written.
    public var notify: [Identifier]

    public init(name: Identifier, ifNotExists: Bool = false, metric: String, metricRange: SourceRange = SourceRange(start: .start, end: .start),
                dimensions: [AlarmDimension] = [], statistic: Statistic, period: SQLDuration, comparison: Comparison,
                threshold: Literal, datapointsToAlarm: Int64, evaluationPeriods: Int64,
                missingData: MissingData? = nil, notify: [Identifier] = []) {
        self.name = name
        self.ifNotExists = ifNotExists
        self.metric = metric
        self.metricRange = metricRange
        self.dimensions = dimensions
        self.statistic = statistic
        self.period = period
        self.comparison = comparison
        self.threshold = threshold
        self.datapointsToAlarm = datapointsToAlarm
        self.evaluationPeriods = evaluationPeriods
        self.missingData = missingData
        self.notify = notify
    }

    public var description: String {
        var text = "CREATE ALARM " + (ifNotExists ? "IF NOT EXISTS " : "") + "\(name) ON METRIC "
        let parts = metric.split(separator: ".", omittingEmptySubsequences: false)
        let dotted = parts.allSatisfy { SQLText.isPlainWord(String($0)) && !Keywords.isReserved(String($0)) }
        text += dotted ? metric : SQLText.string(metric)
        if !dimensions.isEmpty {
            text += " WHERE " + dimensions.map(\.description).joined(separator: " AND ")
        }
        text += " STATISTIC \(statistic.rawValue) PERIOD \(period) WHEN \(comparison.rawValue) \(threshold)"
        text += " FOR \(datapointsToAlarm) OF \(evaluationPeriods) PERIODS"
        if let missingData { text += " MISSING AS \(missingData.rawValue)" }
        if !notify.isEmpty { text += " NOTIFY " + SQLText.list(notify) }
        return text
    }
}

/// `dimension = 'value'` in an alarm's WHERE.
public struct AlarmDimension: Hashable, Sendable, CustomStringConvertible {
    public var name: Identifier
    public var value: String

    public init(name: Identifier, value: String) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name) = \(SQLText.string(value))" }
}
