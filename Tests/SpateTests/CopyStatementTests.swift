// COPY (SELECT …) TO 'file': the rows a SELECT gives, in the file, checked by
// independent readers — sqlite3's CSV import (quotes, commas, NULLs, numbers),
// JSONSerialization per line, DuckDB's Parquet reader (rows and types) — and
// what COPY refuses: a query that does not end, a directory that does not
// exist (nothing left behind, not even the temporary file).

import Foundation
import Spate
import SpateSQL
import Testing

@Suite struct CopyStatementTests {
    func fixture() throws -> SQLFixture {
        let f = try SQLFixture()
        try f.run("CREATE STREAM tx (userId STRING, amount DOUBLE, note STRING, ts TIMESTAMP) WITH (key = 'userId', event_time = 'ts');")
        var values: [String] = []
        for i in 0..<500 {
            let note = i % 7 == 0 ? "NULL" : "'note \(i), \"quoted\"'"
            values.append("('user\(i % 13)', \(Double(i) * 1.25), \(note), \(1_732_400_000_000 + Int64(i) * 7_000))")
        }
        try f.run("INSERT INTO tx (userId, amount, note, ts) VALUES " + values.joined(separator: ", ") + ";")
        return f
    }

    @Test func csvReadsBackInSQLiteAsTheRowsOfTheSelect() throws {
        let f = try fixture()
        let file = f.directory.path + "/tx.csv"
        let copied = try f.run("COPY (SELECT userId, amount, note FROM tx SINCE EARLIEST UNTIL NOW) TO '\(file)';")
        #expect(copied.messages.last?.contains("copied 500 rows") == true, "\(copied.messages)")
        // sqlite3 imports the CSV (its header names the columns) and sums it, independently.
        let sqlite = try Spate.shell("sqlite3 :memory: '.import --csv \(file) t' \"SELECT COUNT(*), SUM(amount), COUNT(*) FILTER (WHERE note = ''), SUM(note LIKE '%, \"\"quoted\"\"%') FROM t;\"", input: "")
        #expect(sqlite.status == 0, "\(sqlite.stderr)")
        let expectedSum = (0..<500).reduce(0.0) { $0 + Double($1) * 1.25 }
        let nulls = (0..<500).filter { $0 % 7 == 0 }.count
        // 0 rows hold a doubled quote once read back: the quotes were undone by the CSV reader.
        #expect(sqlite.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "500|\(expectedSum)|\(nulls)|0", "\(sqlite.stdout)")
        let quoted = try Spate.shell("sqlite3 :memory: '.import --csv \(file) t' \"SELECT note FROM t WHERE note <> '' LIMIT 1;\"", input: "")
        #expect(quoted.stdout.trimmingCharacters(in: .newlines) == "note 1, \"quoted\"")
    }

    @Test func jsonLinesHoldTheWindowedRowsOfTheSelect() throws {
        let f = try fixture()
        let query = "SELECT userId, WINDOW_START, COUNT(*) AS n, SUM(amount) AS total FROM tx SINCE EARLIEST UNTIL NOW WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId"
        let selected = try f.run(query + ";").rows
        try f.run("COPY (\(query)) TO '\(f.directory.path)/w.out' FORMAT JSONL;")
        let lines = try String(contentsOfFile: f.directory.path + "/w.out", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == selected.count && !selected.isEmpty)
        for (line, row) in zip(lines, selected) {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["userId"] as? String == { if case let .string(s) = row[0] { return s }; return nil }())
            #expect((object["n"] as? Int).map { Value.bigint(Int64($0)) } == row[2])
            #expect((object["total"] as? Double).map { Value.double($0) } == row[3])
        }
    }

    @Test(.enabled(if: PythonModule.duckdb, "python3 -c 'import duckdb' fails: pip install duckdb"))
    func parquetReadsBackWithDuckDB() throws {
        let f = try fixture()
        let path = f.directory.path + "/tx.parquet"
        let sql = "SELECT userId, amount, note, ts FROM tx SINCE EARLIEST UNTIL NOW"
        try f.run("COPY (\(sql)) TO '\(path)';")
        let output = try runPython("""
            import duckdb, json
            rel = duckdb.connect().sql("SELECT * FROM read_parquet('\(path)')")
            print(json.dumps([str(t) for t in rel.types]))
            for r in rel.fetchall():
                print(json.dumps([r[0], r[1], r[2], int(r[3].timestamp() * 1000)]))
            """)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.first == #"["VARCHAR", "DOUBLE", "VARCHAR", "TIMESTAMP WITH TIME ZONE"]"#)
        let expected = try f.run(sql + ";").rows.map { row -> String in
            func json(_ v: Value) -> String {
                switch v {
                case .null: "null"
                case let .string(s): String(decoding: try! JSONSerialization.data(withJSONObject: s, options: .fragmentsAllowed), as: UTF8.self)
                case let .double(d): "\(d)"
                case let .timestamp(t): "\(t)"
                default: "?"
                }
            }
            return "[" + row.map(json).joined(separator: ", ") + "]"
        }
        #expect(lines.count == 501)
        #expect(Array(lines.dropFirst()) == expected)
    }

    @Test func whatCopyRefusesLeavesNothingBehind() throws {
        let f = try fixture()
        #expect(throws: SpateError.self) { try f.run("COPY (SELECT * FROM tx) TO '\(f.directory.path)/live.jsonl';") }
        #expect(throws: SpateError.self) { try f.run("COPY (SELECT * FROM tx SINCE EARLIEST UNTIL NOW) TO '\(f.directory.path)/no/such/dir/t.csv';") }
        #expect(throws: SpateError.self) { try f.run("COPY (SELECT * FROM tx SINCE EARLIEST UNTIL NOW) TO 'x' FORMAT XML;") }
        let left = try FileManager.default.contentsOfDirectory(atPath: f.directory.path).filter { $0 != "data" }
        #expect(left.isEmpty, "\(left)")
    }
}
