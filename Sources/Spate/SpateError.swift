// Errors the facade raises on top of the log's own: bad input a user typed or
// piped in. Each is one line that says what to do.

import SpateLog

/// An error from Spate, ready to print as one line.
public enum SpateError: Error, CustomStringConvertible, Equatable {
    case log(LogError)
    case invalidArgument(String)
    case io(String)

    public var description: String {
        switch self {
        case let .log(error): return error.description
        case let .invalidArgument(message): return message
        case let .io(message): return message
        }
    }
}
