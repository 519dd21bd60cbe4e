// The facade's use of the catalog: stream definitions (what CREATE STREAM
// declared) and the catalog tables a user may query with SELECT. Catalog rows
// become SQL values here: INTEGER columns named *_at are TIMESTAMPs (epoch ms).

import SpateAlerts
import SpateCatalog
import SpateSQL

extension Database {
    /// The tables of the catalog that SELECT may read.
    static let queryableTables = ["streams", "jobs", "alerts", "job_results",
                                  "channels", "deliveries", "alarms", "alarm_history", "metrics", "detector_scores",
                                  "sinks", "sink_files", "job_log"]

    /// SQLite types of the queryable views' computed columns, which
    /// pragma_table_info leaves blank (job_results unrolls the runs of
    /// job_result_pages: schema/0013 and 0014).
    static let viewColumnTypes = ["job_results": ["id": "INTEGER", "window_start": "INTEGER", "window_end": "INTEGER",
                                                  "row_json": "TEXT", "created_at": "INTEGER"]]

    /// The SQL definition of stream `name`, if it was made with CREATE STREAM.
    public func streamDefinition(_ name: String) throws(SpateError) -> StreamDefinition? {
        let record: StreamRecord?
        do { record = try catalog.stream(named: name) } catch { throw .catalog(error.description) }
        guard let record, let statement = record.definition else { return nil }
        // A definition older than the log's stream belongs to an earlier stream
        // of that name, deleted by a route that did not know the catalog.
        if let stream = try? log.stream(name), stream.createdMs > record.createdMs {
            try removeStreamDefinition(name)
            return nil
        }
        let columns = record.columns.map { column in
            SchemaColumn(name: column.name, type: ValueType(rawValue: column.type) ?? .string)
        }
        return StreamDefinition(name: record.name, columns: columns, keyColumn: record.keyColumn,
                                eventTimeColumn: record.eventTimeColumn, format: record.format,
                                createdMs: record.createdMs, statement: statement)
    }

    public func saveStreamDefinition(_ definition: StreamDefinition) throws(SpateError) {
        let record = StreamRecord(
            name: definition.name, columns: definition.columns.map { StreamColumn(name: $0.name, type: $0.type.rawValue) },
            keyColumn: definition.keyColumn, eventTimeColumn: definition.eventTimeColumn, format: definition.format,
            createdMs: definition.createdMs, definition: definition.statement)
        do { try catalog.upsertStream(record) } catch { throw .catalog(error.description) }
    }

    public func removeStreamDefinition(_ name: String) throws(SpateError) {
        do { _ = try catalog.deleteStream(named: name) } catch { throw .catalog(error.description) }
    }

    /// Column names and SQL types of the queryable catalog tables, read from SQLite.
    public func catalogTableSchemas() -> [CatalogTableSchema] {
        Self.queryableTables.compactMap { table in
            guard let info = try? catalog.query(sql: "SELECT name, type FROM pragma_table_info('\(table)')") else { return nil }
            let columns = info.rows.compactMap { row -> SchemaColumn? in
                guard case let .text(name) = row[row.startIndex], case var .text(type) = row[row.startIndex + 1] else { return nil }
                if type.isEmpty { type = Self.viewColumnTypes[table]?[name] ?? "" }
                // Webhook headers hold credentials: SHOW CHANNELS shows them masked, SELECT not at all.
                if table == "channels" && ChannelSecrets.secretColumns.contains(name) { return nil }
                return SchemaColumn(name: name, type: Self.sqlType(column: name, sqliteType: type))
            }
            return CatalogTableSchema(name: table, columns: columns)
        }
    }

    static func sqlType(column: String, sqliteType: String) -> ValueType {
        switch sqliteType.uppercased() {
        case "INTEGER": return column.hasSuffix("_at") || column == "window_start" || column == "window_end" ? .timestamp : .bigint
        case "REAL": return .double
        default: return .string
        }
    }

    /// Runs a read-only query on the catalog; values converted to `types`.
    public func catalogRows(sql: String, columns types: [ValueType]) throws(SpateError) -> [[Value]] {
        let rows: CatalogRows
        do { rows = try catalog.query(sql: sql) } catch { throw .catalog(error.description) }
        return rows.rows.map { row in
            row.enumerated().map { i, value in Self.value(value, as: i < types.count ? types[i] : .string) }
        }
    }

    static func value(_ value: CatalogValue, as type: ValueType) -> Value {
        switch (value, type) {
        case (.null, _): return .null
        case let (.integer(i), .timestamp): return .timestamp(i)
        case let (.integer(i), .boolean): return .boolean(i != 0)
        case let (.integer(i), .double): return .double(Double(i))
        case let (.integer(i), _): return .bigint(i)
        case let (.real(d), .bigint):
            // SQLite's REAL beyond BIGINT's range (or NaN) gives NULL, as a CAST would.
            guard d.isFinite, let i = Int64(exactly: d.rounded(.towardZero)) else { return .null }
            return .bigint(i)
        case let (.real(d), _): return .double(d)
        case let (.text(s), _): return .string(s)
        case let (.blob(b), _): return .string("x'" + b.map { String($0, radix: 16) }.joined() + "'")
        }
    }
}

extension Database {
    /// Runs a read-only query with positional parameters on the catalog's
    /// query-only connection and returns SQLite's values as they are. That
    /// connection is not the one checkpoints commit on (and WAL readers never
    /// block the writer), so a reader such as the dashboard never holds up a job.
    public func catalogQuery(sql: String, parameters: [CatalogValue] = []) throws(SpateError) -> CatalogRows {
        do { return try catalog.query(sql: sql, parameters: parameters) } catch { throw .catalog(error.description) }
    }
}
