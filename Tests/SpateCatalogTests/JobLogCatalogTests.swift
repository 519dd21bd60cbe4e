// The job log in the catalog: a swift-log call becomes one row (event, level,
// message, metadata as JSON with numbers kept numbers), below info nothing is
// stored, and the retention holds — the newest 10,000 entries per source and
// nothing older than 7 days — however the entries arrive. The buffer drops
// beyond its limit and says so in the log.

import Foundation
import Logging
@testable import SpateCatalog
import Testing

@Suite struct JobLogCatalogTests {
    let day: Int64 = 86_400_000
    let t0: Int64 = 1_767_225_600_000  // 2026-01-01

    func entry(_ name: String, at ms: Int64, source: JobLogSource = .job, event: String = "checkpoint") -> JobLogEntry {
        JobLogEntry(loggedMs: ms, source: source, name: name, level: .info, event: event, message: "at \(ms)")
    }

    @Test func aLogCallBecomesOneRowWithItsEventAndFields() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        let logger = catalog.jobLogger(.job, "fraud_watch", nowMs: { 1_000 })
        logger.event(.info, "checkpoint", "3 checkpoints", ["duration_ms": .stringConvertible(1.5), "offsets": .array([.stringConvertible(UInt64(7)), .stringConvertible(UInt64(9))]),
                                                         "owner": "h:1:2", "ok": .stringConvertible(true)])
        logger.debug("not stored: below info")
        logger.warning("no event given")
        #expect(catalog.jobLogBuffer.dropped == 0)
        try catalog.flushJobLog(nowMs: 2_000)
        let entries = try catalog.jobLog(source: .job, name: "fraud_watch", limit: 10)
        #expect(entries.count == 2)
        let checkpoint = try #require(entries.first { $0.event == "checkpoint" })
        #expect(checkpoint.level == .info && checkpoint.message == "3 checkpoints" && checkpoint.loggedMs == 1_000)
        #expect(checkpoint.metadataJSON == #"{"duration_ms":1.5,"offsets":[7,9],"ok":true,"owner":"h:1:2"}"#)
        #expect(entries.contains { $0.event == JobLogEntry.defaultEvent && $0.level == .warning && $0.metadataJSON == "{}" })
        // The JSON is SQLite's to query.
        let rows = try catalog.query(sql: "SELECT json_extract(metadata, '$.offsets[1]') FROM job_log WHERE event = 'checkpoint'")
        #expect(rows.values.map(\.description) == ["9"])
        // A flush with nothing waiting writes nothing.
        try catalog.flushJobLog(nowMs: 3_000)
        #expect(try catalog.jobLog(source: nil, name: nil, limit: 100).count == 2)
    }

    @Test func aProcessOutputGetsEntriesFromItsOwnLevel() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        let lines = LockedLines()
        let logger = catalog.jobLogger(.service, "delivery", nowMs: { 5 }, output: JobLogOutput(level: .debug) { lines.append("\($0.level) \($0.event)") })
        logger.event(.debug, "checkpoint_committed", "debug: output only")
        logger.event(.info, "lease_taken", "info: both")
        logger.event(.trace, "step", "trace: neither")
        #expect(lines.all == ["debug checkpoint_committed", "info lease_taken"])
        try catalog.flushJobLog(nowMs: 5)
        #expect(try catalog.jobLog(source: .service, name: "delivery", limit: 10).map(\.event) == ["lease_taken"])
    }

    @Test func eachSourceKeepsItsNewestTenThousandEntries() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        let keep = Catalog.jobLogEntriesPerSourceMax
        #expect(keep == 10_000)
        // In batches, as flushes write them: 12,500 for one job, 30 for another, 20 for a service of the same name.
        for batch in 0..<5 {
            let entries = (0..<2_500).map { i in entry("busy", at: t0 + Int64(batch * 2_500 + i)) }
            try catalog.appendJobLog(entries, nowMs: t0 + 12_500)
        }
        try catalog.appendJobLog((0..<30).map { entry("quiet", at: t0 + Int64($0)) }, nowMs: t0 + 12_500)
        try catalog.appendJobLog((0..<20).map { entry("busy", at: t0 + Int64($0), source: .service) }, nowMs: t0 + 12_500)
        let counts = try catalog.query(sql: "SELECT source, name, COUNT(*), MIN(logged_at) FROM job_log GROUP BY 1, 2 ORDER BY 1, 2").rows
            .map { $0.map(\.description).joined(separator: " ") }
        #expect(counts == ["job busy 10000 \(t0 + 2_500)", "job quiet 30 \(t0)", "service busy 20 \(t0)"])
        // Newest first, the newest is the last written.
        let newest = try catalog.jobLog(source: .job, name: "busy", limit: 3)
        #expect(newest.map(\.loggedMs) == [t0 + 12_499, t0 + 12_498, t0 + 12_497])
    }

    @Test func entriesOlderThanSevenDaysGoOnTheNextWrite() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        #expect(Catalog.jobLogRetentionMs == 7 * day)
        // A dropped job's entries are trimmed by age too: nothing writes to its source any more.
        try catalog.appendJobLog([entry("dropped", at: t0), entry("kept", at: t0 + 2 * day), entry("kept", at: t0 + 8 * day)], nowMs: t0 + 8 * day)
        #expect(try catalog.jobLog(source: nil, name: nil, limit: 10).count == 2)  // t0 is 8 days old at the write
        try catalog.appendJobLog([entry("other", at: t0 + 9 * day + 1)], nowMs: t0 + 9 * day + 1)
        let left = try catalog.jobLog(source: nil, name: nil, limit: 10)
        #expect(left.map(\.loggedMs) == [t0 + 9 * day + 1, t0 + 8 * day])
        // A catalog not written for long is trimmed over several writes, each bounded.
        try catalog.appendJobLog((0..<7_000).map { entry("j\($0 % 7)", at: t0 + 10 * day + Int64($0)) }, nowMs: t0 + 10 * day + 7_000)
        try catalog.appendJobLog([entry("late", at: t0 + 30 * day)], nowMs: t0 + 30 * day)
        #expect(try catalog.jobLog(source: nil, name: nil, limit: 10_000).count == 2 + 7_000 + 1 - Catalog.jobLogAgeTrimRowsMax)
        try catalog.appendJobLog([entry("late", at: t0 + 30 * day + 1)], nowMs: t0 + 30 * day + 1)
        #expect(try catalog.jobLog(source: nil, name: nil, limit: 10_000).map(\.name) == ["late", "late"])
    }

    @Test func followReadsWhatCameAfterAnEntryInTheOrderItWasWritten() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        try catalog.appendJobLog([entry("a", at: t0 + 5), entry("b", at: t0 + 1)], nowMs: t0 + 5)
        let first = try catalog.jobLog(after: 0, source: nil, name: nil, limit: 100)
        #expect(first.map(\.name) == ["a", "b"])
        // Another process writes an entry stamped earlier, later: follow still sees it.
        try catalog.appendJobLog([entry("a", at: t0)], nowMs: t0 + 5)
        let next = try catalog.jobLog(after: first.last!.id!, source: .job, name: "a", limit: 100)
        #expect(next.map(\.loggedMs) == [t0])
    }

    @Test func aFullBufferDropsAndTheLogSaysHowMany() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        let logger = catalog.jobLogger(.job, "j", nowMs: { 7 })
        for i in 0..<(JobLogBuffer.entriesMax + 25) { logger.event(.info, "e", "entry \(i)") }
        #expect(catalog.jobLogBuffer.dropped == 25)
        try catalog.flushJobLog(nowMs: 7)
        #expect(try catalog.jobLog(source: .job, name: "j", limit: 20_000).count == JobLogBuffer.entriesMax)
        let warning = try catalog.jobLog(source: .service, name: "job_log", limit: 5)
        #expect(warning.map(\.event) == ["entries_dropped"])
        #expect(warning.first?.metadataJSON == #"{"dropped":25}"#)
        #expect(catalog.jobLogBuffer.dropped == 0)
    }

    @Test func theTableRefusesRowsItCannotHold() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        var bad = entry("j", at: 1)
        bad.metadataJSON = "[1]"  // not an object
        #expect(throws: CatalogError.self) { try catalog.appendJobLog([bad], nowMs: 1) }
        #expect(try catalog.jobLog(source: nil, name: nil, limit: 10).isEmpty)
    }
}

/// Lines collected from another thread's writes.
final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
