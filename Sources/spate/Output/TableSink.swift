// Prints results as an aligned text table, psql style:
//
//      userId     |        n | avg_amount
//     ------------+----------+-------------
//      user1      |       12 |       12.5
//     (1 row, 340 records read, 0 late, 0 bad, 0.01 s)
//
// Rows are printed as they arrive (a push query never ends), so column widths are
// fixed when the result begins, from the column name and a minimum per type; a
// wider value overflows its own row rather than being cut, and the rows after it
// stay aligned with the header. Numbers are right-aligned, everything else left.
//
// Widths count Unicode scalars: East Asian wide characters misalign their row.
//
// Invariant: every row is one line (control characters are spelled out) and is
// flushed before `row` returns.

import Spate
import SpateSQL

final class TableSink: ResultSink {
    private let output: TextOutput
    private let notes: Notes
    private var widths: [Int] = []
    private var rightAligned: [Bool] = []
    private var hasPrintedResult = false

    init(output: TextOutput, notes: Notes) {
        self.output = output
        self.notes = notes
    }

    /// The narrowest a column of `type` is: wide enough for typical values.
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
        widths = columns.map { max($0.name.unicodeScalars.count, Self.minimumWidth($0.type)) }
        rightAligned = columns.map { $0.type.isNumeric }
        guard !columns.isEmpty else { return }
        output.write(line(columns.map { ValueText.visible($0.name) }) + "\n")
        output.write(widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "\n")
        output.flush()
    }

    func row(_ values: [Value]) {
        output.write(line(values.map(ValueText.table)) + "\n")
        output.flush()
    }

    func end(_ summary: QuerySummary) {
        notes.summary(summary)
    }

    func message(_ text: String) {
        notes.message(text)
    }

    /// ` a | b ` with each cell padded to its column's width.
    private func line(_ cells: [String]) -> String {
        var text = ""
        for (index, cell) in cells.enumerated() {
            if index > 0 { text += "|" }
            let width = index < widths.count ? widths[index] : 0
            let padding = String(repeating: " ", count: max(0, width - cell.unicodeScalars.count))
            let right = index < rightAligned.count && rightAligned[index]
            text += " " + (right ? padding + cell : cell + padding) + " "
        }
        // Trailing blanks of the last cell help nobody and wrap narrow terminals.
        while text.last == " " { text.removeLast() }
        return text
    }
}
