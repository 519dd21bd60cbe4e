// What SQL knows about a stream beyond the log's settings: its declared
// columns, partition-key column, event-time column and format, as given in
// CREATE STREAM. Kept in the catalog; a stream made by `spate put` or the
// Kinesis endpoint has none and is read as schemaless JSON.

import SpateSQL

/// The SQL definition of a stream.
public struct StreamDefinition: Sendable, Equatable {
    public var name: String
    public var columns: [SchemaColumn]
    public var keyColumn: String?
    public var eventTimeColumn: String?
    public var format: String
    public var createdMs: Int64
    /// The CREATE STREAM statement, as canonical SQL.
    public var statement: String

    public init(name: String, columns: [SchemaColumn], keyColumn: String?, eventTimeColumn: String?,
                format: String = "json", createdMs: Int64, statement: String) {
        self.name = name
        self.columns = columns
        self.keyColumn = keyColumn
        self.eventTimeColumn = eventTimeColumn
        self.format = format
        self.createdMs = createdMs
        self.statement = statement
    }

    public var schema: StreamSchema {
        StreamSchema(name: name, columns: columns, keyColumn: keyColumn, eventTimeColumn: eventTimeColumn)
    }
}
