// JSONValueKind.swift — the kind of a located JSON value.
//
// Layer: SpateJSON. The SQL runtime maps a field's kind to a column
// value (string, double, boolean, NULL) without looking at the bytes again;
// `missing` (the field is absent) is distinct from `null` (present, JSON null)
// because a query may treat them differently.

/// The kind of a JSON value found by `JSONScanner.scan`, or `missing` when the
/// path does not occur in the record.
public enum JSONValueKind: UInt8, Sendable, Hashable, CustomStringConvertible {
    /// The path does not occur in the record (or runs through a non-object).
    case missing = 0
    case string
    case number
    case `true`
    case `false`
    case null
    case object
    case array

    public var description: String {
        switch self {
        case .missing: return "missing"
        case .string: return "string"
        case .number: return "number"
        case .true: return "true"
        case .false: return "false"
        case .null: return "null"
        case .object: return "object"
        case .array: return "array"
        }
    }
}
