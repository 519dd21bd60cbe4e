// `spate demo`: the classic real-time anomaly detection pipeline stood up in
// one data directory — what the cloud version builds from Kinesis, Flink,
// Lambda, SNS and CloudWatch. This file owns what the demo creates and how it
// reads back what happened; DemoProducer feeds it; the `spate demo` command
// only prints.
//
// Everything is created with IF NOT EXISTS, so running the demo again (or on a
// data directory that already has a `transactions` stream with the classic
// columns) keeps what is there: the job resumes from its checkpoint, and only
// the alerts of this run are shown. What it leaves is an ordinary data
// directory: the REPL, `spate run` and `spate serve` see the same objects.
//
//   transactions        stream: 2 shards, key userId, event time timestamp
//   demo_spikes         job: a z-score per user over each amount; |z| > 4 is an alert
//   demo_alerts_file    FILE channel: every alert as a JSON line in <data>/demo-alerts.jsonl
//   demo_console        STDOUT channel: the alarm's changes of state
//   demo_anomaly_burst  alarm: more than 10 anomalies in a minute

import SpateSQL

/// What `spate demo` creates, and how it reads back alerts.
public struct DemoPipeline: Sendable {
    public static let stream = "transactions"
    public static let job = "demo_spikes"
    public static let fileChannel = "demo_alerts_file"
    public static let consoleChannel = "demo_console"
    public static let alarm = "demo_anomaly_burst"

    public let database: Database
    /// Where the FILE channel appends alerts.
    public var alertsFilePath: String { database.dataDirectory + "/demo-alerts.jsonl" }

    public init(database: Database) {
        self.database = database
    }

    /// The idempotent statements that stand the pipeline up.
    public var setupSQL: String {
        let path = alertsFilePath.replacingQuotes
        return """
            CREATE STREAM IF NOT EXISTS \(Self.stream) (
              userId STRING, amount DOUBLE, merchantId STRING, transactionId STRING, timestamp TIMESTAMP
            ) WITH (shards = 2, key = 'userId', event_time = 'timestamp', retention = '24 hours');
            CREATE CHANNEL IF NOT EXISTS \(Self.fileChannel) TYPE FILE WITH (path = '\(path)');
            CREATE CHANNEL IF NOT EXISTS \(Self.consoleChannel) TYPE STDOUT;
            CREATE JOB IF NOT EXISTS \(Self.job) WITH (checkpoint_interval = '1 second', notify = '\(Self.fileChannel)') AS
              SELECT userId, transactionId, amount,
                     ZSCORE(amount, threshold => 4, warmup => 20) OVER (PARTITION BY userId) AS z
              FROM \(Self.stream) SINCE LATEST
              WHERE anomaly;
            CREATE ALARM IF NOT EXISTS \(Self.alarm) ON METRIC job.anomalies WHERE job = '\(Self.job)'
              STATISTIC SUM PERIOD 1 MINUTE WHEN > 10 FOR 1 OF 1 PERIODS
              MISSING AS NOT_BREACHING NOTIFY \(Self.consoleChannel), \(Self.fileChannel);
            """
    }

    /// Runs `setupSQL`; returns what each statement did ("created job demo_spikes …").
    public func setUp() throws(SpateError) -> [String] {
        let sink = MessageSink()
        try Session(database: database).execute(script: setupSQL, sink: sink)
        return sink.messages
    }

    /// One alert of the demo's job, as committed.
    public struct Alert: Sendable, Equatable {
        public var id: Int64
        public var createdMs: Int64
        public var userId: String
        public var transactionId: String
        public var amount: Double
        public var z: Double
    }

    /// The job's alerts with an id above `id`, oldest first, at most `limit`.
    public func alerts(after id: Int64, limit: Int = 1000) throws(SpateError) -> [Alert] {
        let rows = try database.catalogRows(sql: """
            SELECT id, created_at, json_extract(row_json, '$.userId'), json_extract(row_json, '$.transactionId'),
                   json_extract(row_json, '$.amount'), json_extract(row_json, '$.z')
            FROM alerts WHERE job = '\(Self.job)' AND id > \(id) ORDER BY id LIMIT \(limit)
            """, columns: [.bigint, .timestamp, .string, .string, .double, .double])
        return rows.map { row in
            Alert(id: row[0].int64 ?? 0, createdMs: row[1].int64 ?? 0, userId: row[2].text ?? "",
                  transactionId: row[3].text ?? "", amount: row[4].double ?? 0, z: row[5].double ?? 0)
        }
    }

    /// Records the job's latest checkpoint is behind the stream's head (nil before its first checkpoint).
    public func jobLagRecords() throws(SpateError) -> Int64? {
        guard let record = try database.jobRecord(Self.job) else { return nil }
        return try database.jobStatus(record).lagRecords
    }

    /// The id of the newest alert of any kind (0 when none): alerts after it are this run's.
    public func lastAlertID() throws(SpateError) -> Int64 {
        try database.catalogRows(sql: "SELECT COALESCE(MAX(id), 0) FROM alerts", columns: [.bigint]).first?.first?.int64 ?? 0
    }

    /// The alarm's state: OK, ALARM or INSUFFICIENT_DATA.
    public func alarmState() throws(SpateError) -> String {
        try database.catalogRows(sql: "SELECT state FROM alarms WHERE name = '\(Self.alarm)'", columns: [.string])
            .first?.first?.text ?? "(dropped)"
    }

    /// Statements worth typing next, in the REPL on the same data directory.
    public static let nextStatements = [
        "SELECT id, key, score, created_at FROM alerts WHERE job = '\(job)' ORDER BY id DESC LIMIT 10;",
        "SELECT userId, COUNT(*) AS n, AVG(amount) AS avg_amount, MAX(amount) AS top FROM \(stream) SINCE '1 hour ago' UNTIL NOW GROUP BY userId;",
        "SELECT channel, state, COUNT(*) AS n FROM deliveries GROUP BY channel, state;",
        "SHOW JOBS; SHOW ALARMS; DESCRIBE JOB \(job);",
    ]
}

/// Keeps the messages of statements; drops rows (setup statements have none).
private final class MessageSink: ResultSink {
    var messages: [String] = []
    func begin(columns: [ResultColumn]) {}
    func row(_ values: [Value]) {}
    func end(_ summary: QuerySummary) {}
    func message(_ text: String) { messages.append(text) }
}

private extension Value {
    var int64: Int64? {
        switch self {
        case let .bigint(i), let .timestamp(i): return i
        case let .double(d): return Int64(exactly: d.rounded())
        default: return nil
        }
    }

    var double: Double? {
        switch self {
        case let .double(d): return d
        case let .bigint(i): return Double(i)
        default: return nil
        }
    }

    var text: String? {
        if case let .string(s) = self { return s }
        return nil
    }
}

private extension String {
    /// With `'` doubled, for a SQL string literal.
    var replacingQuotes: String {
        var out = ""
        for character in self { out += character == "'" ? "''" : String(character) }
        return out
    }
}
