// Log entries made in this process, held in memory until a flush writes them
// into `job_log` in one transaction (Catalog.flushJobLog: the job runner's
// supervisor every scan, the metrics service every second, and both when they
// stop). Adding is an array append under a mutex — the job thread never waits
// for SQLite to log; jobs log per checkpoint interval at most, never per record.
//
// Limit: `entriesMax` pending entries. Beyond it an entry is dropped and
// counted; the next flush writes one warning that says how many (a catalog
// that cannot be written must not grow memory without bound).

import Synchronization

/// Pending job log entries of one catalog.
public final class JobLogBuffer: Sendable {
    /// Most entries held before new ones are dropped.
    public static let entriesMax = 10_000

    private let pending = Mutex<[JobLogEntry]>([])
    private let droppedCount = Atomic<Int>(0)

    public init() {}

    /// Entries dropped since the last `takeDropped()`.
    public var dropped: Int { droppedCount.load(ordering: .relaxed) }

    /// Holds `entry` until the next flush, or drops it when `entriesMax` are held.
    public func add(_ entry: JobLogEntry) {
        let kept = pending.withLock { entries -> Bool in
            guard entries.count < Self.entriesMax else { return false }
            entries.append(entry)
            return true
        }
        if !kept { droppedCount.add(1, ordering: .relaxed) }
    }

    /// Puts back entries a failed flush took, ahead of newer ones, within the limit.
    func putBack(_ entries: [JobLogEntry]) {
        pending.withLock { held in
            let room = max(0, Self.entriesMax - held.count)
            let kept = entries.suffix(room)
            if kept.count < entries.count { droppedCount.add(entries.count - kept.count, ordering: .relaxed) }
            held.insert(contentsOf: kept, at: 0)
        }
    }

    /// Takes everything held, oldest first.
    func take() -> [JobLogEntry] {
        pending.withLock { entries in
            defer { entries.removeAll(keepingCapacity: true) }
            return entries
        }
    }

    /// How many were dropped since the last call; resets the count.
    func takeDropped() -> Int {
        droppedCount.exchange(0, ordering: .relaxed)
    }
}
