// The facade's view of the job log (`job_log`, schema/0011): what jobs and
// services wrote through swift-log, for SHOW JOB LOG, `spate logs` and
// embedding programs. Entries reach the catalog in batches, so the newest
// may show a flush (under a second) after they happened.

import SpateCatalog

extension Database {
    /// The newest `limit` entries of job `job` (nil: of every job and service), newest first.
    public func jobLog(job: String?, limit: Int) throws(SpateError) -> [JobLogEntry] {
        do { return try catalog.jobLog(source: job == nil ? nil : .job, name: job, limit: limit) } catch { throw .catalog(error.description) }
    }

    /// Up to `limit` entries written after entry `id`, in the order they were
    /// written (`spate logs --follow`); of job `job` only when given.
    public func jobLog(after id: Int64, job: String?, limit: Int) throws(SpateError) -> [JobLogEntry] {
        do { return try catalog.jobLog(after: id, source: job == nil ? nil : .job, name: job, limit: limit) } catch { throw .catalog(error.description) }
    }

    /// Writes this process's buffered entries now (a runner does it every scan).
    public func flushJobLog() throws(SpateError) {
        do { try catalog.flushJobLog(nowMs: now()) } catch { throw .catalog(error.description) }
    }
}
