// One connection to a SQLite database file, set up the way the catalog needs it.
//
// Why the C API of the system libsqlite3 and not GRDB: the catalog's one hard
// job is the checkpoint transaction (offsets, operator state and alerts in ONE
// commit), and a thin wrapper we own keeps that transaction path explicit,
// visible and testable, with no second layer of connection pools or query
// builders in between; it also builds in seconds, with no dependency to fetch.
//
// Set-up on open (each connection; none of these persist in the file except WAL):
// - journal_mode=WAL: readers never block the writer and the writer never blocks
//   readers, so a REPL can read alerts while `spate run` commits checkpoints.
// - synchronous=NORMAL (the default; FULL on request): in WAL mode a commit is
//   written to the WAL before COMMIT returns, so it survives the process being
//   killed (kill -9) at any moment; the WAL is fsynced at WAL checkpoints, not at
//   every commit, so a power loss or OS crash may roll back the last few commits —
//   never half of one, and never out of order. Jobs' exactly-once rests on
//   atomicity, not on the last commit surviving: a checkpoint's offsets, state
//   and alerts roll back together, and the job replays the same input from the
//   earlier checkpoint into the same alerts. What FULL would buy (the last
//   second of checkpoints surviving power loss) costs an fsync per commit on
//   the alert path (budget: p99 ≤ 5 ms append → alert committed).
// - a busy handler (SQLiteBusyWait): many processes share one catalog; a writer
//   waits up to the limit (10 s by default) for another's transaction, with
//   jittered backoff, instead of failing at once; giving up names the holder.
// - journal_mode=WAL is retried on SQLITE_BUSY (a journal-mode change does not
//   always reach the busy handler); Catalog.open also holds CatalogOpenLock
//   around it, so openers of one data directory never race on it.
// - foreign_keys=ON: SQLite's default is off, per connection.
//
// Invariants: one thread at a time uses a connection (Catalog's mutex; the
// connection is opened SQLITE_OPEN_NOMUTEX); transactions do not nest; every
// statement is finalized before the connection closes (cache cleared in deinit).

import CSQLite

/// How much a commit must survive; see the header for the trade-off.
public enum CatalogDurability: String, Sendable {
    /// WAL + synchronous=NORMAL: survives process crashes; a power loss may lose
    /// the last commits (whole transactions, in order).
    case normal
    /// WAL + synchronous=FULL: every commit fsyncs the WAL; survives power loss.
    case full
}

/// An open SQLite connection.
final class SQLiteDatabase {
    let handle: OpaquePointer
    let path: String
    private let cache: StatementCache
    /// How a statement waits for another process's lock (outlives the handle's use of it).
    let busyWait: SQLiteBusyWait

    /// Opens (creating if needed) the database at `path` in WAL mode.
    /// `queryOnly` connections refuse every change to the file (PRAGMA query_only).
    /// The oldest SQLite the catalog's schema runs on: 3.37, for STRICT tables
    /// (its JSON functions are built in from 3.38 and compiled in by the
    /// common distributions before that).
    static let versionNumberMin: Int32 = 3_037_000

    /// `pageSize` applies to a new file only.
    init(path: String, durability: CatalogDurability = .normal, busyTimeoutMs: Int32 = 10_000,
         statementCacheCapacity: Int = 64, queryOnly: Bool = false, pageSize: Int = pageSizeForNewFiles) throws(CatalogError) {
        guard sqlite3_libversion_number() >= Self.versionNumberMin else {
            throw .cannotOpen(path: path, message: "the catalog needs SQLite 3.37 or newer (STRICT tables), and this system's "
                              + "libsqlite3 is \(String(cString: sqlite3_libversion())); install a newer libsqlite3")
        }
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(handle)
            throw .cannotOpen(path: path, message: message)
        }
        self.handle = handle
        self.path = path
        self.cache = StatementCache(capacity: statementCacheCapacity)
        self.busyWait = SQLiteBusyWait(waitLimitMs: Int64(busyTimeoutMs))
        sqlite3_extended_result_codes(handle, 1)
        // The busy handler first: switching to WAL takes a lock that another connection may hold.
        busyWait.install(on: handle)
        // A throw from here on still runs deinit (self is fully initialized), which closes.
        // Takes effect only while the file is empty (a new catalog); an existing one keeps its size.
        try execute("PRAGMA page_size = \(pageSize)")
        let mode = try switchToWAL()
        guard mode.lowercased() == "wal" else {
            throw .cannotOpen(path: path, message: "cannot use WAL mode (journal_mode stays '\(mode)'); is the file on a network file system?")
        }
        try execute("PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL")")
        try execute("PRAGMA foreign_keys = ON")
        if queryOnly { try execute("PRAGMA query_only = ON") }
    }

    /// The page size a new catalog file gets: 16 KiB, not SQLite's 4 KiB.
    /// A job's result page (a few MiB of JSON a checkpoint) is stored as a
    /// chain of overflow pages, and every page costs a WAL frame (two writes
    /// and a checksum), a read and a write when the WAL is checkpointed, and
    /// a read when the trim frees it: with 16 KiB, four times fewer. Measured
    /// (`spate-bench jobs`, parallelism 2, 20 M records): the job's thread
    /// spent 0.35–0.37 s with 4 KiB, 0.30–0.34 s with 8 KiB, 0.24–0.28 s with
    /// 16 KiB. 64 KiB saved no more and made each small commit (an alert)
    /// write 64 KiB a page touched. An existing catalog keeps its page size
    /// (SQLite cannot change it in WAL mode).
    static let pageSizeForNewFiles = 16_384

    /// The page size of the open file.
    var pageSize: Int {
        get throws(CatalogError) { Int(try scalarText("PRAGMA page_size")) ?? 4_096 }
    }

    deinit {
        cache.removeAll()
        sqlite3_close_v2(handle)
        walHookContext.map { Unmanaged<WALCheckpointer>.fromOpaque($0).release() }
    }

    /// The checkpointer the WAL hook calls (retained until the connection closes).
    private var walHookContext: UnsafeMutableRawPointer?

    /// Hands this connection's WAL checkpoints to `checkpointer` (its
    /// thread): after each commit SQLite reports the WAL's size, and the
    /// checkpointer decides. Replaces SQLite's own autocheckpoint, which
    /// checkpoints inside the commit that crosses 1,000 pages.
    func checkpointWAL(with checkpointer: WALCheckpointer) {
        precondition(walHookContext == nil, "one checkpointer per connection")
        let context = Unmanaged.passRetained(checkpointer).toOpaque()
        walHookContext = context
        sqlite3_wal_hook(handle, { context, connection, name, pages in
            guard let context, let connection else { return SQLITE_OK }
            let checkpointer = Unmanaged<WALCheckpointer>.fromOpaque(context).takeUnretainedValue()
            if checkpointer.committed(walPages: Int(pages)) == .now {
                // Behind: this commit checkpoints, as SQLite's autocheckpoint would (PASSIVE: never waits).
                sqlite3_wal_checkpoint_v2(connection, name, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            }
            return SQLITE_OK
        }, context)
    }

    /// PRAGMA journal_mode = WAL, retried while SQLITE_BUSY for up to the busy
    /// limit: SQLite may return BUSY from a journal-mode change without calling
    /// the busy handler. Returns the mode the file is in afterwards.
    private func switchToWAL() throws(CatalogError) -> String {
        var backoff = JitteredBackoff()
        let startMs = JitteredBackoff.monotonicMs()
        while true {
            do {
                return try scalarText("PRAGMA journal_mode = WAL")
            } catch let .sqlite(code, message, sql) where code & 0xff == SQLITE_BUSY || code & 0xff == SQLITE_LOCKED {
                guard JitteredBackoff.monotonicMs() - startMs < busyWait.waitLimitMs else {
                    throw .sqlite(code: code, message: message, sql: sql)
                }
                backoff.sleep()
            }
        }
    }

    // MARK: Statements

    /// Prepares one statement (not cached). The rest of `sql` after the first
    /// statement must be empty; use `execute` for scripts.
    func prepare(_ sql: String) throws(CatalogError) -> SQLiteStatement {
        let (statement, tail) = try prepareFirst(sql)
        guard let statement else {
            throw .sqlite(code: SQLITE_MISUSE, message: "no statement to prepare", sql: sql)
        }
        guard tail.allSatisfy(\.isWhitespace) else {
            throw .sqlite(code: SQLITE_MISUSE, message: "more than one statement given", sql: sql)
        }
        return statement
    }

    /// Prepares the first statement of `sql` and returns it (nil when `sql`
    /// holds only whitespace and comments) with the text after it.
    func prepareFirst(_ sql: String) throws(CatalogError) -> (SQLiteStatement?, tail: Substring) {
        var statement: OpaquePointer?
        var tailOffset = 0
        let code = sql.withCString { start -> Int32 in
            var tail: UnsafePointer<CChar>?
            // The byte count includes the NUL: SQLite then need not copy the text.
            let code = sqlite3_prepare_v3(handle, start, Int32(sql.utf8.count + 1), 0, &statement, &tail)
            if let tail { tailOffset = min(tail - start, sql.utf8.count) }
            return code
        }
        guard code == SQLITE_OK else { throw error(code: code, sql: sql) }
        let tailStart = sql.utf8.index(sql.utf8.startIndex, offsetBy: tailOffset)
        // The statement keeps its own text (not the whole script) for error messages.
        let text = String(SQLText.trimmingLeadingComments(sql[..<tailStart]))
        return (statement.map { SQLiteStatement(handle: $0, sql: text, database: self) }, sql[tailStart...])
    }

    /// Runs `body` with the cached prepared statement for `sql`, then resets it.
    /// Meant for the fixed SQL of the typed catalog API (the cache is bounded;
    /// see StatementCache). A statement already in use further up the stack is
    /// not shared: a fresh one is prepared for the nested call.
    func withStatement<R>(_ sql: String, _ body: (SQLiteStatement) throws(CatalogError) -> R) throws(CatalogError) -> R {
        let statement: SQLiteStatement
        let cached: Bool
        if let hit = cache.checkOut(sql) {
            (statement, cached) = (hit, true)
        } else if cache.isCheckedOut(sql) {
            (statement, cached) = (try prepare(sql), false)
        } else {
            statement = try prepare(sql)
            cache.reserve(sql)
            cached = true
        }
        defer {
            statement.reset()
            if cached { cache.checkIn(sql, statement) }
        }
        return try body(statement)
    }

    /// Runs each statement of `script` in turn, after `check` has seen it;
    /// rows that statements return are ignored.
    func executeScript(_ script: String, check: (SQLiteStatement) throws(CatalogError) -> Void) throws(CatalogError) {
        var rest = Substring(script)
        while true {
            let (statement, tail) = try prepareFirst(String(rest))
            if let statement {
                try check(statement)
                try statement.run()
            }
            // An empty statement (";;") prepares to nil too, with text after it.
            guard !tail.isEmpty, tail.utf8.count < rest.utf8.count else { return }
            rest = tail
        }
    }

    /// Runs `sql`, which may hold several statements. Rows they return are ignored.
    func execute(_ sql: String) throws(CatalogError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw .sqlite(code: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    /// The first column of the first row of `sql`, as text.
    func scalarText(_ sql: String) throws(CatalogError) -> String {
        let statement = try prepare(sql)
        guard try statement.step() else { throw .sqlite(code: SQLITE_MISUSE, message: "no row returned", sql: sql) }
        return statement.string(0)
    }

    /// How many statements the cache holds (idle or in use).
    var statementCacheCount: Int { cache.count }

    /// Rows changed by the latest INSERT, UPDATE or DELETE.
    var changedRowCount: Int { Int(sqlite3_changes64(handle)) }

    // MARK: Transactions

    /// True inside BEGIN … COMMIT.
    var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` in a write transaction: BEGIN IMMEDIATE takes the write lock
    /// up front (waiting up to the busy timeout for another writer), so the body
    /// never fails half way for want of a lock; COMMIT on return, ROLLBACK when
    /// `body` throws. Transactions do not nest.
    func transaction<R>(_ body: () throws(CatalogError) -> R) throws(CatalogError) -> R {
        precondition(!isInTransaction, "catalog transactions do not nest")
        try execute("BEGIN IMMEDIATE")
        let result: R
        do {
            result = try body()
            try execute("COMMIT")
        } catch {
            // Some errors (SQLITE_FULL, SQLITE_IOERR, …) roll back by themselves.
            if isInTransaction { try? execute("ROLLBACK") }
            throw error
        }
        return result
    }

    // MARK: Errors

    /// The error for a failed call that returned `code` while running `sql`.
    func error(code: Int32, sql: String) -> CatalogError {
        let extended = sqlite3_extended_errcode(handle)
        // errmsg describes the connection's latest error, which is this one unless
        // the failing call does not set it (then the generic text for the code).
        var message = extended & 0xff == code & 0xff
            ? String(cString: sqlite3_errmsg(handle))
            : String(cString: sqlite3_errstr(code))
        if code & 0xff == SQLITE_BUSY {
            let holder = SQLiteBusyWait.lockHolderProcessID(databasePath: path).map { "process \($0)" } ?? "another connection"
            message += " after waiting \(busyWait.waitLimitMs / 1_000) s; \(holder) holds the lock"
        }
        return .sqlite(code: extended & 0xff == code & 0xff ? extended : code, message: message, sql: sql)
    }
}
