// The count of times in a row a job crashed its process, and the quarantine it
// leads to (schema/0005_job_crashes.sql). A runner counts the crashes the
// dying processes noted (JobCrashNote in SpateRuntime); at `quarantineAfter`
// in a row the job is set failed with a message that says what to do, in the
// same transaction, so that no runner starts it again until RESUME JOB.

extension Catalog {
    /// Counts one more crash of `job`; at `quarantineAfter` sets it failed with
    /// `message`. Returns the count, or nil when the job no longer exists.
    public func recordJobCrash(_ job: String, quarantineAfter: Int64, message: String, nowMs: Int64) throws(CatalogError) -> Int64? {
        try transaction { database throws(CatalogError) in
            try database.withStatement("UPDATE jobs SET crashes_in_a_row = crashes_in_a_row + 1 WHERE name = ?1") { statement throws(CatalogError) in
                try statement.bind(job)
                try statement.run()
            }
            let count: Int64? = try database.withStatement("SELECT crashes_in_a_row FROM jobs WHERE name = ?1") { statement throws(CatalogError) in
                try statement.bind(job)
                return try statement.step() ? statement.int64(0) : nil
            }
            guard let count else { return nil }
            if count >= quarantineAfter {
                try database.withStatement("""
                    UPDATE jobs SET state = 'failed', last_error = ?2, updated_at = ?3 WHERE name = ?1 AND state = 'running'
                    """) { statement throws(CatalogError) in
                    try statement.bind(job, message, nowMs)
                    try statement.run()
                }
            }
            return count
        }
    }

    /// Clears the count: the job ran healthily (it caught up with its stream).
    public func resetJobCrashes(_ job: String) throws(CatalogError) {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("UPDATE jobs SET crashes_in_a_row = 0 WHERE name = ?1 AND crashes_in_a_row > 0") { statement throws(CatalogError) in
                try statement.bind(job)
                try statement.run()
            }
        }
    }
}
