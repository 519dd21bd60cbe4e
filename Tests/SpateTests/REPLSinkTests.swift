// The table, CSV and JSON printers, driven directly with rows as a query would
// send them: what each prints, where summaries and messages go, and that rows
// are flushed one by one (a push query's rows must show before it ends).

import Foundation
import Spate
import SpateSQL
import Testing
@testable import spate

@Suite struct REPLSinkTests {
    /// A sink of `format` writing to strings; `terminal` says whether stderr is one.
    func make(_ format: OutputFormat, terminal: Bool = false, width: Int = 120) -> (ResultSink, StringOutput, StringOutput) {
        let out = StringOutput(), err = StringOutput()
        return (format.makeSink(output: out, diagnostics: err, diagnosticsIsTerminal: terminal, tableWidthMax: width), out, err)
    }

    let columns = [
        ResultColumn(name: "userId", type: .string),
        ResultColumn(name: "n", type: .bigint),
        ResultColumn(name: "avg_amount", type: .double),
        ResultColumn(name: "window_start", type: .timestamp),
        ResultColumn(name: "flagged", type: .boolean),
    ]

    func summary(rows: Int, late: Int = 0, bad: Int = 0, cancelled: Bool = false) -> QuerySummary {
        var summary = QuerySummary()
        summary.rows = rows
        summary.readsRecords = true
        summary.recordsRead = 1234
        summary.lateRecords = late
        summary.badRecords = bad
        summary.elapsedNs = 120_000_000
        summary.cancelled = cancelled
        return summary
    }

    @Test func tableAlignsColumnsAndPrintsSummaryOnOutput() {
        let (sink, out, err) = make(.table)
        sink.begin(columns: columns)
        sink.row([.string("user1"), .bigint(12), .double(12.5), .timestamp(1_790_000_000_000), .boolean(true)])
        sink.row([.null, .bigint(-3), .double(1.0 / 3.0), .null, .boolean(false)])
        sink.end(summary(rows: 2))
        let lines = out.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines == [
            " userId |  n | avg_amount | window_start             | flagged",
            "--------+----+------------+--------------------------+---------",
            " user1  | 12 |       12.5 | 2026-09-21T14:13:20.000Z | true",
            " NULL   | -3 |   0.333333 | NULL                     | false",
            "(2 rows, 1,234 records read, 0 late, 0 missing, 0 bad, 0.12 s)",
            "",
        ])
        #expect(err.text.isEmpty)
    }

    @Test func tableOfAFollowingQueryPrintsWhenCaughtUpThenEachRowAsItArrives() {
        let (sink, out, _) = make(.table)
        sink.begin(columns: [ResultColumn(name: "k", type: .string)])
        sink.row([.string("a")])
        #expect(out.text.isEmpty, "held until the query catches up")
        sink.caughtUp()
        #expect(out.text.hasPrefix(" k"))
        #expect(out.text.hasSuffix(" a\n"))
        let flushesAfterHeader = out.flushCount
        sink.row([.string("b")])
        #expect(out.text.hasSuffix(" b\n"))
        #expect(out.flushCount > flushesAfterHeader)
    }

    @Test func tableKeepsEveryRowOnOneLine() {
        let (sink, out, _) = make(.table)
        sink.begin(columns: [ResultColumn(name: "s", type: .string), ResultColumn(name: "n", type: .bigint)])
        sink.row([.string("two\nlines\u{1B}[2J"), .bigint(1)])
        sink.row([.string(String(repeating: "x", count: 30)), .bigint(2)])
        sink.end(summary(rows: 2))
        let lines = out.text.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines[2] == #" two\nlines\u{1b}[2J"# + String(repeating: " ", count: 11) + " | 1")
        #expect(lines[3] == " " + String(repeating: "x", count: 30) + " | 2")
    }

    @Test func tableSeparatesResultsAndPrintsMessages() {
        let (sink, out, _) = make(.table)
        sink.message("created stream tx")
        sink.begin(columns: [ResultColumn(name: "n", type: .bigint)])
        sink.row([.bigint(1)])
        sink.end(summary(rows: 1))
        sink.begin(columns: [ResultColumn(name: "n", type: .bigint)])
        sink.end(summary(rows: 0, late: 2, bad: 1, cancelled: true))
        #expect(out.text == """
            created stream tx
             n
            ---
             1
            (1 row, 1,234 records read, 0 late, 0 missing, 0 bad, 0.12 s)

             n
            ---
            (cancelled: 0 rows, 1,234 records read, 2 late, 0 missing, 1 bad, 0.12 s)

            """)
    }

    @Test func tableRoundsDoublesToSixDecimals() {
        #expect(ValueText.tableDouble(12.5) == "12.5")
        #expect(ValueText.tableDouble(3) == "3")
        #expect(ValueText.tableDouble(-0.0) == "0")
        #expect(ValueText.tableDouble(2.0 / 3.0) == "0.666667")
        #expect(ValueText.tableDouble(1234567.1234567) == "1234567.123457")
        #expect(ValueText.tableDouble(0.000001234) == "1.234e-06")
        #expect(ValueText.tableDouble(1e20) == "1e+20")
        #expect(ValueText.tableDouble(.nan) == "NaN")
        #expect(ValueText.tableDouble(-.infinity) == "-Infinity")
    }

    @Test func csvQuotesPerRFC4180AndKeepsNullApartFromEmpty() {
        let (sink, out, _) = make(.csv)
        sink.begin(columns: [ResultColumn(name: "a,b", type: .string), ResultColumn(name: "x", type: .double),
                             ResultColumn(name: "t", type: .timestamp), ResultColumn(name: "ok", type: .boolean)])
        sink.row([.string(#"say "hi", then"#), .double(0.1), .timestamp(0), .boolean(true)])
        sink.row([.string(""), .null, .null, .null])
        sink.row([.string("line\nbreak"), .double(1e-7), .timestamp(-1), .boolean(false)])
        sink.end(summary(rows: 3))
        #expect(out.text == """
            "a,b",x,t,ok
            "say ""hi"", then",0.1,1970-01-01T00:00:00.000Z,true
            "",,,
            "line
            break",1e-07,1969-12-31T23:59:59.999Z,false

            """)
    }

    @Test func csvAndJSONSendNotesToATerminalOnlyButAlwaysReportLostInput() {
        for format in [OutputFormat.csv, .json] {
            let (quiet, quietOut, quietErr) = make(format, terminal: false)
            quiet.message("created stream tx")
            quiet.end(summary(rows: 0))
            #expect(quietOut.text.isEmpty && quietErr.text.isEmpty)
            quiet.end(summary(rows: 5, bad: 2))
            #expect(quietErr.text == "(5 rows, 1,234 records read, 0 late, 0 missing, 2 bad, 0.12 s)\n")
            #expect(quietOut.text.isEmpty)

            let (shown, shownOut, shownErr) = make(format, terminal: true)
            shown.message("created stream tx")
            shown.end(summary(rows: 0))
            #expect(shownErr.text == "created stream tx\n(0 rows, 1,234 records read, 0 late, 0 missing, 0 bad, 0.12 s)\n")
            #expect(shownOut.text.isEmpty)
        }
    }

    @Test func jsonPrintsOneParseableObjectPerRow() throws {
        let (sink, out, _) = make(.json)
        sink.begin(columns: columns)
        sink.row([.string("quote \" backslash \\ newline \n tab \t bell \u{07} é"), .bigint(Int64.max),
                  .double(12.5), .timestamp(1_790_000_000_000), .boolean(true)])
        sink.row([.null, .bigint(0), .double(.nan), .null, .boolean(false)])
        let lines = out.text.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines[0] == #"{"userId":"quote \" backslash \\ newline \n tab \t bell \u0007 é","n":9223372036854775807,"avg_amount":12.5,"window_start":"2026-09-21T14:13:20.000Z","flagged":true}"#)
        #expect(lines[1] == #"{"userId":null,"n":0,"avg_amount":null,"window_start":null,"flagged":false}"#)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["userId"] as? String == "quote \" backslash \\ newline \n tab \t bell \u{07} é")
        #expect((first["avg_amount"] as? NSNumber)?.doubleValue == 12.5)
    }

    @Test func doublesInMachineFormatsReadBackExactly() {
        for value in [0.1, 1.0 / 3.0, 123456.789, Double.leastNonzeroMagnitude, 1.7976931348623157e308] {
            #expect(Double(ValueText.json(.double(value))) == value)
            #expect(Double(ValueText.csv(.double(value))!) == value)
        }
    }
}
