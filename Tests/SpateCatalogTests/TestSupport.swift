// Helpers shared by the catalog tests: temporary data directories and a few
// migration lists built around the real one.

import Foundation
@testable import SpateCatalog
import Testing

/// A fresh directory under the system's temporary directory, removed on deinit.
final class TemporaryDirectory: Sendable {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "/spate-catalog-test-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A migration that a future spate might ship after the real ones.
func futureMigration(_ offset: Int = 1, sql: String? = nil) -> CatalogMigration {
    let version = CatalogSchema.latestVersion + offset
    return CatalogMigration(
        version: version,
        name: String(format: "%04d_future_%d", version, offset),
        sql: sql ?? "CREATE TABLE future_\(offset) (id INTEGER PRIMARY KEY) STRICT;\nALTER TABLE streams ADD COLUMN note_\(offset) TEXT;\n"
    )
}

/// The names of the tables in the catalog.
func tableNames(_ catalog: Catalog) throws -> Set<String> {
    let rows = try catalog.query(sql: "SELECT name FROM sqlite_schema WHERE type = 'table'")
    return Set(rows.values.map(\.description))
}

/// (version, name) of every applied migration.
func appliedMigrations(_ catalog: Catalog) throws -> [String] {
    try catalog.query(sql: "SELECT version, name FROM schema_migrations ORDER BY version").rows.map { row in
        "\(row[row.startIndex]) \(row[row.startIndex + 1])"
    }
}

/// A stream record with the usual transaction columns.
func transactionsStream(_ name: String = "transactions", createdMs: Int64 = 1_732_400_000_000) -> StreamRecord {
    StreamRecord(
        name: name,
        columns: [
            StreamColumn(name: "userId", type: "STRING"), StreamColumn(name: "amount", type: "DOUBLE"),
            StreamColumn(name: "timestamp", type: "TIMESTAMP"),
        ],
        keyColumn: "userId", eventTimeColumn: "timestamp", format: "json", createdMs: createdMs,
        definition: "CREATE STREAM \(name) (userId STRING, amount DOUBLE, timestamp TIMESTAMP) WITH (key = 'userId')"
    )
}
