// Literal: a constant written in SQL.
//
// Layer: SpateSQL AST. Integers are Int64 (the parser rejects out-of-range
// literals with a positioned error); decimals are Double. A leading minus sign
// directly before a number is folded into the literal, so `-5` is one literal.

/// A constant value.
public enum Literal: Hashable, Sendable, CustomStringConvertible {
    case integer(Int64)
    case decimal(Double)
    case string(String)
    case boolean(Bool)
    case null

    public var description: String {
        switch self {
        case .integer(let value): return String(value)
        case .decimal(let value):
            // Keep a decimal point so the literal stays a decimal when re-parsed.
            let text = String(value)
            return text.contains(".") || text.contains("e") || text.contains("n") ? text : text + ".0"
        case .string(let text): return SQLText.string(text)
        case .boolean(let value): return value ? "TRUE" : "FALSE"
        case .null: return "NULL"
        }
    }
}
