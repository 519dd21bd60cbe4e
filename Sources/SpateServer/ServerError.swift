// Errors starting or configuring the server: each is one line for the user.

/// Why the server cannot start.
public enum ServerError: Error, Equatable, CustomStringConvertible, Sendable {
    case invalidListenAddress(String)
    case credentials(String)
    case nonLoopbackWithoutCredentials(String)
    case bind(String)

    public var description: String {
        switch self {
        case let .invalidListenAddress(message): return message
        case let .credentials(message): return message
        case let .nonLoopbackWithoutCredentials(address):
            return "refusing to listen on \(address), which is not a loopback address, without credentials: give --credentials FILE (clients must then sign requests with that key), or listen on 127.0.0.1"
        case let .bind(message): return message
        }
    }
}
