// A session runs SQL statements against a database and sends their results to
// a sink: the REPL, `spate -c`, `spate -f` and embedding programs all use it.
// Statements run one at a time, in order; a script stops at the first error.

import SpateLog
import SpateSQL

/// Runs SQL text against one database.
public final class Session {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Parses and runs every statement of `text` in order, sending results to
    /// `sink`. Stops at the first error, which it throws (statements before it
    /// keep their effect). `cancel` stops a running query.
    public func execute(script text: String, sink: ResultSink, cancel: CancellationFlag = CancellationFlag()) throws(SpateError) {
        let statements: [Statement]
        do { statements = try Parser.parseScript(text) } catch { throw .sql(error, source: text) }
        for statement in statements {
            if cancel.isCancelled { return }
            try execute(statement, source: text, sink: sink, cancel: cancel)
        }
    }

    /// Runs one parsed statement; `source` is the text it was parsed from (for error carets).
    public func execute(_ statement: Statement, source: String, sink: ResultSink, cancel: CancellationFlag) throws(SpateError) {
        throw .invalidArgument("not yet implemented: \(statement)")
    }
}
