// Typed access to `jobs`: create, read, change state, delete, restart; and the
// lease that lets exactly one process run a job. A lease is taken when free or
// expired, renewed by the holder's heartbeat, and checked again inside every
// checkpoint transaction, so a process that lost its lease (paused, killed,
// partitioned from the clock) can never commit.

extension Catalog {
    private static let jobColumns = """
        name, definition, output_kind, output_stream, options, state, last_error, created_at, updated_at,
        lease_owner, lease_expires_at, start_from, crashes_in_a_row, output_sink
        """

    /// Adds a job; throws `.invalidRecord` when one of that name exists.
    public func createJob(_ job: JobRecord) throws(CatalogError) {
        try transaction { database throws(CatalogError) in
            let exists = try database.withStatement("SELECT 1 FROM jobs WHERE name = ?") { statement throws(CatalogError) in
                try statement.bind(job.name)
                return try statement.step()
            }
            if exists { throw .invalidRecord("job '\(job.name)' already exists") }
            try database.withStatement("""
                INSERT INTO jobs (name, definition, output_kind, output_stream, options, state, last_error, created_at, updated_at, start_from,
                                  output_sink)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                """) { statement throws(CatalogError) in
                try statement.bind(
                    job.name,
                    job.definition,
                    job.outputKind.rawValue,
                    job.outputStream,
                    job.optionsJSON,
                    job.state.rawValue,
                    job.lastError,
                    job.createdMs,
                    job.updatedMs,
                    job.startFrom,
                    job.outputSink
                )
                try statement.run()
            }
        }
    }

    /// The job called `name`, or nil.
    public func job(named name: String) throws(CatalogError) -> JobRecord? {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("SELECT \(Self.jobColumns) FROM jobs WHERE name = ?") { statement throws(CatalogError) in
                try statement.bind(name)
                return try statement.step() ? Self.jobRecord(statement) : nil
            }
        }
    }

    /// Every job, by name.
    public func jobs() throws(CatalogError) -> [JobRecord] {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("SELECT \(Self.jobColumns) FROM jobs ORDER BY name") { statement throws(CatalogError) in
                var jobs: [JobRecord] = []
                while try statement.step() { jobs.append(Self.jobRecord(statement)) }
                return jobs
            }
        }
    }

    /// Sets a job's state (and its last error); returns whether the job exists.
    /// Setting it running (RESUME JOB) also clears its count of crashes in a row.
    @discardableResult
    public func setJobState(_ name: String, _ state: JobState, error: String? = nil, nowMs: Int64) throws(CatalogError) -> Bool {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("""
                UPDATE jobs SET state = ?2, last_error = ?3, updated_at = ?4,
                                crashes_in_a_row = CASE WHEN ?2 = 'running' THEN 0 ELSE crashes_in_a_row END
                WHERE name = ?1
                """) { statement throws(CatalogError) in
                try statement.bind(name, state.rawValue, error, nowMs)
                try statement.run()
                return database.changedRowCount > 0
            }
        }
    }

    /// Sets a job's WITH options (JSON object); returns whether the job exists.
    @discardableResult
    public func setJobOptions(_ name: String, optionsJSON: String, definition: String? = nil, nowMs: Int64) throws(CatalogError) -> Bool {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("UPDATE jobs SET options = ?2, updated_at = ?3, definition = coalesce(?4, definition) WHERE name = ?1") { statement throws(CatalogError) in
                try statement.bind(name, optionsJSON, nowMs, definition)
                try statement.run()
                return database.changedRowCount > 0
            }
        }
    }

    /// Deletes a job with its checkpoint (its alerts and results stay).
    @discardableResult
    public func deleteJob(named name: String) throws(CatalogError) -> Bool {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("DELETE FROM jobs WHERE name = ?") { statement throws(CatalogError) in
                try statement.bind(name)
                try statement.run()
                return database.changedRowCount > 0
            }
        }
    }

    /// Forgets a job's checkpoint (and its score series, which it scores again)
    /// and makes it start from `startFrom` next time
    /// it runs (running state, error cleared). The lease is released so that the
    /// process running it notices and starts over.
    @discardableResult
    public func restartJob(_ name: String, startFrom: String, nowMs: Int64) throws(CatalogError) -> Bool {
        try transaction { database throws(CatalogError) in
            for table in ["checkpoints", "checkpoint_offsets", "operator_state", "detector_scores"] {
                try database.withStatement("DELETE FROM \(table) WHERE job = ?") { statement throws(CatalogError) in
                    try statement.bind(name)
                    try statement.run()
                }
            }
            return try database.withStatement("""
                UPDATE jobs SET start_from = ?2, state = 'running', last_error = NULL, updated_at = ?3,
                    lease_owner = NULL, lease_expires_at = NULL WHERE name = ?1
                """) { statement throws(CatalogError) in
                try statement.bind(name, startFrom, nowMs)
                try statement.run()
                return database.changedRowCount > 0
            }
        }
    }

    // MARK: Leases

    /// Takes the job's lease for `owner` until `nowMs + durationMs` when it is
    /// free, expired or already `owner`'s. Returns whether `owner` holds it.
    public func acquireLease(job: String, owner: String, nowMs: Int64, durationMs: Int64) throws(CatalogError) -> Bool {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("""
                UPDATE jobs SET lease_owner = ?2, lease_expires_at = ?3
                WHERE name = ?1 AND state = 'running' AND (lease_owner IS NULL OR lease_owner = ?2 OR lease_expires_at < ?4)
                """) { statement throws(CatalogError) in
                try statement.bind(job, owner, nowMs + durationMs, nowMs)
                try statement.run()
                return database.changedRowCount > 0
            }
        }
    }

    /// Gives up `owner`'s lease on a job (no effect when another holds it).
    public func releaseLease(job: String, owner: String) throws(CatalogError) {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("UPDATE jobs SET lease_owner = NULL, lease_expires_at = NULL WHERE name = ?1 AND lease_owner = ?2") { statement throws(CatalogError) in
                try statement.bind(job, owner)
                try statement.run()
            }
        }
    }

    private static func jobRecord(_ row: SQLiteStatement) -> JobRecord {
        JobRecord(
            name: row.string(0), definition: row.string(1),
            outputKind: JobOutputKind(rawValue: row.string(2)) ?? .results, outputStream: row.optionalString(3),
            optionsJSON: row.string(4), state: JobState(rawValue: row.string(5)) ?? .failed, lastError: row.optionalString(6),
            createdMs: row.int64(7), updatedMs: row.int64(8), leaseOwner: row.optionalString(9),
            leaseExpiresMs: row.isNull(10) ? nil : row.int64(10), startFrom: row.optionalString(11),
            crashesInARow: row.int64(12), outputSink: row.optionalString(13))
    }
}
