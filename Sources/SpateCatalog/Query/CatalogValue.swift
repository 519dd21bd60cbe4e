// One SQLite value as Swift sees it: the five storage classes of SQLite, no more.
// Query results and query parameters are both made of these.

/// A value read from or bound into the catalog.
public enum CatalogValue: Hashable, Sendable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public var description: String {
        switch self {
        case .null: return "NULL"
        case let .integer(value): return String(value)
        case let .real(value): return String(value)
        case let .text(value): return value
        case let .blob(bytes): return "x'" + bytes.map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return byte < 16 ? "0" + hex : hex
        }.joined() + "'"
        }
    }
}
