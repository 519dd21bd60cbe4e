// File sinks (CREATE SINK … TO FILES, CREATE JOB … AS INSERT INTO SINK): a
// job's rows land in sealed files under <dir>/YYYY/MM/DD/HH/, each row once,
// read back by independent readers — JSONSerialization per line, sqlite3's
// CSV import, DuckDB's Parquet reader (rows and column types) — and checked
// against the bounded SELECT of the same query and against `sink_files`.
// What is refused: an unknown format, a roll that does not divide the
// partition, a directory that is a file, a job into a sink that does not
// exist, dropping a sink a job writes into. The crash test (files equal an
// uninterrupted run's under kill -9) is in JobCrashTests.

import Foundation
import Spate
import SpateLog
import SpateRuntime
import SpateSQL
import Testing

@Suite(.serialized) struct FileSinkTests {
    let options = JobRunnerOptions(leaseDurationMs: 1500, scanIntervalMs: 50, pollIntervalMs: 5)
    /// 2024-11-23T22:13:00Z: three hours of events cross three hour directories.
    let t0: Int64 = 1_732_399_980_000
    static let query = "SELECT userId, WINDOW_START AS ws, COUNT(*) AS n, SUM(amount) AS total FROM tx SINCE EARLIEST WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId"

    /// A stream with three hours of events (three users, one each every 10 s) and a sink in `format`.
    func setUp(format: String, roll: String = "ROLL EVERY 30 MINUTES") throws -> (SQLFixture, String) {
        let f = try SQLFixture()
        let directory = f.directory.path + "/exports"
        try f.run("""
            CREATE STREAM tx (userId STRING, amount DOUBLE, ts TIMESTAMP) WITH (shards = 2, key = 'userId', event_time = 'ts');
            CREATE SINK files TO FILES '\(directory)' FORMAT \(format) PARTITION BY HOUR \(roll);
            """)
        var batch = AppendBatch()
        for tick in 0..<(3 * 360) {
            for u in 0..<3 {
                try batch.append(key: "u\(u)", payload: Array(#"{"userId":"u\#(u)","amount":\#(tick % 7 + u),"ts":\#(t0 + Int64(tick) * 10_000)}"#.utf8))
            }
        }
        _ = try f.database.stream("tx").append(batch)
        return (f, directory)
    }

    /// Runs the sink job until it has read everything, then stops it (which seals its last file).
    func runJob(_ f: SQLFixture) throws {
        try f.run("CREATE JOB export AS INSERT INTO SINK files \(Self.query);")
        let runner = f.database.startJobRunner(options: options)
        let caughtUp = try eventually {
            guard let job = try f.database.jobRecord("export") else { return false }
            return try f.database.jobStatus(job).lagRecords == 0
        }
        let lastError = try f.database.jobRecord("export")?.lastError
        #expect(caughtUp, "the job failed: \(lastError ?? "no error")")
        runner.stop()
    }

    /// The rows the job emits: the bounded query's, without the last minute (still open for the job).
    func expectedRows(_ f: SQLFixture) throws -> [[Value]] {
        let rows = try f.run(Self.query.replacing("SINCE EARLIEST", with: "SINCE EARLIEST UNTIL NOW") + ";").rows
        let last = rows.compactMap { row -> Int64? in if case let .timestamp(t) = row[1] { return t } else { return nil } }.max()!
        return rows.filter { $0[1] != .timestamp(last) }
    }

    /// Every file under `directory` (relative paths), sorted; hidden ones apart.
    func files(_ directory: String) -> (visible: [String], hidden: [String]) {
        let all = (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? [])
            .filter { !((try? FileManager.default.attributesOfItem(atPath: directory + "/" + $0)[.type] as? FileAttributeType) == .typeDirectory) }
        let hidden = all.filter { $0.split(separator: "/").last!.hasPrefix(".") }
        return (all.filter { !hidden.contains($0) }.sorted(), hidden.sorted())
    }

    @Test func jsonLinesHoldEachRowOnceInHourDirectories() throws {
        let (f, directory) = try setUp(format: "JSONL")
        try runJob(f)
        let (visible, hidden) = files(directory)
        #expect(hidden.isEmpty, "no staging file left: \(hidden)")
        // Three hours cut in 30-minute files: 2024/11/23/22 (22:13–22:30, 22:30–23:00), 23, 2024/11/24/00, 01.
        #expect(visible.first == "2024/11/23/22/export-000000000000.jsonl")
        #expect(Set(visible.map { $0.split(separator: "/").dropLast().joined(separator: "/") })
                == ["2024/11/23/22", "2024/11/23/23", "2024/11/24/00", "2024/11/24/01"])
        var rows: [String] = []
        var firstRow = 0
        for path in visible {
            let lines = try String(contentsOfFile: directory + "/" + path, encoding: .utf8).split(separator: "\n")
            #expect(path.hasSuffix("export-" + String(format: "%012d", firstRow) + ".jsonl"), "named after its first row")
            firstRow += lines.count
            let hour = path.split(separator: "/").prefix(4).joined(separator: "/")
            for line in lines {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let ws = try #require(object["ws"] as? Int64)
                #expect(UTCTimestamp.format(ws).prefix(13).replacing("-", with: "/").replacing("T", with: "/") == hour, "\(path) holds its hour")
                rows.append(String(line))
            }
        }
        let expected = try expectedRows(f).map { JSONText.object(names: ["userId", "ws", "n", "total"], values: $0) }
        #expect(rows.count == expected.count)
        #expect(rows.sorted() == expected.sorted())
        // sink_files records exactly the files on disk, with their row counts.
        let recorded = try f.run("SELECT path, row_count FROM sink_files ORDER BY first_row;").rows
        #expect(recorded.map { $0[0] } == visible.map(Value.string))
        #expect(recorded.reduce(Int64(0)) { sum, row in if case let .bigint(n) = row[1] { return sum + n } else { return sum } } == Int64(rows.count))
        let shown = try f.run("SHOW SINKS;").rows
        #expect(shown.first?[4] == .bigint(Int64(visible.count)))
    }

    @Test func csvFilesReadBackWithSQLite() throws {
        let (f, directory) = try setUp(format: "CSV", roll: "ROLL SIZE 1 KB")
        try runJob(f)
        let (visible, hidden) = files(directory)
        #expect(hidden.isEmpty)
        #expect(visible.count > 12, "1 KB files roll many times an hour")
        var total = 0
        for path in visible {
            let text = try String(contentsOfFile: directory + "/" + path, encoding: .utf8)
            #expect(text.hasPrefix("userId,ws,n,total\r\n"))
            #expect(text.utf8.count < 1024 + 100, "a file stops at its size, plus the row that crossed it")
            let rows = try sqliteCSV(directory + "/" + path, query: "SELECT COUNT(*), SUM(n) FROM t;")
            total += Int(rows[0][0])!
        }
        #expect(total == (try expectedRows(f)).count)
    }

    @Test(.enabled(if: PythonModule.duckdb, "python3 -c 'import duckdb' fails: pip install duckdb"))
    func parquetFilesReadBackWithDuckDB() throws {
        let (f, directory) = try setUp(format: "PARQUET")
        try runJob(f)
        let (visible, hidden) = files(directory)
        #expect(hidden.isEmpty, "no staging rows left: \(hidden)")
        #expect(visible.allSatisfy { $0.hasSuffix(".parquet") })
        let script = """
            import duckdb, json
            con = duckdb.connect()
            rel = con.sql("SELECT * FROM read_parquet('\(directory)/**/*.parquet') ORDER BY userId, ws")
            print(json.dumps([str(t) for t in rel.types]))
            for row in rel.fetchall():
                print(json.dumps([row[0], int(row[1].timestamp() * 1000), row[2], row[3]]))
            """
        let output = try runPython(script)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.first == #"["VARCHAR", "TIMESTAMP WITH TIME ZONE", "BIGINT", "DOUBLE"]"#)
        let expected = try expectedRows(f).map { row -> String in
            guard case let .string(user) = row[0], case let .timestamp(ws) = row[1], case let .bigint(n) = row[2], case let .double(total) = row[3] else { return "?" }
            return #"["\#(user)", \#(ws), \#(n), \#(total)]"#
        }
        #expect(Array(lines.dropFirst()) == expected.sorted())
    }

    @Test func badDefinitionsAreRefusedWithOneLine() throws {
        let f = try SQLFixture()
        try f.run("CREATE STREAM tx (userId STRING, amount DOUBLE, ts TIMESTAMP) WITH (event_time = 'ts');")
        let file = f.directory.path + "/plain-file"
        FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        for (sql, message) in [
            ("CREATE SINK s TO FILES '\(f.directory.path)/a' FORMAT XML;", "unknown format 'XML'; formats: JSONL, CSV, PARQUET"),
            ("CREATE SINK s TO FILES '\(f.directory.path)/a' FORMAT JSONL ROLL EVERY 7 MINUTES;", "ROLL EVERY must divide the partition"),
            ("CREATE SINK s TO FILES '\(file)' FORMAT CSV;", "is not a writable directory"),
            ("CREATE SINK s TO FILES '\(f.directory.path)/no/such/parent' FORMAT CSV;", "cannot create directory"),
            ("CREATE JOB j AS INSERT INTO SINK nowhere SELECT * FROM tx;", "sink 'nowhere' does not exist; create it first"),
        ] {
            #expect { try f.run(sql) } throws: { "\($0)".contains(message) }
        }
        try f.run("CREATE SINK s TO FILES '\(f.directory.path)/a' FORMAT JSONL; CREATE JOB j AS INSERT INTO SINK s SELECT * FROM tx;")
        #expect { try f.run("DROP SINK s;") } throws: { "\($0)".contains("job 'j' writes into sink 's'; drop the job first") }
        try f.run("DROP JOB j; DROP SINK s;")
        #expect(try f.run("SHOW SINKS;").rows.isEmpty)
    }
}

/// Runs a Python script; its standard output (throws on a non-zero exit).
func runPython(_ script: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script]
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw SQLiteCSVFailure(message: "python3 failed: " + String(decoding: errors, as: UTF8.self))
    }
    return String(decoding: data, as: UTF8.self)
}

/// sqlite3 importing a CSV file (header row) as table `t`, then `query`; rows as text fields.
func sqliteCSV(_ path: String, query: String) throws -> [[String]] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    process.arguments = ["-batch", "-separator", "|", ":memory:", ".import --csv \(path) t", query]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw SQLiteCSVFailure(message: "sqlite3 failed on \(path)") }
    return String(decoding: data, as: UTF8.self).split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
}

struct SQLiteCSVFailure: Error { var message: String }
