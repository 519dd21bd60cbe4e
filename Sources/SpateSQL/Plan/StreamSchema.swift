// What the analyzer knows about the relations a query may read: streams with
// their declared columns (or none: schemaless JSON read by field name), key and
// event-time column, and the catalog's tables. The facade implements
// `SchemaProvider` (Spate/Session/SessionSchemas.swift); tests implement it with plain values.

/// A declared column of a stream.
public struct SchemaColumn: Hashable, Sendable {
    public var name: String
    public var type: ValueType

    public init(name: String, type: ValueType) {
        self.name = name
        self.type = type
    }
}

/// The schema of one stream.
public struct StreamSchema: Hashable, Sendable {
    public var name: String
    /// Declared columns; empty for a schemaless stream, whose fields are read
    /// by name with types inferred from use.
    public var columns: [SchemaColumn]
    /// The column whose value is the partition key (nil: round-robin).
    public var keyColumn: String?
    /// The column that holds event time (nil: arrival time is event time).
    public var eventTimeColumn: String?

    public init(name: String, columns: [SchemaColumn] = [], keyColumn: String? = nil, eventTimeColumn: String? = nil) {
        self.name = name
        self.columns = columns
        self.keyColumn = keyColumn
        self.eventTimeColumn = eventTimeColumn
    }

    public var isSchemaless: Bool { columns.isEmpty }

    public func column(named name: String) -> SchemaColumn? { columns.first { $0.name == name } }
}

/// A table of the catalog (alerts, jobs, streams, …), answered by SQLite.
public struct CatalogTableSchema: Hashable, Sendable {
    public var name: String
    public var columns: [SchemaColumn]

    public init(name: String, columns: [SchemaColumn]) {
        self.name = name
        self.columns = columns
    }
}

/// Looks up relations by name.
public protocol SchemaProvider {
    /// The stream called `name`, or nil.
    func stream(named name: String) -> StreamSchema?
    /// The catalog table called `name`, or nil.
    func catalogTable(named name: String) -> CatalogTableSchema?
    /// Every relation name, for "did you mean" suggestions.
    var relationNames: [String] { get }
    /// The type the values of field `path` of schemaless stream `stream` have
    /// in the stream's records (judged from a sample), or nil when that is not
    /// known or not one type. Asked only for a field whose use in the query
    /// says nothing of its type (it is only selected, grouped, ordered, or the
    /// argument of MIN, MAX, FIRST, LAST, COUNT).
    func sampledType(ofField path: [String], inStream stream: String) -> ValueType?
}

extension SchemaProvider {
    public func sampledType(ofField path: [String], inStream stream: String) -> ValueType? { nil }
}
