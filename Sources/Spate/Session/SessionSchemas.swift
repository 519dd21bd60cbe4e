// The analyzer's view of the data directory: every stream of the log (with its
// SQL definition when it has one, else schemaless) and the catalog's tables.

import SpateSQL

struct SessionSchemas: SchemaProvider {
    var streams: [String: StreamSchema]
    var tables: [String: CatalogTableSchema]

    func stream(named name: String) -> StreamSchema? { streams[name] }
    func catalogTable(named name: String) -> CatalogTableSchema? { tables[name.lowercased()] }
    var relationNames: [String] { Array(streams.keys) + Array(tables.keys) }
}

extension Session {
    func schemaProvider() throws(SpateError) -> SessionSchemas {
        var streams: [String: StreamSchema] = [:]
        for name in try database.streamNames() {
            streams[name] = try database.streamDefinition(name)?.schema ?? StreamSchema(name: name)
        }
        var tables: [String: CatalogTableSchema] = [:]
        for table in database.catalogTableSchemas() { tables[table.name] = table }
        return SessionSchemas(streams: streams, tables: tables)
    }
}
