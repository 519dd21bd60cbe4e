// Group commit for one shard in one process. An append writes its frames, then
// waits here until an fsync that began after its write has finished. The first
// waiter to find no fsync running becomes the leader and syncs for everyone who
// wrote before it started; the others wait for that fsync or the next. So N
// concurrent appenders share about one fsync, and nobody is acknowledged before
// the fsync that covers them.
//
// Generations count writes in this process: `written` is the latest, `durable`
// the latest known synced. A roll syncs the old segment before switching files,
// so syncing the current file always covers every earlier generation.

final class GroupCommit: @unchecked Sendable {
    private let mutex = PosixMutex()
    private let condition = PosixCondition()
    private var written: UInt64 = 0
    private var durable: UInt64 = 0
    private var syncing = false
    private var file: LogFile?

    /// Records a write to `file`; returns its generation.
    func noteWritten(to file: LogFile) -> UInt64 {
        mutex.withLock {
            written += 1
            self.file = file
            return written
        }
    }

    /// The active segment changed; everything written so far is durable when the
    /// old segment was synced.
    func noteRolled(to file: LogFile, previousSynced: Bool) {
        mutex.withLock {
            if previousSynced { durable = max(durable, written) }
            self.file = file
        }
    }

    /// Returns once generation `generation` is durable.
    func waitDurable(_ generation: UInt64) throws(LogError) {
        mutex.lock()
        defer { mutex.unlock() }
        while durable < generation {
            if syncing {
                condition.wait(mutex)
                continue
            }
            syncing = true
            let target = written
            let syncFile = file!
            mutex.unlock()
            var failure: LogError?
            do throws(LogError) { try syncFile.sync() } catch { failure = error }
            mutex.lock()
            syncing = false
            if failure == nil { durable = max(durable, target) }
            condition.broadcast()
            if let failure { throw failure }
        }
    }
}
