// Errors the facade raises on top of the log's own: bad input a user typed or
// piped in. Each is one line that says what to do.

import SpateLog
import SpateSQL

/// An error from Spate, ready to print as one line.
public enum SpateError: Error, CustomStringConvertible, Equatable {
    case log(LogError)
    case invalidArgument(String)
    case io(String)
    /// The catalog failed (one line from SQLite).
    case catalog(String)
    /// A query failed while running.
    case runtime(String)
    /// A SQL error, with the text it points into (rendered with a caret).
    case sql(SQLError, source: String)

    public var description: String {
        switch self {
        case let .log(error): return error.description
        case let .invalidArgument(message): return message
        case let .io(message): return message
        case let .runtime(message): return message
        case let .catalog(message): return message
        case let .sql(error, source): return error.render(source: source)
        }
    }
}

extension SpateError {
    /// A SQL error at `range` of `source`, with `message` saying what to do.
    static func sqlMessage(_ message: String, at range: SourceRange, source: String,
                           kind: SQLError.Kind = .invalidValue) -> SpateError {
        .sql(SQLError(kind, message, at: range.start), source: source)
    }
}
