// Typed access to the `streams` table. The columns JSON is written by
// StreamRecord and read back through SQLite's json_each, so this module needs
// no JSON library; a row whose JSON SQLite cannot read is reported, not skipped.

extension Catalog {
    private static let streamColumns = "name, columns, key_column, event_time_column, format, created_at, definition"

    /// Inserts `stream`, or replaces every field of the stream of that name.
    public func upsertStream(_ stream: StreamRecord) throws(CatalogError) {
        guard !stream.name.isEmpty else { throw .invalidRecord("a stream name cannot be empty") }
        if let column = stream.columns.first(where: { $0.name.isEmpty }) {
            throw .invalidRecord("stream '\(stream.name)' has a column with an empty name (type \(column.type))")
        }
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("""
                INSERT INTO streams (\(Self.streamColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                ON CONFLICT (name) DO UPDATE SET columns = ?2, key_column = ?3, event_time_column = ?4,
                    format = ?5, created_at = ?6, definition = ?7
                """) { statement throws(CatalogError) in
                try statement.bind(
                    stream.name,
                    stream.columnsJSON,
                    stream.keyColumn,
                    stream.eventTimeColumn,
                    stream.format,
                    stream.createdMs,
                    stream.definition
                )
                try statement.run()
            }
        }
    }

    /// The stream called `name`, or nil.
    public func stream(named name: String) throws(CatalogError) -> StreamRecord? {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("SELECT \(Self.streamColumns) FROM streams WHERE name = ?") { statement throws(CatalogError) in
                try statement.bind(name)
                guard try statement.step() else { return nil }
                return try Self.streamRecord(statement, database: database)
            }
        }
    }

    /// Every stream, by name.
    public func streams() throws(CatalogError) -> [StreamRecord] {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("SELECT \(Self.streamColumns) FROM streams ORDER BY name") { statement throws(CatalogError) in
                var streams: [StreamRecord] = []
                while try statement.step() { streams.append(try Self.streamRecord(statement, database: database)) }
                return streams
            }
        }
    }

    /// Deletes the stream called `name`; returns whether there was one.
    @discardableResult
    public func deleteStream(named name: String) throws(CatalogError) -> Bool {
        try withDatabase { database throws(CatalogError) in
            try database.withStatement("DELETE FROM streams WHERE name = ?") { statement throws(CatalogError) in
                try statement.bind(name)
                try statement.run()
                return database.changedRowCount > 0
            }
        }
    }

    /// The record in the current row of a SELECT of `streamColumns`.
    private static func streamRecord(_ row: SQLiteStatement, database: SQLiteDatabase) throws(CatalogError) -> StreamRecord {
        let name = row.string(0)
        return StreamRecord(
            name: name,
            columns: try streamColumns(json: row.string(1), stream: name, database: database),
            keyColumn: row.optionalString(2),
            eventTimeColumn: row.optionalString(3),
            format: row.string(4),
            createdMs: row.int64(5),
            definition: row.optionalString(6)
        )
    }

    private static func streamColumns(json: String, stream: String, database: SQLiteDatabase) throws(CatalogError) -> [StreamColumn] {
        if json == "[]" { return [] }
        // A nested statement while the streams SELECT is mid-row: withStatement
        // hands out a separate prepared statement if this one is in use.
        return try database.withStatement("""
            SELECT json_extract(value, '$.name'), json_extract(value, '$.type'), type FROM json_each(?)
            """) { statement throws(CatalogError) in
            try statement.bind(json)
            var columns: [StreamColumn] = []
            while try statement.step() {
                guard statement.string(2) == "object",
                      !statement.isNull(0), !statement.isNull(1), !statement.string(0).isEmpty else {
                    throw .invalidRecord("stream '\(stream)' has an unreadable column list in the catalog: \(json)")
                }
                columns.append(StreamColumn(name: statement.string(0), type: statement.string(1)))
            }
            return columns
        }
    }
}
