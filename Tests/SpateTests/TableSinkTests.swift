// Tables like psql's and duckdb's: a bounded result aligned as a whole, wide
// values cut with `…` to the terminal's width (whole in CSV and JSON), widths
// that count what a terminal shows (CJK 2 columns, combining marks 0), numbers
// right-aligned, NULL apart from the empty string, and a following query laid
// out from its first batch.

import Foundation
import Spate
import SpateSQL
import Testing
@testable import spate

@Suite struct TableSinkTests {
    func table(width: Int = 120, _ columns: [ResultColumn], _ rows: [[Value]], end: Bool = true) -> [String] {
        let out = StringOutput()
        let sink = OutputFormat.table.makeSink(output: out, diagnostics: StringOutput(), diagnosticsIsTerminal: false, tableWidthMax: width)
        sink.begin(columns: columns)
        for row in rows { sink.row(row) }
        if end { sink.end(QuerySummary()) }
        return out.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.hasPrefix("(") && !$0.isEmpty }
    }

    let fileCount = [ResultColumn(name: "file", type: .string), ResultColumn(name: "n", type: .bigint)]

    @Test func aWideValueLaterInTheResultWidensItsColumnForEveryRow() {
        // The issue's `SELECT file, COUNT(*) … GROUP BY file`: the long name comes last.
        let lines = table(fileCount, [[.string("a.log"), .bigint(3)], [.string("segments/0000000000000000.log"), .bigint(12345)]])
        #expect(lines == [
            " file                          |     n",
            "-------------------------------+-------",
            " a.log                         |     3",
            " segments/0000000000000000.log | 12345",
        ])
    }

    @Test func valuesWiderThanTheTerminalAreCutWithAnEllipsisButCSVKeepsThemWhole() {
        let long = String(repeating: "abcdefghij", count: 20)
        let lines = table(width: 40, fileCount, [[.string(long), .bigint(7)]])
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 40 }, "\(lines)")
        #expect(lines[2] == " " + String(long.prefix(33)) + "… | 7")
        let out = StringOutput()
        let csv = OutputFormat.csv.makeSink(output: out, diagnostics: StringOutput(), diagnosticsIsTerminal: false, tableWidthMax: 40)
        csv.begin(columns: fileCount)
        csv.row([.string(long), .bigint(7)])
        #expect(out.text == "file,n\n\(long),7\n")
    }

    @Test func onlyTheWidestTextColumnsAreCutAndNarrowOnesAndNumbersStayWhole() {
        let widths = TableLayout.fit([4, 100, 6, 50], cuttable: [true, true, true, true], widthMax: 60)
        #expect(widths[0] == 4 && widths[2] == 6)
        #expect(TableLayout.lineWidth(widths) == 60)
        #expect(widths[1] >= widths[3] && widths[3] >= TableLayout.columnWidthMin)
        #expect(TableLayout.fit([4, 10], cuttable: [true, true], widthMax: 80) == [4, 10])
        #expect(TableLayout.fit([30, 30], cuttable: [false, true], widthMax: 50) == [30, 15])
        // Too many columns for the terminal: each keeps the minimum, and the line wraps.
        #expect(TableLayout.fit(Array(repeating: 30, count: 10), cuttable: Array(repeating: true, count: 10), widthMax: 40)
                == Array(repeating: TableLayout.columnWidthMin, count: 10))
    }

    @Test func widthsCountTerminalColumnsForCJKEmojiAndCombiningMarks() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("東京") == 4)
        #expect(DisplayWidth.of("e\u{301}te\u{300}") == 3)  // étè with combining accents
        #expect(DisplayWidth.of("🙂") == 2)
        #expect(DisplayWidth.of("ｶﾀｶﾅ") == 4)  // halfwidth katakana
        #expect(DisplayWidth.of("ＡＢ") == 4)  // fullwidth Latin
        #expect(DisplayWidth.of("한국어") == 6)
        #expect(DisplayWidth.truncated("東京都庁", to: 6) == "東京…")
        let lines = table([ResultColumn(name: "city", type: .string), ResultColumn(name: "n", type: .bigint)],
                          [[.string("東京"), .bigint(1)], [.string("Zu\u{308}rich"), .bigint(22)], [.string("Paris"), .bigint(333)]])
        #expect(lines == [
            " city   |   n",
            "--------+-----",
            " 東京   |   1",
            " Zu\u{308}rich |  22",
            " Paris  | 333",
        ])
    }

    @Test func nullIsShownAsNULLAndTheEmptyStringAsNothing() {
        let lines = table([ResultColumn(name: "note", type: .string), ResultColumn(name: "x", type: .double)],
                          [[.null, .null], [.string(""), .double(1.5)], [.string("ok"), .double(-20)]])
        #expect(lines == [
            " note |    x",
            "------+------",
            " NULL | NULL",
            "      |  1.5",
            " ok   |  -20",
        ])
    }

    @Test func afterTenThousandRowsTheWidthsAreFixedAndLaterRowsCutToThem() {
        let rows: [[Value]] = (0..<TableSink.bufferedRowsMax).map { [.string("k\($0 % 10)"), .bigint(Int64($0))] }
            + [[.string("a much longer key than before"), .bigint(123_456_789)]]
        let lines = table(fileCount, rows)
        #expect(lines.count == 2 + rows.count)
        // Laid out at 10,000 rows: as wide as a typical key and a typical BIGINT.
        #expect(lines[0] == " file         |        n")
        // Text is cut; a number never is (a cut number reads as another number): it overflows its row.
        #expect(lines.last == " a much long… | 123456789")
        #expect(Set(lines.dropFirst(2).dropLast().map(DisplayWidth.of)).count == 1, "every held row is as wide")
    }

    @Test func aFollowingQueryOfTheLiveStreamIsLaidOutWhenItCatchesUp() throws {
        final class Recorder: ResultSink, @unchecked Sendable {
            let lock = NSLock()
            var events: [String] = []
            func begin(columns: [ResultColumn]) { lock.withLock { events.append("begin") } }
            func row(_ values: [Value]) { lock.withLock { events.append("row") } }
            func caughtUp() { lock.withLock { events.append("caughtUp") } }
            func end(_ summary: QuerySummary) { lock.withLock { events.append("end") } }
            func message(_ text: String) {}
        }
        let f = try SQLFixture()
        try f.run("CREATE STREAM s (k STRING);")
        try f.append("s", [#"{"k":"a"}"#, #"{"k":"b"}"#])
        let recorder = Recorder()
        let cancel = CancellationFlag()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { cancel.cancel() }
        try f.session.execute(script: "SELECT k FROM s SINCE EARLIEST;", sink: recorder, cancel: cancel)
        // Once, after the history's rows, though the query polled many times while it waited.
        #expect(recorder.events == ["begin", "row", "row", "caughtUp", "end"])
        let bounded = Recorder()
        try f.session.execute(script: "SELECT k FROM s SINCE EARLIEST UNTIL NOW;", sink: bounded)
        #expect(bounded.events == ["begin", "row", "row", "end"])
    }
}
