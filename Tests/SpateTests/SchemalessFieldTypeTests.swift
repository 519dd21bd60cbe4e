// A schemaless stream (made by `spate put`) read as its records hold it: a
// field a query only selects, orders or takes the MIN/MAX of is compared and
// printed as a number when its JSON values are numbers — MAX(amount) is
// 469.44, not "96.54" as text ordering would have it (the answer sqlite3 and
// duckdb give on the same JSON lines). A field of mixed kinds stays text.

import Foundation
import Spate
import SpateSQL
import Testing

@Suite struct SchemalessFieldTypeTests {
    func fixture() throws -> SQLFixture {
        let f = try SQLFixture()
        _ = try f.database.createStream("tx")
        try f.append("tx", [
            #"{"userId":"u1","amount":96.54,"code":7,"ok":true}"#,
            #"{"userId":"u1","amount":469.44,"code":"x","ok":false}"#,
            #"{"userId":"u2","amount":5,"ok":null}"#,
            #"{"userId":"u2"}"#,
        ])
        return f
    }

    @Test func maxAndMinOfAJSONNumberFieldCompareNumbersAndPrintAsNumbers() throws {
        let f = try fixture()
        let result = try f.run("""
            SELECT userId, MAX(amount) AS top, MIN(amount) AS low FROM tx SINCE EARLIEST UNTIL NOW
            GROUP BY userId ORDER BY userId;
            """)
        #expect(result.rows == [[.string("u1"), .double(469.44), .double(96.54)], [.string("u2"), .double(5), .double(5)]])
        #expect(result.columns.map(\.type) == [.string, .double, .double])
        let ordered = try f.run("SELECT amount FROM tx SINCE EARLIEST UNTIL NOW ORDER BY amount DESC LIMIT 2;")
        #expect(ordered.rows == [[.double(469.44)], [.double(96.54)]])
    }

    @Test func booleansReadAsBooleansAndMixedKindsStayText() throws {
        let f = try fixture()
        let result = try f.run("SELECT MAX(code) AS code, MIN(ok) AS ok FROM tx SINCE EARLIEST UNTIL NOW;")
        #expect(result.columns.map(\.type) == [.string, .boolean])
        #expect(result.rows == [[.string("x"), .boolean(false)]])
        // Nothing to sample: the field reads as text, and the query still runs.
        _ = try f.database.createStream("empty")
        let empty = try f.run("SELECT MAX(amount) AS top FROM empty SINCE EARLIEST UNTIL NOW;")
        #expect(empty.columns.map(\.type) == [.string])
    }
}
