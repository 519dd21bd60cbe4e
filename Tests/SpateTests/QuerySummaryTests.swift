// The summary line tells what a statement did: a query that read records says
// how many, and which of them were late, missing a field, or bad — a record that
// merely lacks an optional field is not reported as damaged. Statements that
// read no records (SHOW, DESCRIBE, EXPLAIN, catalog tables, DDL) say only what
// they did.

import Foundation
import Spate
import Testing

@Suite struct QuerySummaryTests {
    @Test func aMissingFieldIsCountedApartFromABadRecord() throws {
        let f = try SQLFixture()
        try f.run("CREATE STREAM tx (userId STRING, amount DOUBLE, note STRING);")
        try f.append("tx", [
            #"{"userId":"a","amount":1,"note":"x"}"#,  // whole
            #"{"userId":"b","amount":2}"#,  // note absent: missing
            #"{"userId":"c","amount":null,"note":"y"}"#,  // amount null: missing
            "not json",  // bad
            #"{"userId":"d","amount":"lots","note":"z"}"#,  // amount does not convert: bad
            #"{"userId":"e","amount":"lots"}"#,  // both: bad, counted once
        ])
        let sink = try f.run("SELECT userId, amount, note FROM tx SINCE EARLIEST UNTIL NOW;")
        let summary = try #require(sink.summaries.last)
        #expect(summary.readsRecords)
        #expect(summary.recordsRead == 6)
        #expect(summary.missingRecords == 2)
        #expect(summary.badRecords == 3)
        #expect(sink.rows[1] == [.string("b"), .double(2), .null])
        // A query that reads only whole fields finds nothing missing in the same records.
        let narrow = try f.run("SELECT userId FROM tx SINCE EARLIEST UNTIL NOW;")
        #expect(narrow.summaries.last?.missingRecords == 0)
        #expect(narrow.summaries.last?.badRecords == 1)  // "not json" is bad whatever is read
    }

    @Test func theSummaryLineSaysWhatEachStatementDid() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let result = try Spate.run(["--data", data], input: """
            CREATE STREAM tx (userId STRING, amount DOUBLE);
            INSERT INTO tx (userId) VALUES ('a');
            SHOW STREAMS;
            DESCRIBE tx;
            EXPLAIN SELECT userId FROM tx SINCE EARLIEST UNTIL NOW;
            SELECT name FROM streams;
            SELECT userId, amount FROM tx SINCE EARLIEST UNTIL NOW;
            """)
        #expect(result.status == 0, "\(result.stderr)")
        let notes = result.lines.filter { $0.hasPrefix("(") || $0.hasPrefix("created") || $0.hasPrefix("inserted") }
        #expect(notes.count == 7, "\(result.stdout)")
        #expect(notes[0] == "created stream tx (1 shard)")
        #expect(notes[1] == "inserted 1 record into tx")
        #expect(notes[2] == "(1 row)")  // SHOW STREAMS
        #expect(notes[3].hasSuffix(" rows)") && !notes[3].contains("records read"))  // DESCRIBE
        #expect(notes[4].hasSuffix(" rows)") && notes[4] != "(0 rows)")  // EXPLAIN: as many rows as it printed
        #expect(notes[5] == "(1 row)")  // a catalog table
        #expect(notes[6].hasPrefix("(1 row, 1 record read, 0 late, 1 missing, 0 bad, "), "\(notes[6])")
    }
}
