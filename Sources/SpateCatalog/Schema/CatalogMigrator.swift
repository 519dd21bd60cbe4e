// Brings a catalog file to this binary's schema version, or refuses it.
//
// Protocol, safe for many processes opening one fresh data directory at once:
// 1. Read the applied version without a write lock (the common case, an
//    up-to-date catalog, then costs one read and blocks nobody).
// 2. If it is behind: BEGIN IMMEDIATE (the write lock; a concurrent migrator
//    waits here), read the version again — the other process may have migrated
//    meanwhile — and apply only what is still missing, each script followed by
//    its schema_migrations row, then COMMIT. All the missing migrations commit
//    together or not at all.
// 3. A catalog ahead of the binary is refused before anything is written.
// Invariants: the version never goes down; a migration runs at most once per
// catalog; a migration may not BEGIN, COMMIT or ROLLBACK (refused before it runs).
//
// Foreign keys are off while migrations run (PRAGMA foreign_keys is a no-op
// inside a transaction, so it is set around it), as SQLite's 12-step table
// rebuild requires: dropping the old table must not cascade into the tables
// that refer to it. Each migration is then checked with PRAGMA
// foreign_key_check, so none may leave a reference pointing nowhere.

import CSQLite

enum CatalogMigrator {
    /// Migrates `database` (the file at `path`, for messages) with `migrations`
    /// and returns the resulting version.
    static func migrate(_ database: SQLiteDatabase, migrations: [CatalogMigration], nowMs: Int64) throws(CatalogError) -> Int {
        CatalogSchema.validate(migrations)
        let known = migrations.last?.version ?? 0
        let applied = try appliedMigrations(database)
        try check(applied, against: migrations, path: database.path)
        guard applied.count < known else { return known }

        try database.execute("PRAGMA foreign_keys = OFF")
        defer { try? database.execute("PRAGMA foreign_keys = ON") }
        return try database.transaction { () throws(CatalogError) -> Int in
            let applied = try appliedMigrations(database)
            try check(applied, against: migrations, path: database.path)
            for migration in migrations.dropFirst(applied.count) {
                try apply(migration, to: database, nowMs: nowMs)
            }
            return known
        }
    }

    /// The names of the applied migrations, in version order (index = version − 1).
    static func appliedMigrations(_ database: SQLiteDatabase) throws(CatalogError) -> [String] {
        let exists = try database.withStatement(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'"
        ) { statement throws(CatalogError) in
            try statement.step()
            return statement.int64(0) > 0
        }
        guard exists else { return [] }
        return try database.withStatement("SELECT version, name FROM schema_migrations ORDER BY version") { statement throws(CatalogError) in
            var names: [String] = []
            while try statement.step() {
                let version = statement.int64(0)
                guard version == Int64(names.count + 1) else {
                    throw .invalidRecord("\(database.path): schema_migrations skips from version \(names.count) to \(version); the catalog was changed by hand")
                }
                names.append(statement.string(1))
            }
            return names
        }
    }

    /// Refuses a catalog newer than `migrations`, or one whose history differs.
    static func check(_ applied: [String], against migrations: [CatalogMigration], path: String) throws(CatalogError) {
        guard applied.count <= migrations.count else {
            throw .schemaTooNew(path: path, version: applied.count, known: migrations.count)
        }
        for (index, name) in applied.enumerated() where name != migrations[index].name {
            throw .schemaMismatch(path: path, version: index + 1, applied: name, expected: migrations[index].name)
        }
    }

    private static func apply(_ migration: CatalogMigration, to database: SQLiteDatabase, nowMs: Int64) throws(CatalogError) {
        do {
            try database.executeScript(migration.sql) { statement throws(CatalogError) in
                // Checked before running: after a COMMIT it would be too late.
                let keyword = SQLText.leadingKeyword(statement.sql)
                if ["BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"].contains(keyword) {
                    throw .migrationFailed(name: migration.name, message: "\(keyword) is not allowed: each migration runs inside the catalog's own transaction")
                }
            }
        } catch let .sqlite(_, message, sql) {
            throw .migrationFailed(name: migration.name, message: "\(message) (in: \(CatalogError.oneLine(sql)))")
        }
        precondition(database.isInTransaction, "migration \(migration.name) ended the migration transaction")
        // A migration that rebuilds a table (the 12-step ALTER) must leave no dangling reference.
        let danglingReferences = try database.withStatement("PRAGMA foreign_key_check") { statement throws(CatalogError) in
            try statement.step()
        }
        guard !danglingReferences else {
            throw .migrationFailed(name: migration.name, message: "it leaves rows whose foreign keys point nowhere (PRAGMA foreign_key_check)")
        }
        try database.withStatement("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)") { statement throws(CatalogError) in
            try statement.bind(Int64(migration.version), migration.name, nowMs)
            try statement.run()
        }
    }
}
