// One schema migration: a numbered SQL script from schema/ at the package root.
//
// The scripts are compiled into the binary by the EmbedCatalogSchema build-tool
// plugin, which generates `CatalogSchema.embeddedMigrations` from schema/*.sql
// at every build (the generated file lives in .build, never in git), so
// schema/ is the single source of truth and users run one executable.
// Invariant (checked by the generator and by `CatalogSchema.validate`):
// versions are 1, 2, 3, … in order, with no gap and no repeat.

/// A numbered schema migration.
public struct CatalogMigration: Equatable, Sendable {
    /// NNNN of `schema/NNNN_name.sql`.
    public let version: Int
    /// The file name without ".sql", e.g. "0001_catalog".
    public let name: String
    /// The script, run as is inside the migration transaction.
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// The catalog schema this binary knows.
public enum CatalogSchema {
    /// Every migration in schema/, in order.
    public static var migrations: [CatalogMigration] { embeddedMigrations }

    /// The version a catalog has once every migration is applied.
    public static var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Checks a migration list: versions 1, 2, 3, … in order. A bad list is a
    /// build defect (the generator checks the same), hence a precondition.
    static func validate(_ migrations: [CatalogMigration]) {
        for (index, migration) in migrations.enumerated() {
            precondition(migration.version == index + 1,
                         "catalog migrations must be numbered 1, 2, 3, …: \(migration.name) is number \(index + 1)")
        }
    }
}
