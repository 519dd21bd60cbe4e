// The delivery outbox (`deliveries`, schema/0003): rows are enqueued in the
// same transaction as the alert they deliver (a checkpoint's, or an alarm's
// state change), so an alert committed is an alert that will be delivered or
// visibly fail. The delivery service takes due rows, sends them, and records
// the outcome here. Invariant: a row leaves `pending` only for `delivered`,
// `failed` or `suppressed`, and never returns to it.
//
// Idempotency key: 'spate-<catalog birth ms>-<alert id>-<channel>'. The birth
// time (when migration 1 ran) makes keys of two data directories differ.

import SpateJSON

/// An alert to send on one channel, with what the payload needs.
public struct PendingDelivery: Sendable, Equatable {
    public var id: Int64
    public var channel: String
    public var idempotencyKey: String
    public var attempts: Int64
    public var exempt: Bool
    public var alert: StoredAlert
}

/// An alert as stored in `alerts`.
public struct StoredAlert: Sendable, Equatable {
    public var id: Int64
    public var kind: String
    public var source: String?
    public var job: String?
    public var key: String?
    public var windowStartMs: Int64?
    public var windowEndMs: Int64?
    public var score: Double?
    public var rowJSON: String
    public var createdMs: Int64
    /// Why a detector flagged the row (JSON; nil for alarms and summaries).
    public var explanationJSON: String?

    public init(id: Int64, kind: String, source: String?, job: String?, key: String?, windowStartMs: Int64?,
                windowEndMs: Int64?, score: Double?, rowJSON: String, createdMs: Int64, explanationJSON: String? = nil) {
        self.explanationJSON = explanationJSON
        self.id = id
        self.kind = kind
        self.source = source
        self.job = job
        self.key = key
        self.windowStartMs = windowStartMs
        self.windowEndMs = windowEndMs
        self.score = score
        self.rowJSON = rowJSON
        self.createdMs = createdMs
    }
}

/// How many deliveries of a channel are in each state.
public struct DeliveryCounts: Sendable, Equatable {
    public var pending: Int64 = 0
    public var delivered: Int64 = 0
    public var failed: Int64 = 0
    public var suppressed: Int64 = 0
    public var lastError: String?

    public init() {}
}

extension Catalog {
    /// Queues alert `alertID` for each of `channels` (inside a transaction).
    static func enqueueDeliveries(alertID: Int64, channels: [String], nowMs: Int64, exempt: Bool,
                                  _ database: SQLiteDatabase) throws(CatalogError) {
        for channel in channels {
            try database.withStatement("""
                INSERT OR IGNORE INTO deliveries (alert_id, channel, idempotency_key, next_attempt_at, created_at, exempt)
                VALUES (?1, ?2, 'spate-' || (SELECT COALESCE(MIN(applied_at), 0) FROM schema_migrations) || '-' || ?1 || '-' || ?2, ?3, ?3, ?4)
                """) { statement throws(CatalogError) in
                try statement.bind(alertID, channel, nowMs, Int64(exempt ? 1 : 0))
                try statement.run()
            }
        }
    }

    /// Inserts an alert (inside a transaction) and returns its id.
    static func insertAlert(kind: String, source: String?, job: String?, key: String?, windowStartMs: Int64?, windowEndMs: Int64?,
                            score: Double?, rowJSON: String, createdMs: Int64, explanationJSON: String? = nil,
                            _ database: SQLiteDatabase) throws(CatalogError) -> Int64 {
        try database.withStatement("""
            INSERT INTO alerts (job, key, window_start, window_end, score, row_json, created_at, kind, source, explanation)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
            """) { statement throws(CatalogError) in
            try statement.bind(
                job,
                key,
                windowStartMs.map(CatalogValue.integer) ?? .null,
                windowEndMs.map(CatalogValue.integer) ?? .null,
                score.map(CatalogValue.real) ?? .null,
                rowJSON,
                createdMs,
                kind,
                source,
                explanationJSON
            )
            try statement.run()
        }
        return try database.withStatement("SELECT last_insert_rowid()") { statement throws(CatalogError) in
            _ = try statement.step()
            return statement.int64(0)
        }
    }

    /// The channels a job notifies now: its `notify` option as the catalog has
    /// it (so ALTER JOB … SET (notify = …) applies to the next checkpoint's alerts).
    static func notifyChannels(job: String, _ database: SQLiteDatabase) throws(CatalogError) -> [String] {
        let text: String? = try database.withStatement("SELECT json_extract(options, '$.notify') FROM jobs WHERE name = ?") { statement throws(CatalogError) in
            try statement.bind(job)
            return try statement.step() ? statement.optionalString(0) : nil
        }
        return Self.channelList(text ?? "")
    }

    /// 'ops, pager' → ["ops", "pager"] (blanks dropped, duplicates removed, order kept).
    public static func channelList(_ text: String) -> [String] {
        var seen = Set<String>()
        return text.split(separator: ",").map { String($0).trimmingCharacters(in: " ") }
            .filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// Pending deliveries due at `nowMs`, oldest first, at most `limit`.
    public func dueDeliveries(nowMs: Int64, limit: Int) throws(CatalogError) -> [PendingDelivery] {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("""
                SELECT d.id, d.channel, d.idempotency_key, d.attempts, d.exempt,
                       a.id, a.kind, a.source, a.job, a.key, a.window_start, a.window_end, a.score, a.row_json, a.created_at,
                       a.explanation
                FROM deliveries d JOIN alerts a ON a.id = d.alert_id
                WHERE d.state = 'pending' AND d.next_attempt_at <= ?1
                ORDER BY d.next_attempt_at, d.id LIMIT ?2
                """) { statement throws(CatalogError) in
                try statement.bind(nowMs, Int64(limit))
                var rows: [PendingDelivery] = []
                while try statement.step() {
                    let alert = StoredAlert(
                        id: statement.int64(5), kind: statement.string(6), source: statement.optionalString(7),
                        job: statement.optionalString(8), key: statement.optionalString(9),
                        windowStartMs: statement.isNull(10) ? nil : statement.int64(10),
                        windowEndMs: statement.isNull(11) ? nil : statement.int64(11),
                        score: statement.isNull(12) ? nil : statement.double(12), rowJSON: statement.string(13),
                        createdMs: statement.int64(14), explanationJSON: statement.optionalString(15))
                    rows.append(PendingDelivery(id: statement.int64(0), channel: statement.string(1), idempotencyKey: statement.string(2),
                                                attempts: statement.int64(3), exempt: statement.int64(4) != 0, alert: alert))
                }
                return rows
            }
        }
    }

    /// Records a successful attempt.
    public func markDelivered(id: Int64, nowMs: Int64) throws(CatalogError) {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("""
                UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, delivered_at = ?2, last_error = NULL
                WHERE id = ?1 AND state = 'pending'
                """) { statement throws(CatalogError) in
                try statement.bind(id, nowMs)
                try statement.run()
            }
        }
    }

    /// Records a failed attempt: the next try at `nextAttemptMs`, or — when
    /// `giveUp` — the delivery is failed for good.
    public func markAttemptFailed(id: Int64, error: String, nextAttemptMs: Int64, giveUp: Bool) throws(CatalogError) {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("""
                UPDATE deliveries SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3,
                    state = CASE WHEN ?4 THEN 'failed' ELSE 'pending' END
                WHERE id = ?1 AND state = 'pending'
                """) { statement throws(CatalogError) in
                try statement.bind(id, String(error.prefix(500)), nextAttemptMs, Int64(giveUp ? 1 : 0))
                try statement.run()
            }
        }
    }

    /// Marks a delivery suppressed by its channel's rate limit.
    public func markSuppressed(id: Int64) throws(CatalogError) {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("UPDATE deliveries SET state = 'suppressed' WHERE id = ?1 AND state = 'pending'") { statement throws(CatalogError) in
                try statement.bind(id)
                try statement.run()
            }
        }
    }

    /// Folds the suppressed, not yet summarized deliveries of `channel` into ONE
    /// summary alert (kind 'summary', source = channel) queued on that channel
    /// exempt from its rate limit — all in one transaction. Returns the number
    /// summarized (0: nothing to do).
    @discardableResult
    public func summarizeSuppressed(channel: String, rateLimitPerMinute: Int64, nowMs: Int64) throws(CatalogError) -> Int {
        try transaction { database throws(CatalogError) in
            let suppressed: [(Int64, Int64)] = try database.withStatement("""
                SELECT id, alert_id FROM deliveries WHERE channel = ?1 AND state = 'suppressed' AND summary_alert_id IS NULL ORDER BY id
                """) { statement throws(CatalogError) in
                try statement.bind(channel)
                var rows: [(Int64, Int64)] = []
                while try statement.step() { rows.append((statement.int64(0), statement.int64(1))) }
                return rows
            }
            guard !suppressed.isEmpty else { return 0 }
            let shownIDs = suppressed.prefix(100).map { String($0.1) }.joined(separator: ",")
            let row = "{\"message\":\"\(suppressed.count) more alerts suppressed\",\"channel\":\(JSONStringLiteral.quoted(channel)),"
                + "\"suppressed\":\(suppressed.count),\"rate_limit_per_minute\":\(rateLimitPerMinute),\"alert_ids\":[\(shownIDs)]}"
            let alertID = try Self.insertAlert(kind: "summary", source: channel, job: nil, key: nil, windowStartMs: nil, windowEndMs: nil,
                                               score: nil, rowJSON: row, createdMs: nowMs, database)
            try Self.enqueueDeliveries(alertID: alertID, channels: [channel], nowMs: nowMs, exempt: true, database)
            for (id, _) in suppressed {
                try database.withStatement("UPDATE deliveries SET summary_alert_id = ?2 WHERE id = ?1") { statement throws(CatalogError) in
                    try statement.bind(id, alertID)
                    try statement.run()
                }
            }
            return suppressed.count
        }
    }

    /// Per channel: deliveries in each state and the latest error.
    public func deliveryCounts() throws(CatalogError) -> [String: DeliveryCounts] {
        try withDatabase { database throws(CatalogError) in
            var counts: [String: DeliveryCounts] = [:]
            try database.withStatement("SELECT channel, state, COUNT(*) FROM deliveries GROUP BY channel, state") { statement throws(CatalogError) in
                while try statement.step() {
                    var entry = counts[statement.string(0)] ?? DeliveryCounts()
                    let n = statement.int64(2)
                    switch statement.string(1) {
                    case "pending": entry.pending = n
                    case "delivered": entry.delivered = n
                    case "failed": entry.failed = n
                    default: entry.suppressed = n
                    }
                    counts[statement.string(0)] = entry
                }
            }
            try database.withStatement("""
                SELECT channel, last_error FROM deliveries WHERE id IN
                    (SELECT MAX(id) FROM deliveries WHERE last_error IS NOT NULL GROUP BY channel)
                """) { statement throws(CatalogError) in
                while try statement.step() { counts[statement.string(0), default: DeliveryCounts()].lastError = statement.optionalString(1) }
            }
            return counts
        }
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        String(drop(while: { $0 == set }).reversed().drop(while: { $0 == set }).reversed())
    }
}
