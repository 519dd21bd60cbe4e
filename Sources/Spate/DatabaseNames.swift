// The names a user may type in a statement: streams, catalog tables, jobs,
// channels and alarms, and the columns of a stream or table. For tools that
// help a user type (the REPL's Tab completion); queries resolve names through
// the analyzer, not through this.
//
// A stream declared with CREATE STREAM has its columns; a schemaless one (made
// by `spate put` or the Kinesis endpoint) has the top-level fields of its
// first records, up to `columnSampleRecordsMax` of them, so the cost of asking
// is bounded whatever the stream's size.

import SpateJSON
import SpateLog
import SpateRuntime

/// Everything in a data directory that has a name.
public struct CatalogNames: Sendable, Equatable {
    public var streams: [String] = []
    /// The catalog tables SELECT reads (`alerts`, `jobs`, ...).
    public var tables: [String] = []
    public var jobs: [String] = []
    public var channels: [String] = []
    public var alarms: [String] = []

    public init() {}
}

extension Database {
    /// Records read from a schemaless stream to learn its fields.
    public static let columnSampleRecordsMax = 32

    /// The names of the streams, catalog tables, jobs, channels and alarms, each sorted.
    public func catalogNames() throws(SpateError) -> CatalogNames {
        var names = CatalogNames()
        names.streams = try streamNames().sorted()
        names.tables = Self.queryableTables.sorted()
        do {
            names.jobs = try catalog.jobs().map(\.name).sorted()
            names.channels = try catalog.channels().map(\.name).sorted()
            names.alarms = try catalog.alarms().map(\.name).sorted()
        } catch {
            throw .catalog(error.description)
        }
        return names
    }

    /// The columns of stream or catalog table `relation` (matched ignoring case),
    /// in declaration order, or the fields found in a schemaless stream's first
    /// records; [] for an unknown name.
    public func columnNames(of relation: String) throws(SpateError) -> [String] {
        let lower = relation.lowercased()
        if let table = catalogTableSchemas().first(where: { $0.name == lower }) { return table.columns.map(\.name) }
        guard let stream = try streamNames().first(where: { $0.lowercased() == lower }) else { return [] }
        if let definition = try streamDefinition(stream) { return definition.columns.map(\.name) }
        return try sampledFields(of: stream)
    }

    private func sampledFields(of stream: String) throws(SpateError) -> [String] {
        let cursor = try self.cursor(stream: stream, from: .earliest)
        var fields: [String] = []
        var seen: Set<String> = []
        do {
            _ = try cursor.forEach(limit: Self.columnSampleRecordsMax) { _, record in
                for key in JSONTopLevelKeys.keys(in: record.payload) where seen.insert(key).inserted { fields.append(key) }
                return true
            }
        } catch {
            throw .io("cannot read stream \(stream): \(error)")
        }
        return fields
    }
}
