// Opening a catalog: a fresh directory gets the whole schema, a re-open changes
// nothing, an older catalog is brought up to date in one transaction, a newer
// one is refused, a failed migration leaves no trace, and openers racing on a
// fresh directory migrate it exactly once.

import Foundation
@testable import SpateCatalog
import Synchronization
import Testing

@Suite struct MigrationTests {
    @Test func freshDirectoryGetsEveryMigration() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path + "/data")
        #expect(catalog.path == dir.path + "/data/catalog.sqlite")
        #expect(FileManager.default.fileExists(atPath: catalog.path))
        #expect(catalog.schemaVersion == CatalogSchema.latestVersion)
        #expect(try appliedMigrations(catalog) == CatalogSchema.migrations.map { "\($0.version) \($0.name)" })
        let tables = try tableNames(catalog)
        for table in ["schema_migrations", "streams", "jobs", "checkpoints", "checkpoint_offsets", "operator_state", "alerts"] {
            #expect(tables.contains(table), "missing table \(table)")
        }
    }

    @Test func reopeningChangesNothing() throws {
        let dir = TemporaryDirectory()
        let first = try Catalog.open(dataDirectory: dir.path)
        try first.upsertStream(transactionsStream())
        let before = try first.query(sql: "SELECT * FROM schema_migrations")
        let second = try Catalog.open(dataDirectory: dir.path)
        #expect(try second.query(sql: "SELECT * FROM schema_migrations") == before)
        #expect(try second.stream(named: "transactions") == transactionsStream())
    }

    @Test func olderCatalogIsUpgradedKeepingItsData() throws {
        let dir = TemporaryDirectory()
        let old = try Catalog.open(dataDirectory: dir.path, migrations: CatalogSchema.migrations)
        try old.upsertStream(transactionsStream())
        let newer = CatalogSchema.migrations + [futureMigration(1), futureMigration(2)]
        let upgraded = try Catalog.open(dataDirectory: dir.path, migrations: newer)
        #expect(upgraded.schemaVersion == CatalogSchema.latestVersion + 2)
        #expect(try appliedMigrations(upgraded) == newer.map { "\($0.version) \($0.name)" })
        #expect(try tableNames(upgraded).isSuperset(of: ["future_1", "future_2"]))
        let row = try upgraded.query(sql: "SELECT name, note_1, note_2 FROM streams")
        #expect(row.values == [.text("transactions"), .null, .null])
        #expect(try upgraded.stream(named: "transactions") == transactionsStream())
    }

    @Test func firstMigrationAloneThenAllOfThem() throws {
        // The N−1 → N path with the real files: a catalog that has only 0001.
        let dir = TemporaryDirectory()
        let first = Array(CatalogSchema.migrations.prefix(1))
        #expect(try Catalog.open(dataDirectory: dir.path, migrations: first).schemaVersion == 1)
        let all = CatalogSchema.migrations + [futureMigration()]
        #expect(try Catalog.open(dataDirectory: dir.path, migrations: all).schemaVersion == all.count)
    }

    @Test func newerCatalogIsRefusedWithAClearMessage() throws {
        let dir = TemporaryDirectory()
        _ = try Catalog.open(dataDirectory: dir.path, migrations: CatalogSchema.migrations + [futureMigration(1), futureMigration(2)])
        let known = CatalogSchema.latestVersion
        #expect(throws: CatalogError.schemaTooNew(path: dir.path + "/catalog.sqlite", version: known + 2, known: known)) {
            try Catalog.open(dataDirectory: dir.path)
        }
        do {
            _ = try Catalog.open(dataDirectory: dir.path)
        } catch {
            #expect(error.description == "\(dir.path)/catalog.sqlite is at schema version \(known + 2) but this spate knows up to \(known): upgrade spate")
        }
    }

    @Test func catalogFromADivergentBuildIsRefused() throws {
        let dir = TemporaryDirectory()
        _ = try Catalog.open(dataDirectory: dir.path, migrations: CatalogSchema.migrations + [futureMigration(1)])
        let other = CatalogMigration(version: CatalogSchema.latestVersion + 1, name: "9999_other", sql: "SELECT 1;")
        #expect(throws: CatalogError.schemaMismatch(path: dir.path + "/catalog.sqlite", version: other.version,
                                                    applied: futureMigration(1).name, expected: other.name)) {
            try Catalog.open(dataDirectory: dir.path, migrations: CatalogSchema.migrations + [other])
        }
    }

    @Test func failedMigrationLeavesTheCatalogAsItWas() throws {
        let dir = TemporaryDirectory()
        _ = try Catalog.open(dataDirectory: dir.path)
        let good = futureMigration(1)
        let bad = futureMigration(2, sql: "CREATE TABLE half (x INTEGER);\nCRATE TABLE typo (x INTEGER);\n")
        let error = #expect(throws: CatalogError.self) {
            try Catalog.open(dataDirectory: dir.path, migrations: CatalogSchema.migrations + [good, bad])
        }
        #expect(error?.description.hasPrefix("catalog: migration \(bad.name) failed: near \"CRATE\": syntax error") == true, "\(String(describing: error))")
        #expect(error?.description.contains("(in: CRATE TABLE typo (x INTEGER);)") == true, "\(String(describing: error))")
        let catalog = try Catalog.open(dataDirectory: dir.path)
        #expect(catalog.schemaVersion == CatalogSchema.latestVersion)
        // The good migration before the bad one was rolled back with it.
        #expect(try tableNames(catalog).isDisjoint(with: ["future_1", "half", "typo"]))
    }

    @Test(arguments: ["COMMIT;", "BEGIN;", "  -- end it\n  END;", "ROLLBACK;"])
    func migrationCannotEndItsTransaction(_ statement: String) throws {
        let dir = TemporaryDirectory()
        _ = try Catalog.open(dataDirectory: dir.path)
        let sneaky = futureMigration(1, sql: "CREATE TABLE before_commit (x INTEGER);\n\(statement)\nCREATE TABLE after_commit (x INTEGER);\n")
        #expect(throws: CatalogError.self) {
            try Catalog.open(dataDirectory: dir.path, migrations: CatalogSchema.migrations + [sneaky])
        }
        let catalog = try Catalog.open(dataDirectory: dir.path)
        #expect(try tableNames(catalog).isDisjoint(with: ["before_commit", "after_commit"]))
    }

    @Test func openersRacingOnAFreshDirectoryMigrateOnce() throws {
        // Separate connections in separate threads lock each other exactly as
        // separate processes do (SQLite's file locks and the open lock's flock,
        // not an in-process lock). Issue 21: under load an opener failed with
        // "database is locked" in PRAGMA journal_mode; so 16 openers, 20 rounds,
        // while other threads keep both cores busy.
        let load = CPULoad(threads: 2)
        defer { load.stop() }
        for _ in 0..<20 {
            let dir = TemporaryDirectory()
            let openers = 16
            let migrations = CatalogSchema.migrations + [futureMigration(1), futureMigration(2)]
            let results = Mutex<[Result<Int, CatalogError>]>([])
            let start = DispatchSemaphore(value: 0)
            let group = DispatchGroup()
            for _ in 0..<openers {
                group.enter()
                Thread {
                    defer { group.leave() }
                    start.wait()
                    let result = Result { () throws(CatalogError) in
                        let catalog = try Catalog.open(dataDirectory: dir.path, migrations: migrations)
                        // A write right after opening, as `spate -c` or a put would make.
                        try catalog.upsertStream(transactionsStream())
                        return catalog.schemaVersion
                    }
                    results.withLock { $0.append(result) }
                }.start()
            }
            usleep(20_000)
            for _ in 0..<openers { start.signal() }
            group.wait()
            let versions = try results.withLock { try $0.map { try $0.get() } }
            #expect(versions == Array(repeating: migrations.count, count: openers))
            let catalog = try Catalog.open(dataDirectory: dir.path, migrations: migrations)
            #expect(try appliedMigrations(catalog) == migrations.map { "\($0.version) \($0.name)" })
        }
    }

    @Test func openLockWaitGivesUpWithTheHoldersProcessID() throws {
        let dir = TemporaryDirectory()
        _ = try Catalog.open(dataDirectory: dir.path)
        // Another process holds the open lock (flock conflicts across open files,
        // so this descriptor stands in for it) and has written its pid.
        let fd = open(dir.path + "/" + CatalogOpenLock.fileName, O_RDWR)
        #expect(fd >= 0)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX) == 0)
        _ = ftruncate(fd, 0)
        _ = Array("4242\n".utf8).withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        var options = CatalogOptions()
        options.busyTimeoutMs = 50
        #expect {
            _ = try Catalog.open(dataDirectory: dir.path, options: options)
        } throws: { error in
            "\(error)".contains("held open by process 4242") && "\(error)".contains("stop it and retry")
        }
        _ = flock(fd, LOCK_UN)
        #expect(throws: Never.self) { _ = try Catalog.open(dataDirectory: dir.path, options: options) }
    }

    @Test func busyWriterGivesUpAfterTheLimitAndSaysSo() throws {
        let dir = TemporaryDirectory()
        var options = CatalogOptions()
        options.busyTimeoutMs = 200
        let holder = try Catalog.open(dataDirectory: dir.path)
        let waiter = try Catalog.open(dataDirectory: dir.path, options: options)
        let started = Date()
        try holder.withDatabase { database throws(CatalogError) in
            try database.execute("BEGIN IMMEDIATE")
            #expect {
                try waiter.upsertStream(transactionsStream())
            } throws: { error in
                "\(error)".contains("after waiting 0 s") && "\(error)".contains("holds the lock")
            }
            try database.execute("ROLLBACK")
        }
        // It waited (with backoff) rather than failing at once, and not much past the limit.
        #expect(Date().timeIntervalSince(started) >= 0.2)
        try waiter.upsertStream(transactionsStream())
    }

    @Test func connectionSettings() throws {
        let dir = TemporaryDirectory()
        let catalog = try Catalog.open(dataDirectory: dir.path)
        let settings = try catalog.withDatabase { database throws(CatalogError) in
            [try database.scalarText("PRAGMA journal_mode"), try database.scalarText("PRAGMA synchronous"),
             try database.scalarText("PRAGMA foreign_keys"), "\(database.busyWait.waitLimitMs)"]
        }
        #expect(settings == ["wal", "1", "1", "10000"])  // synchronous 1 = NORMAL
        try catalog.upsertStream(transactionsStream())
        #expect(FileManager.default.fileExists(atPath: catalog.path + "-wal"))

        var options = CatalogOptions()
        options.durability = .full
        let full = try Catalog.open(dataDirectory: dir.path, options: options)
        #expect(try full.withDatabase { database throws(CatalogError) in try database.scalarText("PRAGMA synchronous") } == "2")
    }

    @Test func embeddedMigrationsAreTheFilesInSchemaDirectory() throws {
        // The build plugin compiles schema/*.sql into the binary; this checks
        // the binary carries exactly those files, in order, byte for byte.
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let schema = packageRoot.appendingPathComponent("schema")
        let files = try FileManager.default.contentsOfDirectory(atPath: schema.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(!files.isEmpty)
        #expect(CatalogSchema.migrations.map { $0.name + ".sql" } == files)
        for (migration, file) in zip(CatalogSchema.migrations, files) {
            let text = try String(contentsOf: schema.appendingPathComponent(file), encoding: .utf8)
            #expect(migration.sql == text, "\(file) differs from the embedded copy")
            #expect(migration.version == Int(file.prefix(4)))
        }
    }
}

/// Threads that spin until stopped, to load the machine's cores during a test.
final class CPULoad: Sendable {
    private let running = Atomic<Bool>(true)

    init(threads: Int) {
        for _ in 0..<threads {
            Thread { [self] in
                var x: UInt64 = 1
                while self.running.load(ordering: .relaxed) {
                    for _ in 0..<10_000 { x = x &* 6364136223846793005 &+ 1442695040888963407 }
                }
                if x == 0 { print(x) }
            }.start()
        }
    }

    func stop() { running.store(false, ordering: .relaxed) }
}
