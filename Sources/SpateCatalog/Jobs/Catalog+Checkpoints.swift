// Checkpoints: the exactly-once heart of jobs. One transaction writes the
// job's next input offset per shard, the output position per shard of the
// stream it writes, every operator's serialized state, and the alerts and
// results that the input up to those offsets produced — after checking that
// the committing process still holds the job's lease (and renewing it). A crash
// at any point leaves either the whole checkpoint or none of it.

extension Catalog {
    /// The latest checkpoint of `job`, or nil when it has none.
    public func checkpoint(job: String) throws(CatalogError) -> CheckpointData? {
        try withDatabase { database throws(CatalogError) in
            let header: (Int64, Int64, Int64, Int64)? = try database.withStatement(
                "SELECT sequence, committed_at, records_in, records_out FROM checkpoints WHERE job = ?") { statement throws(CatalogError) in
                try statement.bind(job)
                return try statement.step() ? (statement.int64(0), statement.int64(1), statement.int64(2), statement.int64(3)) : nil
            }
            guard let header else { return nil }
            var inputs: [ShardOffset] = [], outputs: [ShardOffset] = []
            try database.withStatement("SELECT direction, stream, shard, next_offset FROM checkpoint_offsets WHERE job = ? ORDER BY stream, shard") { statement throws(CatalogError) in
                try statement.bind(job)
                while try statement.step() {
                    let offset = ShardOffset(stream: statement.string(1), shard: Int(statement.int64(2)), nextOffset: statement.int64(3))
                    if statement.string(0) == "input" { inputs.append(offset) } else { outputs.append(offset) }
                }
            }
            var states: [String: [UInt8]] = [:]
            try database.withStatement("SELECT operator, state FROM operator_state WHERE job = ?") { statement throws(CatalogError) in
                try statement.bind(job)
                while try statement.step() { states[statement.string(0)] = statement.blob(1) }
            }
            return CheckpointData(sequence: header.0, committedMs: header.1, recordsIn: header.2, recordsOut: header.3,
                                  inputOffsets: inputs, outputOffsets: outputs, operatorStates: states)
        }
    }

    /// Commits a checkpoint of `job` for `owner`, with the alerts and results
    /// produced since the previous one, and renews the lease until
    /// `nowMs + leaseDurationMs`. Returns false, writing nothing, when `owner`
    /// no longer holds the lease or the job is no longer running. Each alert is
    /// queued in the outbox (`deliveries`) for the channels of the job's current
    /// `notify` option, in the same transaction.
    public func commitCheckpoint(job: String, owner: String, nowMs: Int64, leaseDurationMs: Int64,
                                 checkpoint: CheckpointData, alerts: [NewAlert], results: [ResultPage],
                                 scores: [ScoreMinute] = [], sealedFiles: [SealedSinkFile] = []) throws(CatalogError) -> Bool {
        try transaction { database throws(CatalogError) in
            let held = try database.withStatement("""
                UPDATE jobs SET lease_expires_at = ?3 WHERE name = ?1 AND lease_owner = ?2 AND state = 'running'
                """) { statement throws(CatalogError) in
                try statement.bind(job, owner, nowMs + leaseDurationMs)
                try statement.run()
                return database.changedRowCount > 0
            }
            guard held else { return false }
            try database.withStatement("""
                INSERT INTO checkpoints (job, sequence, committed_at, records_in, records_out) VALUES (?1, 1, ?2, ?3, ?4)
                ON CONFLICT (job) DO UPDATE SET sequence = sequence + 1, committed_at = ?2, records_in = ?3, records_out = ?4
                """) { statement throws(CatalogError) in
                try statement.bind(job, nowMs, checkpoint.recordsIn, checkpoint.recordsOut)
                try statement.run()
            }
            let offsets = checkpoint.inputOffsets.map { ("input", $0) } + checkpoint.outputOffsets.map { ("output", $0) }
            for (direction, offset) in offsets {
                try database.withStatement("""
                    INSERT INTO checkpoint_offsets (job, direction, stream, shard, next_offset) VALUES (?1, ?2, ?3, ?4, ?5)
                    ON CONFLICT (job, direction, stream, shard) DO UPDATE SET next_offset = ?5
                    """) { statement throws(CatalogError) in
                    try statement.bind(job, direction, offset.stream, Int64(offset.shard), offset.nextOffset)
                    try statement.run()
                }
            }
            for (name, state) in checkpoint.operatorStates {
                try database.withStatement("""
                    INSERT INTO operator_state (job, operator, state) VALUES (?1, ?2, ?3)
                    ON CONFLICT (job, operator) DO UPDATE SET state = ?3
                    """) { statement throws(CatalogError) in
                    try statement.bind(job, name, state)
                    try statement.run()
                }
            }
            // The outbox: each alert queued for the job's channels in this same
            // transaction, so no alert is committed without its deliveries.
            let channels = alerts.isEmpty ? [] : try Self.notifyChannels(job: job, database)
            for alert in alerts {
                let id = try Self.insertAlert(kind: "job", source: alert.job, job: alert.job, key: alert.key,
                                              windowStartMs: alert.windowStartMs, windowEndMs: alert.windowEndMs, score: alert.score,
                                              rowJSON: alert.rowJSON, createdMs: alert.createdMs, explanationJSON: alert.explanationJSON, database)
                try Self.enqueueDeliveries(alertID: id, channels: channels, nowMs: nowMs, exempt: false, database)
            }
            // Files a sink sealed: recorded with the offsets their rows came from.
            try Self.insertSealedFiles(sealedFiles, database)
            // A minute that spans checkpoints arrives in parts: merged here.
            for point in scores {
                try database.withStatement("""
                    INSERT INTO detector_scores (job, key, minute_at, score_max, threshold, rows, flagged) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                    ON CONFLICT (job, key, minute_at) DO UPDATE SET
                        threshold = CASE WHEN excluded.score_max > score_max THEN excluded.threshold ELSE threshold END,
                        score_max = max(score_max, excluded.score_max),
                        rows = rows + excluded.rows, flagged = flagged + excluded.flagged
                    """) { statement throws(CatalogError) in
                    try statement.bind(job, point.key, point.minuteMs, point.scoreMax,
                                       point.threshold.isFinite ? CatalogValue.real(point.threshold) : .null, point.rows, point.flagged)
                    try statement.run()
                }
            }
            var lastRowID: Int64?
            for page in results where !page.isEmpty { lastRowID = try Self.insertResultPage(page, job: job, database) }
            if let lastRowID {
                // The trim: pages whose rows are all older than the job's newest
                // resultsKeptPerJob (the job's newest page is never one of them;
                // `first_row_id <= ?2` lets SQLite walk the index over candidates only).
                try database.withStatement("""
                    DELETE FROM job_result_pages WHERE job = ?1 AND first_row_id <= ?2 AND first_row_id + row_count - 1 <= ?2
                    """) { statement throws(CatalogError) in
                    try statement.bind(job, lastRowID - Int64(Self.resultsKeptPerJob))
                    try statement.run()
                }
            }
            return true
        }
    }

    /// Newest result rows kept per job: a checkpoint deletes the job's pages
    /// whose rows are all this many ids or more below its newest row (a page
    /// with one newer row is kept whole).
    public static let resultsKeptPerJob = 100_000

    /// Inserts `page` as one row of job_result_pages, its rows numbered on
    /// from the newest page's last row; returns the id of its last row.
    static func insertResultPage(_ page: ResultPage, job: String, _ database: SQLiteDatabase) throws(CatalogError) -> Int64 {
        try database.withStatement("""
            INSERT INTO job_result_pages (job, first_row_id, row_count, rows_json)
            VALUES (?1, COALESCE((SELECT first_row_id + row_count FROM job_result_pages ORDER BY id DESC LIMIT 1), 1), ?2, ?3)
            RETURNING first_row_id + row_count - 1
            """) { statement throws(CatalogError) in
            try statement.bind(job, at: 1)
            try statement.bind(Int64(page.rowCount), at: 2)
            try statement.bind(utf8: page.json, at: 3)
            guard try statement.step() else { throw CatalogError.invalidRecord("inserting a page of results returned no row") }
            let lastRowID = statement.int64(0)
            while try statement.step() {}
            return lastRowID
        }
    }
}
