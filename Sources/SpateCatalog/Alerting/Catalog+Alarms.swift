// Typed access to `alarms` and `alarm_history` (schema/0003). The alarm
// service evaluates each alarm once per period and records the outcome here:
// a state change commits, in ONE transaction, the alarm's new state, its
// history row, the notification alert (job NULL, kind 'alarm', source = the
// alarm's name) and that alert's deliveries — a crash leaves all or none.

import SpateJSON

/// One row of `alarms`.
public struct AlarmRecord: Sendable, Equatable {
    public var name: String
    public var definition: String
    public var metric: String
    /// Dimension filters (WHERE job = 'x' AND …), in the order written.
    public var dimensions: [(String, String)] {
        get { dimensionPairs.map { ($0.name, $0.value) } }
        set { dimensionPairs = newValue.map { DimensionPair(name: $0.0, value: $0.1) } }
    }
    public var dimensionPairs: [DimensionPair]
    /// SUM, AVG, MIN, MAX or COUNT.
    public var statistic: String
    public var periodMs: Int64
    /// >, >=, < or <=.
    public var comparison: String
    public var threshold: Double
    public var datapointsToAlarm: Int
    public var evaluationPeriods: Int
    /// BREACHING, NOT_BREACHING, IGNORE or MISSING.
    public var missingData: String
    public var notify: [String]
    /// OK, ALARM or INSUFFICIENT_DATA.
    public var state: String
    public var stateReason: String?
    public var stateChangedMs: Int64?
    public var evaluatedUntilMs: Int64?
    public var createdMs: Int64

    public init(name: String, definition: String, metric: String, dimensions: [(String, String)], statistic: String, periodMs: Int64,
                comparison: String, threshold: Double, datapointsToAlarm: Int, evaluationPeriods: Int, missingData: String,
                notify: [String], state: String = "INSUFFICIENT_DATA", stateReason: String? = nil, stateChangedMs: Int64? = nil,
                evaluatedUntilMs: Int64? = nil, createdMs: Int64) {
        self.name = name
        self.definition = definition
        self.metric = metric
        self.dimensionPairs = dimensions.map { DimensionPair(name: $0.0, value: $0.1) }
        self.statistic = statistic
        self.periodMs = periodMs
        self.comparison = comparison
        self.threshold = threshold
        self.datapointsToAlarm = datapointsToAlarm
        self.evaluationPeriods = evaluationPeriods
        self.missingData = missingData
        self.notify = notify
        self.state = state
        self.stateReason = stateReason
        self.stateChangedMs = stateChangedMs
        self.evaluatedUntilMs = evaluatedUntilMs
        self.createdMs = createdMs
    }
}

/// `name = value`: one dimension of a metric.
public struct DimensionPair: Sendable, Equatable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A state change of an alarm, to commit with its notification.
public struct AlarmTransition: Sendable {
    public var oldState: String
    public var newState: String
    public var reason: String
    /// The datapoints evaluated as a JSON array (null = missing), oldest first.
    public var datapointsJSON: String
    /// The notification alert's row (JSON object).
    public var alertRowJSON: String

    public init(oldState: String, newState: String, reason: String, datapointsJSON: String, alertRowJSON: String) {
        self.oldState = oldState
        self.newState = newState
        self.reason = reason
        self.datapointsJSON = datapointsJSON
        self.alertRowJSON = alertRowJSON
    }
}

extension Catalog {
    private static let alarmColumns = """
        name, definition, metric, dimensions, statistic, period_ms, comparison, threshold, datapoints_to_alarm,
        evaluation_periods, missing_data, notify, state, state_reason, state_changed_at, evaluated_until, created_at
        """

    /// Adds an alarm (state INSUFFICIENT_DATA) and its first history row;
    /// throws `.invalidRecord` when one of that name exists.
    public func createAlarm(_ alarm: AlarmRecord) throws(CatalogError) {
        try transaction { database throws(CatalogError) in
            let exists = try database.withStatement("SELECT 1 FROM alarms WHERE name = ?") { statement throws(CatalogError) in
                try statement.bind(alarm.name)
                return try statement.step()
            }
            if exists { throw .invalidRecord("alarm '\(alarm.name)' already exists") }
            try database.withStatement("INSERT INTO alarms (\(Self.alarmColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)") { statement throws(CatalogError) in
                try statement.bind(
                    alarm.name,
                    alarm.definition,
                    alarm.metric,
                    Self.dimensionsJSON(alarm.dimensionPairs),
                    alarm.statistic,
                    alarm.periodMs,
                    alarm.comparison,
                    alarm.threshold,
                    Int64(alarm.datapointsToAlarm),
                    Int64(alarm.evaluationPeriods),
                    alarm.missingData,
                    alarm.notify.joined(separator: ","),
                    alarm.state,
                    alarm.stateReason,
                    alarm.stateChangedMs.map(CatalogValue.integer) ?? .null,
                    alarm.evaluatedUntilMs.map(CatalogValue.integer) ?? .null,
                    alarm.createdMs
                )
                try statement.run()
            }
            try Self.insertHistory(alarm: alarm.name, old: nil, new: alarm.state, reason: "alarm created",
                                   datapoints: "[]", alertID: nil, nowMs: alarm.createdMs, database)
        }
    }

    /// The alarm called `name`, or nil.
    public func alarm(named name: String) throws(CatalogError) -> AlarmRecord? {
        try alarms(where: "WHERE name = ?1", name).first
    }

    /// Every alarm, by name.
    public func alarms() throws(CatalogError) -> [AlarmRecord] {
        try alarms(where: "", nil)
    }

    private func alarms(where clause: String, _ parameter: String?) throws(CatalogError) -> [AlarmRecord] {
        try withDatabase { database throws(CatalogError) in
            var records: [AlarmRecord] = []
            try database.withStatement("SELECT \(Self.alarmColumns) FROM alarms \(clause) ORDER BY name") { statement throws(CatalogError) in
                if let parameter { try statement.bind(parameter, at: 1) }
                while try statement.step() {
                    records.append(AlarmRecord(
                        name: statement.string(0), definition: statement.string(1), metric: statement.string(2),
                        dimensions: [], statistic: statement.string(4), periodMs: statement.int64(5),
                        comparison: statement.string(6), threshold: statement.double(7),
                        datapointsToAlarm: Int(statement.int64(8)), evaluationPeriods: Int(statement.int64(9)),
                        missingData: statement.string(10), notify: Self.channelList(statement.string(11)),
                        state: statement.string(12), stateReason: statement.optionalString(13),
                        stateChangedMs: statement.isNull(14) ? nil : statement.int64(14),
                        evaluatedUntilMs: statement.isNull(15) ? nil : statement.int64(15), createdMs: statement.int64(16)))
                }
            }
            for i in records.indices {
                try database.withStatement("SELECT key, value FROM alarms, json_each(alarms.dimensions) WHERE alarms.name = ?1") { statement throws(CatalogError) in
                    try statement.bind(records[i].name)
                    while try statement.step() {
                        records[i].dimensionPairs.append(DimensionPair(name: statement.string(0), value: statement.string(1)))
                    }
                }
            }
            return records
        }
    }

    /// Deletes an alarm (its history stays); returns whether it existed.
    @discardableResult
    public func deleteAlarm(named name: String) throws(CatalogError) -> Bool {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("DELETE FROM alarms WHERE name = ?") { statement throws(CatalogError) in
                try statement.bind(name)
                try statement.run()
                return database.changedRowCount > 0
            }
        }
    }

    /// Records that `alarm` was evaluated up to `evaluatedUntilMs`; with a
    /// transition, also its new state, history, notification alert and that
    /// alert's deliveries, in one transaction. Returns the alert's id, if any.
    @discardableResult
    public func recordAlarmEvaluation(alarm: String, evaluatedUntilMs: Int64, transition: AlarmTransition?, notify: [String],
                                      nowMs: Int64) throws(CatalogError) -> Int64? {
        try transaction { database throws(CatalogError) in
            guard let transition else {
                try database.withStatement("UPDATE alarms SET evaluated_until = ?2 WHERE name = ?1") { statement throws(CatalogError) in
                    try statement.bind(alarm, evaluatedUntilMs)
                    try statement.run()
                }
                return nil
            }
            let updated = try database.withStatement("""
                UPDATE alarms SET evaluated_until = ?2, state = ?3, state_reason = ?4, state_changed_at = ?5 WHERE name = ?1 AND state = ?6
                """) { statement throws(CatalogError) in
                try statement.bind(alarm, evaluatedUntilMs, transition.newState, transition.reason, nowMs, transition.oldState)
                try statement.run()
                return database.changedRowCount > 0
            }
            guard updated else { return nil }  // dropped, or changed by another evaluator meanwhile
            let alertID = try Self.insertAlert(kind: "alarm", source: alarm, job: nil, key: alarm, windowStartMs: nil,
                                               windowEndMs: evaluatedUntilMs, score: nil, rowJSON: transition.alertRowJSON,
                                               createdMs: nowMs, database)
            try Self.enqueueDeliveries(alertID: alertID, channels: notify, nowMs: nowMs, exempt: false, database)
            try Self.insertHistory(alarm: alarm, old: transition.oldState, new: transition.newState, reason: transition.reason,
                                   datapoints: transition.datapointsJSON, alertID: alertID, nowMs: nowMs, database)
            return alertID
        }
    }

    private static func insertHistory(alarm: String, old: String?, new: String, reason: String, datapoints: String, alertID: Int64?,
                                      nowMs: Int64, _ database: SQLiteDatabase) throws(CatalogError) {
        try database.withStatement("""
            INSERT INTO alarm_history (alarm, old_state, new_state, reason, datapoints, alert_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """) { statement throws(CatalogError) in
            try statement.bind(alarm, old, new, reason, datapoints, alertID.map(CatalogValue.integer) ?? .null, nowMs)
            try statement.run()
        }
    }

    /// Canonical JSON of dimensions: keys sorted, so that equal sets are equal text.
    public static func dimensionsJSON(_ pairs: [DimensionPair]) -> String {
        "{" + pairs.sorted { $0.name < $1.name }.map { JSONStringLiteral.quoted($0.name) + ":" + JSONStringLiteral.quoted($0.value) }.joined(separator: ",") + "}"
    }
}
