// SET name = value: a setting of the session that runs the statements (as
// DuckDB's `SET threads = 4`). The analyzer does not know the settings; the
// session that runs the statement does.

/// `SET name = literal`.
public struct SetStatement: Hashable, Sendable, CustomStringConvertible {
    public var name: Identifier
    public var value: Literal

    public init(name: Identifier, value: Literal) {
        self.name = name
        self.value = value
    }

    public var description: String { "SET \(name) = \(value)" }
}
