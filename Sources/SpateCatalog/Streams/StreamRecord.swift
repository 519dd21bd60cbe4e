// A stream as the catalog records it (table `streams`): the declared schema and
// the statement that made it. The log's manifest stays the truth for the log's
// own settings (shards, retention, sync); this is what SQL sees.
//
// Format of `columns` in the table: a JSON array of {"name": …, "type": …},
// in declaration order. Invariant: column names are non-empty.

import SpateJSON

/// One declared column of a stream.
public struct StreamColumn: Equatable, Hashable, Sendable {
    /// The field name, as declared (`userId`).
    public var name: String
    /// The SQL type name, as the SQL layer spells it (`STRING`, `DOUBLE`, `TIMESTAMP`).
    public var type: String

    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }
}

/// A stream's row in the catalog.
public struct StreamRecord: Equatable, Sendable {
    public var name: String
    /// The declared columns, in order; empty when the stream declares no schema.
    public var columns: [StreamColumn]
    /// The field that is the partition key, if declared.
    public var keyColumn: String?
    /// The field holding event time; nil: arrival time is event time.
    public var eventTimeColumn: String?
    /// The payload format (`json`).
    public var format: String
    /// When the stream was created, in ms since the Unix epoch (UTC).
    public var createdMs: Int64
    /// The CREATE STREAM statement as written; nil if made another way.
    public var definition: String?

    public init(name: String, columns: [StreamColumn] = [], keyColumn: String? = nil, eventTimeColumn: String? = nil,
                format: String = "json", createdMs: Int64, definition: String? = nil) {
        self.name = name
        self.columns = columns
        self.keyColumn = keyColumn
        self.eventTimeColumn = eventTimeColumn
        self.format = format
        self.createdMs = createdMs
        self.definition = definition
    }

    /// `columns` as the JSON text stored in the table.
    var columnsJSON: String {
        var json = "["
        for (index, column) in columns.enumerated() {
            if index > 0 { json += "," }
            json += "{\"name\":" + JSONStringLiteral.quoted(column.name) + ",\"type\":" + JSONStringLiteral.quoted(column.type) + "}"
        }
        return json + "]"
    }
}
