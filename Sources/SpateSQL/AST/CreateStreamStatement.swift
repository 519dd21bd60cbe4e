// CreateStreamStatement: `CREATE STREAM [IF NOT EXISTS] name [(col TYPE, ...)] [WITH (...)]`.
//
// Layer: SpateSQL AST. An empty column list means a schemaless stream (records are
// JSON read by field name). Invariant: column names are unique (case-sensitive),
// checked by the parser.

/// A stream definition.
public struct CreateStreamStatement: Hashable, Sendable, CustomStringConvertible {
    public var name: Identifier
    public var ifNotExists: Bool
    /// Empty for a schemaless stream.
    public var columns: [ColumnDefinition]
    /// shards, key, event_time, retention, retention_bytes, durability, format, ...
    public var options: [Option]

    public init(name: Identifier, ifNotExists: Bool = false, columns: [ColumnDefinition] = [], options: [Option] = []) {
        self.name = name
        self.ifNotExists = ifNotExists
        self.columns = columns
        self.options = options
    }

    public var description: String {
        var text = "CREATE STREAM " + (ifNotExists ? "IF NOT EXISTS " : "") + name.description
        if !columns.isEmpty { text += " (" + SQLText.list(columns) + ")" }
        if !options.isEmpty { text += " WITH " + options.parenthesized }
        return text
    }
}

/// `name TYPE` in a stream's column list.
public struct ColumnDefinition: Hashable, Sendable, CustomStringConvertible {
    public var name: Identifier
    public var type: SQLType

    public init(name: Identifier, type: SQLType) {
        self.name = name
        self.type = type
    }

    public var description: String { "\(name) \(type)" }
}
