// COPY (SELECT …) TO 'path' [FORMAT JSONL | CSV | PARQUET]: runs the query as SELECT
// does, its rows into RowFileWriter instead of the screen, and says what it
// wrote. The query must end (UNTIL, or a catalog table): a COPY of the live
// tail would never finish. A relative path is the current directory's. The
// file appears whole when the query has ended, or not at all (an error or
// Ctrl-C leaves the old file, if any, as it was).

import SpateLog
import SpateSQL

extension Session {
    func runCopy(_ statement: CopyStatement, source: String, sink: ResultSink, cancel: CancellationFlag) throws(SpateError) {
        let format = statement.effectiveFormat
        let plan = try planQuery(statement.select, source: source)
        if case .stream = plan.source, !plan.isBounded {
            throw .sqlMessage("COPY needs a query that ends: add UNTIL NOW (or UNTIL '<time>') to its SELECT",
                              at: statement.select.range, source: source)
        }
        let path = statement.path.hasPrefix("/") ? statement.path : Self.currentDirectory() + "/" + statement.path
        let writer = try RowFileWriter(path: path, format: format) { sink.progress($0) }
        let startNs = monotonicNs()
        do throws(SpateError) {
            try runSelect(statement.select, source: source, sink: writer, cancel: cancel)
        } catch {
            writer.discard()
            throw error
        }
        if writer.summary.cancelled || cancel.isCancelled {
            writer.discard()
            sink.message("COPY cancelled: '\(statement.path)' not written")
            return
        }
        try writer.commit()
        let seconds = Double(monotonicNs() - startNs) / 1e9
        sink.message("copied \(writer.rowCount) rows (\(writer.bytesWritten) bytes, \(format.rawValue)) to '\(statement.path)' in "
                     + String(Double(Int(seconds * 100)) / 100) + " s")
    }
}
