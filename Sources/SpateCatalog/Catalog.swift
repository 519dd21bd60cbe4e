// The catalog of a Spate data directory: `<data>/catalog.sqlite`, SQLite in WAL
// mode, holding what Spate knows besides the log itself — stream schemas, jobs
// and their checkpoints, alert history (schema/ at the package root; one
// numbered migration per change).
//
// Two connections per Catalog, each used by one thread at a time (a mutex each):
// - the main one, for the typed API and its transactions (BEGIN IMMEDIATE makes
//   them atomic with respect to other processes too);
// - a query-only one (PRAGMA query_only) for users' SELECTs, so that a slow
//   REPL query never holds up a checkpoint in this process (WAL: readers do not
//   block the writer), and so that no user SQL can write even if it slipped
//   past the checks in Catalog+Query.swift.
// A third, on a thread of its own, checkpoints the WAL once it holds a few
// megabytes (WALCheckpointer), so that no commit waits for a checkpoint.
// Invariant: opening a catalog migrates it to this binary's schema (or refuses
// a newer one) before anything else reads it.

import CSQLite
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Settings for opening a catalog.
public struct CatalogOptions: Sendable {
    /// What a commit must survive (see `CatalogDurability`).
    public var durability: CatalogDurability = .normal
    /// How long a statement waits for another process's lock before failing
    /// (jittered exponential backoff, see SQLiteBusyWait), and how long an
    /// opener waits for another opener (CatalogOpenLock, six times this).
    public var busyTimeoutMs: Int32 = 10_000
    /// The most rows `query(sql:parameters:)` returns before failing.
    public var queryRowsMax: Int = 100_000

    public init() {}
}

/// An open catalog.
public final class Catalog: Sendable {
    /// The file name of the catalog inside a data directory.
    public static let fileName = "catalog.sqlite"

    /// `<data>/catalog.sqlite`.
    public let path: String
    /// The schema version of the catalog (this binary's latest once open).
    public let schemaVersion: Int
    let options: CatalogOptions
    let connection: Mutex<SQLiteDatabase>
    let queryConnection: Mutex<SQLiteDatabase>
    /// Metrics measured in this process until flushed (Catalog+Metrics).
    let metricsRecorderStorage = MetricsRecorder()
    /// Job log entries made in this process until flushed (Catalog+JobLog).
    public let jobLogBuffer = JobLogBuffer()
    /// Checkpoints the main connection's WAL on a thread of its own.
    let checkpointer: WALCheckpointer

    deinit {
        // Before the connections close: the thread uses a connection of its own to the same file.
        checkpointer.stop()
    }

    private init(path: String, schemaVersion: Int, options: CatalogOptions,
                 database: consuming sending SQLiteDatabase, queryDatabase: consuming sending SQLiteDatabase,
                 checkpointer: WALCheckpointer) {
        self.checkpointer = checkpointer
        self.path = path
        self.schemaVersion = schemaVersion
        self.options = options
        self.connection = Mutex(database)
        self.queryConnection = Mutex(queryDatabase)
    }

    /// Opens the catalog of `dataDirectory` (creating the directory's catalog
    /// file, and the directory itself, if needed) and migrates it to this
    /// binary's schema. Throws `.schemaTooNew` for a catalog made by a newer spate.
    /// Cost: one read when up to date; a write transaction when migrating.
    public static func open(dataDirectory: String, options: CatalogOptions = CatalogOptions()) throws(CatalogError) -> Catalog {
        try open(dataDirectory: dataDirectory, options: options, migrations: CatalogSchema.migrations)
    }

    /// Opens with a given migration list (tests use a prefix of the real one to
    /// make an older catalog, or add a migration to make a newer one).
    static func open(dataDirectory: String, options: CatalogOptions = CatalogOptions(),
                     migrations: [CatalogMigration]) throws(CatalogError) -> Catalog {
        try OwnerOnlyFiles.makeDirectory(dataDirectory)
        let path = dataDirectory.hasSuffix("/") ? dataDirectory + fileName : dataDirectory + "/" + fileName
        // The journal-mode switch and the migration never race with another
        // opener: both connections are set up under the open lock.
        return try CatalogOpenLock.holding(
            dataDirectory: dataDirectory, waitLimitMs: Int64(options.busyTimeoutMs) * 6
        ) { () throws(CatalogError) in
            // Made 0600 before SQLite opens it: SQLite gives its -wal and -shm the database file's mode.
            try OwnerOnlyFiles.restrict(path, creating: true)
            let database = try SQLiteDatabase(path: path, durability: options.durability, busyTimeoutMs: options.busyTimeoutMs)
            for suffix in ["-wal", "-shm"] { try OwnerOnlyFiles.restrict(path + suffix, creating: false) }
            let version = try CatalogMigrator.migrate(database, migrations: migrations, nowMs: currentTimeMs())
            let queryDatabase = try SQLiteDatabase(path: path, durability: options.durability, busyTimeoutMs: options.busyTimeoutMs,
                                                   statementCacheCapacity: 1, queryOnly: true)
            let checkpointer = WALCheckpointer(path: path, durability: options.durability, busyTimeoutMs: options.busyTimeoutMs,
                                               pageSize: try database.pageSize)
            database.checkpointWAL(with: checkpointer)
            return Catalog(path: path, schemaVersion: version, options: options, database: database, queryDatabase: queryDatabase,
                           checkpointer: checkpointer)
        }
    }

    /// Runs `body` with the connection, alone (no other thread of this process
    /// uses the catalog meanwhile). The typed API of this module is built on it.
    func withDatabase<R: Sendable>(_ body: (SQLiteDatabase) throws(CatalogError) -> R) throws(CatalogError) -> R {
        try connection.withLock { (database: inout SQLiteDatabase) throws(CatalogError) -> R in
            try body(database)
        }
    }

    /// Runs `body` with the query-only connection, alone.
    func withQueryDatabase<R: Sendable>(_ body: (SQLiteDatabase) throws(CatalogError) -> R) throws(CatalogError) -> R {
        try queryConnection.withLock { (database: inout SQLiteDatabase) throws(CatalogError) -> R in
            try body(database)
        }
    }

    /// Runs `body` in one write transaction (BEGIN IMMEDIATE … COMMIT; ROLLBACK
    /// when it throws): the building block of checkpoints.
    func transaction<R: Sendable>(_ body: (SQLiteDatabase) throws(CatalogError) -> R) throws(CatalogError) -> R {
        try withDatabase { database throws(CatalogError) in
            try database.transaction { () throws(CatalogError) in try body(database) }
        }
    }

    /// Milliseconds since the Unix epoch, UTC: the unit of every *_at column.
    static func currentTimeMs() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1_000 + Int64(now.tv_nsec) / 1_000_000
    }
}
