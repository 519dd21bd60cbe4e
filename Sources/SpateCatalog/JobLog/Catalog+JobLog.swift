// Typed access to `job_log` (schema/0011): writing a batch of entries with
// the retention enforced in the same transaction, and reading a source's
// newest entries or everything after an id (`spate logs --follow`).
//
// Retention, both limits explicit and enforced on every write:
// - count: each source (a job, a service) written to keeps its newest
//   `jobLogEntriesPerSourceMax` rows; the trim walks that source's index from
//   the newest row, so it costs the kept rows' index entries (10,000 steps, well
//   under a millisecond), once per source per flush;
// - age: rows older than `jobLogRetentionMs` go, at most
//   `jobLogAgeTrimRowsMax` per write (a catalog that was not written for a week
//   is trimmed over a few writes, each of them short).

import Logging

extension Catalog {
    /// Newest entries kept per source (a job or a service).
    public static let jobLogEntriesPerSourceMax = 10_000
    /// Entries older than this are deleted: 7 days.
    public static let jobLogRetentionMs: Int64 = 7 * 86_400_000
    /// Most entries one write deletes for their age.
    static let jobLogAgeTrimRowsMax = 5_000

    /// Writes what this process's buffer holds (JobLogBuffer), with a warning
    /// entry for those it had to drop, in one transaction; trims as
    /// `appendJobLog` does. On failure the entries go back to the buffer.
    public func flushJobLog(nowMs: Int64) throws(CatalogError) {
        var entries = jobLogBuffer.take()
        let dropped = jobLogBuffer.takeDropped()
        if dropped > 0 {
            entries.append(JobLogEntry(loggedMs: nowMs, source: .service, name: "job_log", level: .warning, event: "entries_dropped",
                                       message: "\(dropped) log entries were dropped: more than \(JobLogBuffer.entriesMax) waited to be written",
                                       metadataJSON: "{\"dropped\":\(dropped)}"))
        }
        guard !entries.isEmpty else { return }
        do {
            try appendJobLog(entries, nowMs: nowMs)
        } catch {
            jobLogBuffer.putBack(entries)
            throw error
        }
    }

    /// Inserts `entries` and enforces the retention (count per source written,
    /// age as of `nowMs`), in one transaction.
    public func appendJobLog(_ entries: [JobLogEntry], nowMs: Int64) throws(CatalogError) {
        try transaction { database throws(CatalogError) in
            try database.withStatement("""
                INSERT INTO job_log (logged_at, source, name, level, event, message, metadata) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                """) { statement throws(CatalogError) in
                for entry in entries {
                    try statement.bind(entry.loggedMs, at: 1)
                    try statement.bind(entry.source.rawValue, at: 2)
                    try statement.bind(entry.name, at: 3)
                    try statement.bind(entry.level.rawValue, at: 4)
                    try statement.bind(entry.event, at: 5)
                    try statement.bind(entry.message, at: 6)
                    try statement.bind(entry.metadataJSON, at: 7)
                    try statement.run()
                    statement.rewind()
                }
            }
            var sources = Set<SourceKey>()
            for entry in entries { sources.insert(SourceKey(source: entry.source, name: entry.name)) }
            for key in sources {
                try database.withStatement("""
                    DELETE FROM job_log WHERE id IN (
                        SELECT id FROM job_log WHERE source = ?1 AND name = ?2
                        ORDER BY logged_at DESC, id DESC LIMIT -1 OFFSET ?3)
                    """) { statement throws(CatalogError) in
                    try statement.bind(key.source.rawValue, key.name, Int64(Self.jobLogEntriesPerSourceMax))
                    try statement.run()
                }
            }
            try database.withStatement("""
                DELETE FROM job_log WHERE id IN (SELECT id FROM job_log WHERE logged_at < ?1 ORDER BY logged_at LIMIT ?2)
                """) { statement throws(CatalogError) in
                try statement.bind(nowMs - Self.jobLogRetentionMs, Int64(Self.jobLogAgeTrimRowsMax))
                try statement.run()
            }
        }
    }

    private struct SourceKey: Hashable {
        var source: JobLogSource
        var name: String
    }

    /// The newest `limit` entries of `name` (of any source when nil, or of
    /// every source when both are nil), newest first.
    public func jobLog(source: JobLogSource?, name: String?, limit: Int) throws(CatalogError) -> [JobLogEntry] {
        precondition(limit >= 0, "a row count is not negative")
        var sql = "SELECT \(Self.jobLogColumns) FROM job_log"
        var parameters: [CatalogValue] = []
        var conditions: [String] = []
        if let source { parameters.append(.text(source.rawValue)); conditions.append("source = ?\(parameters.count)") }
        if let name { parameters.append(.text(name)); conditions.append("name = ?\(parameters.count)") }
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        parameters.append(.integer(Int64(limit)))
        sql += " ORDER BY logged_at DESC, id DESC LIMIT ?\(parameters.count)"
        return try readJobLog(sql, parameters)
    }

    /// Up to `limit` entries stored after entry `id` (in id order: the order
    /// they were written, which `spate logs --follow` prints them in).
    public func jobLog(after id: Int64, source: JobLogSource?, name: String?, limit: Int) throws(CatalogError) -> [JobLogEntry] {
        precondition(limit >= 0, "a row count is not negative")
        var sql = "SELECT \(Self.jobLogColumns) FROM job_log WHERE id > ?1"
        var parameters: [CatalogValue] = [.integer(id)]
        if let source { parameters.append(.text(source.rawValue)); sql += " AND source = ?\(parameters.count)" }
        if let name { parameters.append(.text(name)); sql += " AND name = ?\(parameters.count)" }
        parameters.append(.integer(Int64(limit)))
        sql += " ORDER BY id LIMIT ?\(parameters.count)"
        return try readJobLog(sql, parameters)
    }

    private static let jobLogColumns = "id, logged_at, source, name, level, event, message, metadata"

    private func readJobLog(_ sql: String, _ parameters: [CatalogValue]) throws(CatalogError) -> [JobLogEntry] {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement(sql) { statement throws(CatalogError) in
                try statement.bind(parameters)
                var entries: [JobLogEntry] = []
                while try statement.step() {
                    entries.append(JobLogEntry(
                        id: statement.int64(0), loggedMs: statement.int64(1),
                        source: JobLogSource(rawValue: statement.string(2)) ?? .service, name: statement.string(3),
                        level: Logger.Level(rawValue: statement.string(4)) ?? .info, event: statement.string(5),
                        message: statement.string(6), metadataJSON: statement.string(7)))
                }
                return entries
            }
        }
    }
}
