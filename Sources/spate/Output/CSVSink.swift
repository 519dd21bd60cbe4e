// Prints results as CSV (RFC 4180 quoting): a header line of column names, then
// one line per row, as rows arrive. Lines end with LF, not CRLF, as Unix tools
// and psql's CSV output expect.
//
// NULL is an empty unquoted field and an empty string is `""`, so the two stay
// distinct (psql and DuckDB read them back that way). Timestamps are ISO 8601
// UTC; doubles print the shortest text that reads back as the same value.

import Spate
import SpateSQL

final class CSVSink: ResultSink {
    private let output: TextOutput
    private let notes: Notes

    init(output: TextOutput, notes: Notes) {
        self.output = output
        self.notes = notes
    }

    /// `field` quoted when it holds a comma, quote or line break, or is empty.
    static func quoted(_ field: String) -> String {
        let needsQuotes = field.isEmpty || field.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else { return field }
        var out = "\""
        for character in field.unicodeScalars {
            if character == "\"" { out += "\"\"" } else { out.unicodeScalars.append(character) }
        }
        return out + "\""
    }

    func begin(columns: [ResultColumn]) {
        guard !columns.isEmpty else { return }
        output.write(columns.map { Self.quoted($0.name) }.joined(separator: ",") + "\n")
        output.flush()
    }

    func row(_ values: [Value]) {
        output.write(values.map { ValueText.csv($0).map(Self.quoted) ?? "" }.joined(separator: ",") + "\n")
        output.flush()
    }

    func end(_ summary: QuerySummary) { notes.summary(summary) }

    func message(_ text: String) { notes.message(text) }
}
