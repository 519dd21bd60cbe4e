// Prints results as JSON lines: one object per row, keys the column names in
// column order, as rows arrive. Numbers are JSON numbers (NaN and infinities,
// which JSON cannot spell, become null), NULL is null, booleans are true/false,
// timestamps are ISO 8601 UTC strings.
//
// Invariant: every line is one complete JSON object; strings are escaped so
// no value can break the line.

import Spate
import SpateSQL

final class JSONSink: ResultSink {
    private let output: TextOutput
    private let notes: Notes
    /// `"name":` per column, escaped once per result rather than per row.
    private var keys: [String] = []

    init(output: TextOutput, notes: Notes) {
        self.output = output
        self.notes = notes
    }

    func begin(columns: [ResultColumn]) {
        keys = columns.map { ValueText.jsonString($0.name) + ":" }
    }

    func row(_ values: [Value]) {
        var line = "{"
        for (index, value) in values.enumerated() {
            if index > 0 { line += "," }
            line += index < keys.count ? keys[index] : ValueText.jsonString("column\(index + 1)") + ":"
            line += ValueText.json(value)
        }
        output.write(line + "}\n")
        output.flush()
    }

    func end(_ summary: QuerySummary) { notes.summary(summary) }

    func message(_ text: String) { notes.message(text) }
}
