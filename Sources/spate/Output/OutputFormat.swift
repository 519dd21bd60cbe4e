// The result formats of `--format` and `.format`, and where each sends what is
// not a row.
//
// - table: rows, the closing summary and statement messages all go to standard
//   output, as psql prints its "(3 rows)" footer: a table is for people.
// - csv, json: standard output carries rows only, so it can be redirected to a
//   file or piped to a program unchanged. Messages and summaries go to standard
//   error when that is a terminal; a summary that reports late or bad records, or
//   a cancelled query, goes to standard error always, so lost input is never silent.
//   (Missing fields are not lost input: they read as NULL, as the data says.)

import ArgumentParser
import Spate

enum OutputFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
    case table, csv, json

    static var names: String { allCases.map(\.rawValue).joined(separator: "|") }

    /// A sink that prints this format to `output`. `diagnostics` is standard
    /// error; `diagnosticsIsTerminal` says whether a person is reading it;
    /// `tableWidthMax` is how wide a table's lines may be (Terminal.tableWidthMax()).
    func makeSink(output: TextOutput, diagnostics: TextOutput, diagnosticsIsTerminal: Bool, tableWidthMax: Int) -> ResultSink {
        let notes = Notes(primary: self == .table ? output : (diagnosticsIsTerminal ? diagnostics : nil),
                          warnings: diagnostics, before: output)
        switch self {
        case .table: return TableSink(output: output, notes: notes, widthMax: tableWidthMax)
        case .csv: return CSVSink(output: output, notes: notes)
        case .json: return JSONSink(output: output, notes: notes)
        }
    }
}

/// Where a sink sends messages and closing summaries.
struct Notes {
    /// Gets every message and summary; nil to drop them.
    var primary: TextOutput?
    /// Gets summaries that report lost or late input when `primary` is nil.
    var warnings: TextOutput
    /// Flushed first, so rows printed before a note appear before it.
    var before: TextOutput

    func message(_ text: String) {
        guard let primary else { return }
        emit(text, to: primary)
    }

    func summary(_ summary: QuerySummary) {
        if let primary {
            emit(SummaryText.line(summary), to: primary)
        } else if summary.lateRecords > 0 || summary.badRecords > 0 || summary.cancelled {
            emit(SummaryText.line(summary), to: warnings)
        }
    }

    private func emit(_ line: String, to destination: TextOutput) {
        if destination !== before { before.flush() }
        destination.write(line + "\n")
        destination.flush()
    }
}

enum SummaryText {
    /// `(3 rows, 1,000 records read, 0 late, 0 missing, 0 bad, 0.12 s)` for a query
    /// that read records; `(3 rows)` for one that did not (SHOW, DESCRIBE, catalog
    /// tables); `cancelled` ahead when it was.
    static func line(_ summary: QuerySummary) -> String {
        var counts = summary.rows == 1 ? "1 row" : "\(Terminal.grouped(summary.rows)) rows"
        if summary.readsRecords {
            let seconds = Terminal.format(Double(summary.elapsedNs) / 1e9, decimals: 2)
            let read = summary.recordsRead == 1 ? "1 record" : "\(Terminal.grouped(summary.recordsRead)) records"
            counts += ", \(read) read, \(Terminal.grouped(summary.lateRecords)) late, "
                + "\(Terminal.grouped(summary.missingRecords)) missing, \(Terminal.grouped(summary.badRecords)) bad, \(seconds) s"
        }
        return summary.cancelled ? "(cancelled: \(counts))" : "(\(counts))"
    }
}
