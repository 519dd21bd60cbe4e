// Values and value types of the dialect, as the analyzer types expressions and
// as results reach a user. The runtime keeps values in typed column vectors;
// `Value` is for constants in a plan and for rows handed to an output.

/// The type of a value or expression.
public enum ValueType: String, Hashable, Sendable, CustomStringConvertible {
    case string = "STRING"
    case double = "DOUBLE"
    case bigint = "BIGINT"
    case boolean = "BOOLEAN"
    /// Unix epoch milliseconds.
    case timestamp = "TIMESTAMP"
    /// The type of a bare NULL literal; any other type accepts it.
    case null = "NULL"

    public var description: String { rawValue }

    public var isNumeric: Bool { self == .double || self == .bigint }

    /// The type of a declared column.
    public init(_ kind: SQLType.Kind) {
        switch kind {
        case .string: self = .string
        case .double: self = .double
        case .bigint: self = .bigint
        case .boolean: self = .boolean
        case .timestamp: self = .timestamp
        }
    }
}

/// One value.
public enum Value: Hashable, Sendable, CustomStringConvertible {
    case null
    case boolean(Bool)
    case bigint(Int64)
    case double(Double)
    case string(String)
    /// Unix epoch milliseconds.
    case timestamp(Int64)

    public var type: ValueType {
        switch self {
        case .null: return .null
        case .boolean: return .boolean
        case .bigint: return .bigint
        case .double: return .double
        case .string: return .string
        case .timestamp: return .timestamp
        }
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// As SQL text (strings quoted), for EXPLAIN and messages.
    public var description: String {
        switch self {
        case .null: return "NULL"
        case let .boolean(value): return value ? "TRUE" : "FALSE"
        case let .bigint(value): return String(value)
        case let .double(value): return String(value)
        case let .string(value): return SQLText.string(value)
        case let .timestamp(ms): return "TIMESTAMP \(ms)"
        }
    }
}
