// `WITH (archive = 'dir')` through SQL: retention moves sealed segments to the
// archive, and a query over history gives the same rows before and after (the
// archive round trip); `SINCE` a time before the hot log reads the archive;
// DESCRIBE shows both tiers; ALTER turns the archive on and off; a path that
// cannot be an archive is refused with one line.

import Foundation
import Spate
import SpateLog
import SpateSQL
import Testing

@Suite struct ArchiveRetentionSQLTests {
    let t0: Int64 = 1_732_399_980_000  // a minute boundary

    /// A stream of 4 KiB segments with an archive in the fixture's directory,
    /// and 2,000 rows inserted in 40 batches, a minute apart in arrival and event time.
    func fixture(archive: String? = nil) throws -> (SQLFixture, String) {
        let f = try SQLFixture()
        let archivePath = archive ?? f.directory.path + "/cold"
        try f.run("CREATE STREAM tx (userId STRING, amount DOUBLE, ts TIMESTAMP) WITH (key = 'userId', event_time = 'ts', retention = 'unlimited', segment_bytes = 4096, archive = '\(archivePath)');")
        for batch in 0..<40 {
            let values = (0..<50).map { i in
                let n = batch * 50 + i
                return "('user\(n % 7)', \(Double(n % 97) * 1.5), \(t0 + Int64(batch) * 60_000 + Int64(i) * 100))"
            }
            try f.run("INSERT INTO tx (userId, amount, ts) VALUES " + values.joined(separator: ", ") + ";")
            f.clock.advance(60_000)
        }
        return (f, archivePath)
    }

    func describe(_ f: SQLFixture) throws -> [String: String] {
        var properties: [String: String] = [:]
        for row in try f.run("DESCRIBE tx;").rows {
            if case let .string(key) = row[0], case let .string(value) = row[1] { properties[key] = value }
        }
        return properties
    }

    /// `path` without repeated slashes (the temporary directory's name may have one; Spate stores paths clean).
    func normalized(_ path: String) -> String { "/" + path.split(separator: "/").joined(separator: "/") }

    func logFiles(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".log") }
    }

    @Test func aQueryAcrossTheArchiveAndTheHotLogGivesTheRowsItGaveBefore() throws {
        let (f, archive) = try fixture()
        let query = "SELECT userId, WINDOW_START, COUNT(*) AS n, SUM(amount) AS total, MIN(amount) AS low, MAX(ts) AS last FROM tx SINCE EARLIEST UNTIL NOW WINDOW TUMBLING (SIZE 5 MINUTES) GROUP BY userId;"
        let before = try f.run(query).rows
        #expect(before.count == 7 * 9)  // 40 minutes from 3 minutes into a 5-minute window: 9 windows per user
        let plain = "SELECT userId, amount, ts FROM tx SINCE EARLIEST UNTIL NOW;"
        let rowsBefore = try f.run(plain).rows
        #expect(rowsBefore.count == 2000)

        try f.run("ALTER STREAM tx SET (retention_records = 300);")
        #expect(try f.database.enforceRetention() > 0)
        let shardArchive = archive + "/tx/shardId-000000000000"
        #expect(logFiles(shardArchive).count > 3)
        #expect(try f.database.describeStream("tx").recordCount < 600)

        #expect(try f.run(query).rows == before)
        #expect(try f.run(plain).rows == rowsBefore)
        // COUNT over everything, and a job-style read from a sequence, see every row once.
        #expect(try f.run("SELECT COUNT(*) AS n FROM tx SINCE EARLIEST UNTIL NOW;").rows == [[.bigint(2000)]])
    }

    @Test func sinceATimeBeforeTheHotLogReadsTheArchive() throws {
        let (f, _) = try fixture()
        let since = UTCTimestamp.format(f.clock.now - 30 * 60_000)  // ten minutes' batches in, of forty
        let query = "SELECT COUNT(*) AS n, MIN(ts) AS first FROM tx SINCE '\(since)' UNTIL NOW;"
        let before = try f.run(query).rows
        #expect(before == [[.bigint(30 * 50), .timestamp(t0 + 10 * 60_000)]])
        try f.run("ALTER STREAM tx SET (retention_records = 100);")
        #expect(try f.database.enforceRetention() > 0)
        #expect(try f.run(query).rows == before)
    }

    @Test func describeShowsBothTiers() throws {
        let (f, archive) = try fixture()
        var properties = try describe(f)
        #expect(properties["archive"] == normalized(archive))
        #expect(properties["archived_records"] == "0")
        #expect(properties["records"] == "2000")
        try f.run("ALTER STREAM tx SET (retention_records = 300);")
        _ = try f.database.enforceRetention()
        properties = try describe(f)
        let hot = try #require(Int(properties["records"] ?? ""))
        let archived = try #require(Int(properties["archived_records"] ?? ""))
        #expect(hot < 600 && hot + archived == 2000)
        #expect(Int(properties["archived_segments"] ?? "") == logFiles(archive + "/tx/shardId-000000000000").count)
        #expect(Int(properties["archived_bytes"] ?? "0")! > 0)
        #expect(properties["archived_earliest_arrival"] == UTCTimestamp.format(1_732_400_000_000))
        #expect(properties["earliest_arrival"].map { $0 > properties["archived_earliest_arrival"]! } == true)
        #expect(properties["shardId-000000000000"]?.contains("archived: sequences 0..<\(archived)") == true)
        // SHOW STREAMS counts the hot log and names the archive with what it holds.
        let shown = try f.run("SHOW STREAMS;")
        let columns = shown.columns.map(\.name), row = try #require(shown.rows.first)
        #expect(row[columns.firstIndex(of: "records")!] == .bigint(Int64(hot)))
        #expect(row[columns.firstIndex(of: "archive")!] == .string(normalized(archive)))
        #expect(row[columns.firstIndex(of: "archived_records")!] == .bigint(Int64(archived)))
    }

    @Test func alterTurnsTheArchiveOnAndOff() throws {
        let f = try SQLFixture()
        try f.run("CREATE STREAM tx (n BIGINT) WITH (retention = 'unlimited', segment_bytes = 4096);")
        for batch in 0..<20 {
            try f.run("INSERT INTO tx (n) VALUES " + (0..<50).map { "(\(batch * 50 + $0))" }.joined(separator: ", ") + ";")
        }
        // Relative: under the data directory.
        try f.run("ALTER STREAM tx SET (archive = 'cold', retention_records = 200);")
        #expect(try describe(f)["archive"] == normalized(f.directory.path + "/data/cold"))
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: f.directory.path + "/data/cold", isDirectory: &isDirectory) && isDirectory.boolValue)
        #expect(try f.database.enforceRetention() > 0)
        #expect(try f.run("SELECT COUNT(*) AS n, SUM(n) AS total FROM tx SINCE EARLIEST UNTIL NOW;").rows == [[.bigint(1000), .bigint(499_500)]])
        try f.run("ALTER STREAM tx SET (archive = 'none', retention_records = 100);")
        #expect(try describe(f)["archive"] == "(none: retention deletes)")
        #expect(try f.database.enforceRetention() > 0)
        let kept = try f.run("SELECT COUNT(*) AS n FROM tx SINCE EARLIEST UNTIL NOW;").rows
        #expect(kept.count == 1 && kept[0][0] != .bigint(1000))
    }

    @Test func aPathThatCannotBeAnArchiveIsRefusedWithOneLine() throws {
        let f = try SQLFixture()
        let file = f.directory.path + "/plain-file"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        for bad in [file, file + "/below", "streams"] {
            do {
                try f.run("CREATE STREAM tx (n BIGINT) WITH (archive = '\(bad)');")
                Issue.record("archive '\(bad)' should be refused")
            } catch {
                let text = "\(error)"
                #expect(text.contains("archive") && !text.contains("\n"), "\(text)")
                #expect(!f.database.streamExists("tx"))
            }
        }
        try f.run("CREATE STREAM tx (n BIGINT);")
        #expect(throws: SpateError.self) { try f.run("ALTER STREAM tx SET (archive = '\(file)');") }
        #expect(try describe(f)["archive"] == "(none: retention deletes)")
        do {
            try f.run("CREATE STREAM t2 (n BIGINT) WITH (archiv = 'x');")
            Issue.record("a misspelled option should be refused")
        } catch {
            #expect("\(error)".contains("did you mean archive?"), "\(error)")
        }
    }

    @Test func theCommandLineSetsTheArchiveAndDescribesBothTiers() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let create = try Spate.run(["stream", "create", "tx", "--segment-bytes", "4096", "--retention", "unlimited", "--archive", "cold", "--data", data])
        #expect(create.status == 0, "\(create.stderr)")
        let lines = (0..<400).map { #"{"n":\#($0),"pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"# }.joined(separator: "\n") + "\n"
        #expect(try Spate.run(["put", "tx", "--data", data], input: lines).status == 0)
        #expect(try Spate.run(["stream", "alter", "tx", "--retention-records", "100", "--data", data]).status == 0)
        #expect(try Spate.run(["put", "tx", "--data", data], input: lines).status == 0)  // rolls apply retention
        let describe = try Spate.run(["stream", "describe", "tx", "--data", data])
        #expect(describe.status == 0)
        #expect(describe.lines.contains { $0.hasPrefix("archive") && $0.hasSuffix("/data/cold") }, "\(describe.stdout)")
        let hot = try #require(describe.lines.first { $0.contains(" hot ") })
        let archived = try #require(describe.lines.first { $0.contains(" archive ") })
        #expect(hot.contains("…799") && archived.contains("0…"), "\(describe.stdout)")
        let count = try Spate.run(["-c", "SELECT COUNT(*) AS n FROM tx SINCE EARLIEST UNTIL NOW;", "--format", "csv", "--data", data])
        #expect(count.lines.last == "800", "\(count.stdout) \(count.stderr)")
        let bad = try Spate.run(["stream", "alter", "tx", "--archive", data + "/streams/tx", "--data", data])
        #expect(bad.status == 1 && bad.stderr.contains("archive") && bad.stderr.split(separator: "\n").count == 1, "\(bad.stderr)")
        #expect(try Spate.run(["stream", "alter", "tx", "--archive", "none", "--data", data]).stdout.contains("altered stream tx"))
        #expect(try Spate.run(["stream", "describe", "tx", "--data", data]).stdout.contains("archive      none"))
    }
}
