// Prints results as an aligned text table, as psql and duckdb do:
//
//      userId  |   n | avg_amount | note
//     ---------+-----+------------+------
//      user1   |  12 |       12.5 | NULL
//      user274 | 305 |    277.167 |
//     (2 rows, 340 records read, 0 late, 0 missing, 0 bad, 0.01 s)
//
// - A result is aligned as a whole: rows are held until it ends, and the widths
//   are those of its widest values. At most `bufferedRowsMax` rows are held; then
//   the widths are fixed and later rows are cut to them.
// - A query that follows the live stream never ends: it is laid out when it has
//   caught up with the log (`caughtUp`), from the header and the rows so far,
//   each column at least as wide as a typical value of its type; later rows
//   print as they arrive, cut to those widths.
// - Widths count terminal columns (DisplayWidth: CJK 2, combining marks 0). A
//   text value wider than its share of `widthMax` (the terminal's width) is cut
//   with `…`; CSV and JSON print it whole. Numbers and times are never cut (a
//   cut number reads as another number): one wider than its column overflows.
// - Numbers are right-aligned, everything else left. NULL prints as `NULL`; an
//   empty string as nothing.
//
// Invariant: every row is one line (control characters are spelled out); once
// the widths are fixed, each row is flushed before `row` returns.

import Spate
import SpateSQL

final class TableSink: ResultSink {
    static let bufferedRowsMax = 10_000

    private let output: TextOutput
    private let notes: Notes
    private let widthMax: Int
    private var columns: [ResultColumn] = []
    private var rightAligned: [Bool] = []
    /// Text columns: a value too wide is cut. Others (numbers, times) overflow their row instead.
    private var cuttable: [Bool] = []
    /// Rows not yet printed, as cells; empty once the widths are fixed.
    private var held: [[String]] = []
    /// nil while rows are held.
    private var widths: [Int]?
    private var hasPrintedResult = false

    /// `widthMax`: the columns a line may take (the terminal's width).
    init(output: TextOutput, notes: Notes, widthMax: Int) {
        self.output = output
        self.notes = notes
        self.widthMax = widthMax
    }

    /// The narrowest a column of `type` is while a result still grows: wide enough for typical values.
    static func minimumWidth(_ type: ValueType) -> Int {
        switch type {
        case .timestamp: return 24  // 2026-11-26T14:05:09.250Z
        case .double: return 12
        case .bigint: return 8
        case .string: return 12
        case .boolean: return 5
        case .null: return 4
        }
    }

    func begin(columns: [ResultColumn]) {
        if hasPrintedResult { output.write("\n") }
        hasPrintedResult = true
        self.columns = columns
        rightAligned = columns.map { $0.type.isNumeric }
        cuttable = columns.map { $0.type == .string }
        held = []
        widths = nil
    }

    func row(_ values: [Value]) {
        let cells = values.map(ValueText.table)
        if let widths {
            output.write(line(cells, widths: widths) + "\n")
            output.flush()
            return
        }
        held.append(cells)
        if held.count >= Self.bufferedRowsMax { layOut(resultIsComplete: false) }
    }

    func caughtUp() {
        if widths == nil { layOut(resultIsComplete: false) }
    }

    func end(_ summary: QuerySummary) {
        if widths == nil { layOut(resultIsComplete: true) }
        notes.summary(summary)
    }

    func message(_ text: String) {
        notes.message(text)
    }

    /// Fixes the widths from the header and the held rows, and prints them.
    private func layOut(resultIsComplete: Bool) {
        let names = columns.map { ValueText.visible($0.name) }
        var natural = names.map(DisplayWidth.of)
        for cells in held {
            for (index, cell) in cells.enumerated() where index < natural.count {
                natural[index] = max(natural[index], DisplayWidth.of(cell))
            }
        }
        if !resultIsComplete {
            for (index, column) in columns.enumerated() { natural[index] = max(natural[index], Self.minimumWidth(column.type)) }
        }
        let fitted = TableLayout.fit(natural, cuttable: columns.map { $0.type == .string }, widthMax: widthMax)
        widths = fitted
        defer { held = [] }
        guard !columns.isEmpty else { return }
        output.write(line(names, widths: fitted) + "\n")
        output.write(fitted.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "\n")
        for cells in held { output.write(line(cells, widths: fitted) + "\n") }
        output.flush()
    }

    /// ` a | b ` with each cell cut or padded to its column's width.
    private func line(_ cells: [String], widths: [Int]) -> String {
        var text = ""
        for (index, cell) in cells.enumerated() {
            if index > 0 { text += "|" }
            let width = index < widths.count ? widths[index] : DisplayWidth.of(cell)
            let shown = index < cuttable.count && !cuttable[index] ? cell : DisplayWidth.truncated(cell, to: width)
            let padding = String(repeating: " ", count: max(0, width - DisplayWidth.of(shown)))
            let right = index < rightAligned.count && rightAligned[index]
            text += " " + (right ? padding + shown : shown + padding) + " "
        }
        // Trailing blanks of the last cell help nobody and wrap narrow terminals.
        while text.last == " " { text.removeLast() }
        return text
    }
}
