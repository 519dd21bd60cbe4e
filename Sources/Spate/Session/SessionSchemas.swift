// The analyzer's view of the data directory: every stream of the log (with its
// SQL definition when it has one, else schemaless), the catalog's tables, and
// for queries (not jobs: see FieldTypeSampler) the types of schemaless fields
// as the records hold them.

import SpateSQL

struct SessionSchemas: SchemaProvider {
    var streams: [String: StreamSchema]
    var tables: [String: CatalogTableSchema]
    var fieldSampler: FieldTypeSampler?

    func stream(named name: String) -> StreamSchema? { streams[name] }
    func catalogTable(named name: String) -> CatalogTableSchema? { tables[name.lowercased()] }
    var relationNames: [String] { Array(streams.keys) + Array(tables.keys) }
    func sampledType(ofField path: [String], inStream stream: String) -> ValueType? {
        fieldSampler?.type(ofField: path, inStream: stream)
    }
}

extension Session {
    /// `samplingFieldTypes`: whether schemaless fields that a query's use does not type take the type of their values.
    func schemaProvider(samplingFieldTypes: Bool = false) throws(SpateError) -> SessionSchemas {
        var streams: [String: StreamSchema] = [:]
        for name in try database.streamNames() {
            streams[name] = try database.streamDefinition(name)?.schema ?? StreamSchema(name: name)
        }
        var tables: [String: CatalogTableSchema] = [:]
        for table in database.catalogTableSchemas() { tables[table.name] = table }
        return SessionSchemas(streams: streams, tables: tables,
                              fieldSampler: samplingFieldTypes ? FieldTypeSampler(database: database) : nil)
    }
}
