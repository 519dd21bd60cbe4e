// WAL checkpoints on a thread of their own. In WAL mode a commit appends
// pages to catalog.sqlite-wal, and a checkpoint copies them back into the
// database file (reads the WAL, writes the file, fsyncs both) so the WAL
// can start over. SQLite's autocheckpoint runs it inside the commit that
// takes the WAL past 1,000 pages: that commit, whichever it is, waits for
// megabytes of copying and two fsyncs. Here the commit only reports the
// WAL's size (sqlite3_wal_hook, SQLiteDatabase.checkpointWAL) and this
// thread checkpoints on a connection of its own, PASSIVE: it copies what no
// reader still needs and never blocks a writer or a reader.
//
// Measured (`spate-bench jobs`): with 16 KiB pages (SQLiteDatabase says
// why) the checkpoint inside a commit copied a 16 MiB WAL at once, and the
// slowest alert ("alert latency": append acknowledged → alert committed at
// 10,000 events/s) took 9–11 ms; here 3.3–5.9 ms (4 KiB pages and the
// commit's own checkpoint: 2.6–6.0 ms). A job's thread no longer waits for
// the checkpoint's fsyncs while its workers wait for it: with parallelism 2
// over 20 M records it spent 0.15–0.21 s instead of 0.25–0.28 s.
//
// Bounds: once the WAL holds `bytesPerCheckpoint`, a commit asks for a
// checkpoint, and again after each `bytesPerPass` more until the WAL starts
// over, so the thread follows a steady writer closely and the WAL starts
// over at the first commit after a checkpoint that left nothing behind.
// (Asked every `bytesPerCheckpoint` only, a steady writer always had frames
// newer than the last checkpoint, and the WAL grew until the writer
// paused.) If it reaches `bytesInline` (the thread is behind or cannot open
// its connection), the committing connection checkpoints itself as SQLite
// would. Other processes with the catalog open checkpoint too; two
// checkpoints at once are safe (one finds the other's lock and returns).
//
// Invariant: the thread never outlives `stop()`, which the Catalog calls
// before it closes its connections.

import CSQLite
import Dispatch
import SpateLog
import Synchronization

final class WALCheckpointer: Sendable {
    /// WAL bytes after which a commit asks the thread for a checkpoint:
    /// SQLite's default autocheckpoint with its default 4 KiB pages.
    static let bytesPerCheckpoint = 4 << 20
    /// WAL bytes committed since the last request after which a WAL that
    /// has not started over asks again. A pass costs two fsyncs: asking at
    /// every commit, a writer of small commits whose next commit began
    /// before the pass ended (so the WAL could not start over) caused one
    /// pass per commit. (Alert latency measured the same either way.)
    static let bytesPerPass = 1 << 20
    /// WAL bytes at which the committing connection checkpoints itself.
    static let bytesInline = 64 << 20

    /// What a commit should do about the WAL.
    enum Decision: Equatable { case nothing, asked, now }

    private struct State {
        /// A checkpoint is asked for and the thread has not begun it.
        var requested = false
        /// The WAL's pages when a checkpoint was last asked for (0: none since it started over).
        var pagesAtRequest = 0
        var threadStarted = false
        var stopping = false
        /// Checkpoints the thread ran, and the WAL's pages at the last commit (for tests).
        var completed = 0
        var lastWALPages = 0
    }

    private let path: String
    private let durability: CatalogDurability
    private let busyTimeoutMs: Int32
    private let pageSize: Int
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)

    /// A checkpointer for the catalog at `path`, whose pages are `pageSize` bytes.
    init(path: String, durability: CatalogDurability, busyTimeoutMs: Int32, pageSize: Int) {
        self.path = path
        self.durability = durability
        self.busyTimeoutMs = busyTimeoutMs
        self.pageSize = max(512, pageSize)
    }

    /// Called by SQLite after each commit with the WAL's size in pages (on
    /// the committing thread, inside the commit: only bookkeeping here).
    func committed(walPages: Int) -> Decision {
        let bytes = walPages * pageSize
        if bytes >= Self.bytesInline { return .now }
        enum Ask { case no, startingThread, waking }
        let ask: Ask = state.withLock { state in
            state.lastWALPages = walPages
            if walPages < state.pagesAtRequest { state.pagesAtRequest = 0 }  // the WAL started over
            guard !state.stopping, !state.requested, bytes >= Self.bytesPerCheckpoint,
                  (walPages - state.pagesAtRequest) * pageSize >= Self.bytesPerPass else { return .no }
            state.requested = true
            state.pagesAtRequest = walPages
            if state.threadStarted { return .waking }
            state.threadStarted = true
            return .startingThread
        }
        switch ask {
        case .no: return .nothing
        case .startingThread: BackgroundThread.start { [self] in run() }
        case .waking: wake.signal()
        }
        return .asked
    }

    /// Stops the thread (after the checkpoint it is running, if any).
    func stop() {
        let started: Bool = state.withLock { state in
            state.stopping = true
            return state.threadStarted
        }
        guard started else { return }
        wake.signal()
        exited.wait()
    }

    /// Checkpoints the thread has run.
    var completedCheckpoints: Int { state.withLock { $0.completed } }
    /// The WAL's size in pages after the latest commit.
    var lastWALPages: Int { state.withLock { $0.lastWALPages } }

    /// Checkpoints until every frame of the WAL is in the database file, so
    /// that the next commit starts the WAL over: a pass copies the frames
    /// committed before it began, and commits go on meanwhile. Stops when a
    /// pass copies nothing new (a reader still needs the rest; the next
    /// request tries again).
    private static func catchUp(_ connection: SQLiteDatabase) {
        var copiedBefore: Int32 = -1
        for _ in 0..<passesMax {
            var frames: Int32 = 0, copied: Int32 = 0
            let code = sqlite3_wal_checkpoint_v2(connection.handle, nil, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied)
            guard code == SQLITE_OK, copied < frames, copied != copiedBefore else { return }
            copiedBefore = copied
        }
    }

    /// Passes of `catchUp` per request at most.
    private static let passesMax = 8

    private func run() {
        defer { exited.signal() }
        var connection: SQLiteDatabase?
        while true {
            let due: Bool = state.withLock { state in
                defer { state.requested = false }
                return state.requested
            }
            if due {
                // Opened on first use; a failure leaves the checkpoints to the commits (bytesInline).
                if connection == nil { connection = try? SQLiteDatabase(path: path, durability: durability, busyTimeoutMs: busyTimeoutMs) }
                if let connection { Self.catchUp(connection) }
                state.withLock { $0.completed += 1 }
            }
            if state.withLock({ $0.stopping }) { return }
            if !due { wake.wait() }
        }
    }
}
