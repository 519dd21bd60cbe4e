// SHOW JOB LOG name [LIMIT n]: a job's newest log entries, newest first —
// when, level, event, message and the event's fields as JSON. The same rows are
// in the catalog table `job_log` for SELECT (source = 'job', name = the job),
// with the services' entries beside them (source = 'service').
//
// A dropped job's entries stay until they age out (7 days), so SHOW JOB LOG
// accepts a name that is no job any more as long as it has entries.

import SpateCatalog
import SpateSQL

extension Session {
    /// Entries SHOW JOB LOG shows without LIMIT.
    static let jobLogShownDefault: Int64 = 100

    func showJobLog(job: Identifier, limit: Int64?, source: String, sink: ResultSink) throws(SpateError) {
        let count = Int(min(limit ?? Self.jobLogShownDefault, Int64(Catalog.jobLogEntriesPerSourceMax)))
        // One entry at least, to tell a name with a log (LIMIT 0) from a name without.
        let entries = try database.jobLog(job: job.value, limit: max(count, 1))
        if entries.isEmpty, try database.jobRecord(job.value) == nil {
            throw .sqlMessage("job '\(job.value)' does not exist and has no log entries (SHOW JOBS lists the jobs)",
                              at: job.range, source: source, kind: .unknownName)
        }
        sink.begin(columns: [
            ResultColumn(name: "logged_at", type: .timestamp), ResultColumn(name: "level", type: .string),
            ResultColumn(name: "event", type: .string), ResultColumn(name: "message", type: .string),
            ResultColumn(name: "metadata", type: .string),
        ])
        var summary = QuerySummary()
        for entry in entries.prefix(count) {
            sink.row([.timestamp(entry.loggedMs), .string(entry.level.rawValue), .string(entry.event), .string(entry.message),
                      .string(entry.metadataJSON)])
            summary.rows += 1
        }
        sink.end(summary)
    }
}
