// One shard of a stream: an ordered, append-only sequence of records stored as
// segment files. This is the write side; `ShardReader` is the read side.
//
// Invariants:
// - Sequence numbers increase by one per record and never change; the active
//   segment's file name carries the next sequence even when retention has
//   removed every older segment.
// - Arrival times never decrease within a shard (clamped to the last one), so
//   the time index can binary-search.
// - Only the holder of the shard's append lock (flock) writes, truncates, rolls
//   or deletes segments. Before writing, the holder catches up with what other
//   processes wrote since it last held the lock: new frames, a roll, deletions.
// - Opening a shard changes nothing on disk: a process that only reads (`spate
//   cat`, a query) never cuts, rewrites or deletes a file. Tail recovery happens
//   when a writer first takes the append lock, and cuts only a torn tail — bad
//   bytes at the end of the active segment with no valid frame after them. A bad
//   frame followed by valid ones is corruption: an error naming file and offset.
//   Every cut is reported (`LogOptions.onRecovery`, `takeRecoveryEvents`).
// - A segment is sealed once a newer segment exists; it is never written again,
//   and its index is on disk before the newer segment is created.
// - Retention removes the oldest sealed segments from this directory, the hot
//   tier: it deletes them, or, when the stream has an archive, moves them there
//   (`SegmentArchiver`). Its limits count the hot tier only. The active segment
//   is never removed.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Result of one append call on a shard.
public struct ShardAppendResult: Sendable, Equatable {
    public var firstSequence: UInt64
    public var count: Int
    public var arrivalMs: Int64
}

/// An append whose frames are written but whose durability is not yet awaited.
public struct PendingAppend: Sendable {
    public let result: ShardAppendResult
    let generation: UInt64
    let file: LogFile
    let durability: Durability
    /// Segment (first sequence) and byte where the append's first frame starts.
    let startSegment: UInt64
    let startPosition: Int
}

/// The archived segments of a shard, for `describe`: from their index headers.
public struct ArchivedSegmentsDescription: Sendable, Equatable {
    /// The shard's directory in the archive.
    public var path: String
    public var segmentCount: Int
    public var bytes: Int
    public var recordCount: UInt64
    /// Sequence of the oldest archived record (nil: none archived).
    public var earliestSequence: UInt64?
    public var earliestArrivalMs: Int64?
    public var latestArrivalMs: Int64?
    /// Why the archive could not be read, or why the last move failed (nil: fine).
    public var problem: String?
}

/// Summary of a shard, for `describe`. The counts are of the hot tier; the
/// archived segments, when the stream has an archive, are in `archived`.
public struct ShardDescription: Sendable, Equatable {
    public var index: Int
    public var name: String
    public var segmentCount: Int
    public var bytes: Int
    /// Sequence of the oldest record kept.
    public var earliestSequence: UInt64
    /// Sequence the next record will get.
    public var nextSequence: UInt64
    public var earliestArrivalMs: Int64?
    public var latestArrivalMs: Int64?
    /// The archive tier (nil: the stream has no archive).
    public var archived: ArchivedSegmentsDescription?
    public var recordCount: UInt64 { nextSequence - earliestSequence }
}

/// The write side of one shard.
public final class Shard: @unchecked Sendable {
    public let index: Int
    let directory: ShardDirectory
    let streamName: String
    /// The stream's creation time: the owner of its archive directory.
    let streamCreatedMs: Int64
    private let now: @Sendable () -> Int64
    private let mutex = PosixMutex()
    private let appendLock: ShardLock
    private let commit = GroupCommit()
    private let scanBuffer = ScanBuffer()

    // Guarded by `mutex`.
    private var settings: StreamSettings
    /// Guarded by `tiersMutex`, not `mutex`: readers ask for it at the end of
    /// each segment and must not wait for an append in progress.
    private var tiers: SegmentTiers
    private let tiersMutex = PosixMutex()
    // Only ever touched under `mutex`, so the runtime's exclusivity checks are
    // redundant; on `active` they ran once per appended record.
    @exclusivity(unchecked) private var activeFile: LogFile
    @exclusivity(unchecked) private var active: SegmentIndex
    /// Frames of an `AppendBatch` appended here (reused: no allocation per append).
    private let framing = FrameBatch(byteCapacity: 1 << 20)
    private var recoveryEvents: [RecoveryEvent] = []
    private var tornTailsCut = 0
    /// Why the last move to the archive failed (nil: it did not). A failed move
    /// leaves the segment hot and never fails the append that rolled.
    private var archiveError: LogError?
    /// Whether this process removed the temporaries of interrupted copies yet.
    private var archiveTemporariesRemoved = false
    /// Always copy to the archive, never rename (tests: the cross-file-system path).
    var archiveCopyOnly: Bool {
        get { mutex.withLock { copyOnly } }
        set { mutex.withLock { copyOnly = newValue } }
    }
    private var copyOnly = false
    private let onRecovery: (@Sendable (RecoveryEvent) -> Void)?

    /// Opens a shard without touching its files; the first append (under the
    /// append lock) recovers the active segment's tail.
    init(streamName: String, index: Int, path: String, settings: StreamSettings, streamCreatedMs: Int64 = 0,
         now: @escaping @Sendable () -> Int64, onRecovery: (@Sendable (RecoveryEvent) -> Void)? = nil) throws(LogError) {
        self.onRecovery = onRecovery
        self.index = index
        self.streamName = streamName
        self.streamCreatedMs = streamCreatedMs
        self.directory = ShardDirectory(path: path)
        self.settings = settings
        self.tiers = SegmentTiers(hotPath: path, archiveRoot: settings.archiveDirectory, stream: streamName, shard: index)
        self.now = now
        self.appendLock = try ShardLock(path: directory.lockPath)
        let firsts = try directory.segmentFirstSequences()
        let first = firsts.last ?? 0
        self.activeFile = try LogFile.openForWriting(directory.logPath(first), create: firsts.isEmpty)
        self.active = SegmentIndex(firstSequence: first)
    }

    /// Most bytes one write call carries (bounds the write buffer per shard).
    static let writeChunkBytesMax = 8 << 20
    /// Writes at least this long start their writeback at once (LogFile.startWriteback);
    /// a small append is synced right after anyway, one more call would be waste.
    static let writebackBytesMin = 64 << 10

    /// Kinesis-style name of shard `index`: `shardId-000000000000`.
    public static func name(ofIndex index: Int) -> String { ShardDirectory.shardName(index) }

    /// Creates the directory and first segment of a new shard.
    static func create(at path: String) throws(LogError) {
        try FileSystem.makeDirectory(path)
        let directory = ShardDirectory(path: path)
        _ = try LogFile.openForWriting(directory.logPath(0), create: true, exclusive: true)
        _ = try LogFile.openForWriting(directory.lockPath, create: true)
        try FileSystem.syncDirectory(path)
    }

    /// Torn or corrupt tails this shard's recovery cut off, emptied by the call.
    func takeRecoveryEvents() -> [RecoveryEvent] {
        mutex.withLock {
            defer { recoveryEvents.removeAll() }
            return recoveryEvents
        }
    }

    /// Torn tails this process's recovery cut from this shard (a counter for /metrics).
    public var tornTailsCutTotal: Int { mutex.withLock { tornTailsCut } }

    func update(settings: StreamSettings) {
        let tiers = SegmentTiers(hotPath: directory.path, archiveRoot: settings.archiveDirectory, stream: streamName, shard: index)
        mutex.withLock { self.settings = settings }
        tiersMutex.withLock { self.tiers = tiers }
    }

    /// The shard's segments across the hot tier and the archive, under the
    /// current settings (readers ask each time: an ALTER may add an archive).
    var currentTiers: SegmentTiers { tiersMutex.withLock { tiers } }

    /// This process's index of the active segment as of its last append or
    /// catch-up (no lock beyond the in-process mutex; a reader extends it by
    /// scanning what others appended since).
    func activeIndexView() -> SegmentIndex {
        mutex.withLock { active }
    }

    // MARK: Appending

    /// Appends `batch` and returns once it is as durable as the stream's
    /// durability setting promises.
    public func append(_ batch: AppendBatch) throws(LogError) -> ShardAppendResult {
        let pending = try appendWithoutWaiting(batch)
        try waitDurable(pending)
        return pending.result
    }

    /// Writes `batch`'s frames without waiting for durability; call
    /// `waitDurable` before acknowledging. Lets one writer keep several batches
    /// in flight, or route one batch to many shards and wait once.
    public func appendWithoutWaiting(_ batch: AppendBatch) throws(LogError) -> PendingAppend {
        try withAppendLock { () throws(LogError) -> PendingAppend in
            framing.removeAll()
            try framing.append(contentsOf: batch)
            return try appendLocked(framing, startingWriteback: true)
        }
    }

    /// Seals `frames` in place and writes them without waiting for durability
    /// (see `appendWithoutWaiting(_: AppendBatch)`). The frames were built by
    /// the caller, on any thread; here they are only stamped, checksummed and written.
    ///
    /// - Parameter startingWriteback: start the writeback of a large write at
    ///   once (see `writebackBytesMin`), for a caller that will itself wait for
    ///   durability soon. Pass false when another thread waits for durability
    ///   all along (its group-commit fsyncs start the writeback anyway): the
    ///   kernel's writeback throttling can put the writing thread to sleep in
    ///   that call, 35–40 ms of each shard writer's 0.8 s in a `spate put` of
    ///   1 GB of 100 B lines (perf sched, `wbt_wait`), time it could have spent writing.
    public func appendWithoutWaiting(_ frames: FrameBatch, startingWriteback: Bool = true) throws(LogError) -> PendingAppend {
        try withAppendLock { () throws(LogError) -> PendingAppend in try appendLocked(frames, startingWriteback: startingWriteback) }
    }

    /// The append itself. Requires the append lock.
    private func appendLocked(_ frames: FrameBatch, startingWriteback: Bool) throws(LogError) -> PendingAppend {
        try catchUp(repairingTail: true)
        let arrivalMs = max(now(), active.recordCount > 0 ? active.arrivalMsMax : .min)
        let firstSequence = active.nextSequence
        var generation: UInt64 = 0
        var next = 0
        var start = (segment: active.firstSequence, position: active.segmentBytes)
        do throws(LogError) {
            while next < frames.count {
                next = try writeChunk(frames, from: next, firstSequence: firstSequence, arrivalMs: arrivalMs,
                                      startingWriteback: startingWriteback)
                // A roll before the first chunk moves where the append starts.
                if next > 0 && active.firstSequence > start.segment && active.firstSequence <= firstSequence {
                    start = (active.firstSequence, 0)
                }
                if settings.durability == .batch { generation = commit.noteWritten(to: activeFile) }
            }
        } catch {
            // Leave none of the batch behind when it fails part way (an
            // earlier chunk written, a later one not), unless a roll sealed some.
            if next > 0 { _ = try? cutActive(to: start, ifNextSequenceIs: active.nextSequence) }
            throw error
        }
        return PendingAppend(result: ShardAppendResult(firstSequence: firstSequence, count: frames.count, arrivalMs: arrivalMs),
                             generation: generation, file: activeFile, durability: settings.durability,
                             startSegment: start.segment, startPosition: start.position)
    }

    /// Takes back an append that is written but was not acknowledged (a bulk
    /// ingest that failed later, in another shard or batch), so that resuming
    /// the input adds no duplicates. Possible only while it is the last thing
    /// in the active segment: returns false (and changes nothing) when another
    /// writer appended after it or a roll sealed part of it.
    public func retract(_ pending: PendingAppend) throws(LogError) -> Bool {
        try withAppendLock { () throws(LogError) -> Bool in
            try catchUp(repairingTail: true)
            return try cutActive(to: (pending.startSegment, pending.startPosition),
                                 ifNextSequenceIs: pending.result.firstSequence + UInt64(pending.result.count))
        }
    }

    /// Truncates the active segment at `start` when it is the active segment
    /// and its next sequence is `expectedNext`. Requires the append lock.
    /// The index follows the file before the sync, so a sync that fails (the
    /// records are gone from the file, not yet durably) leaves no index of
    /// records past the file's end.
    private func cutActive(to start: (segment: UInt64, position: Int), ifNextSequenceIs expectedNext: UInt64) throws(LogError) -> Bool {
        guard active.firstSequence == start.segment, active.nextSequence == expectedNext else { return false }
        try activeFile.truncate(to: start.position)
        active = SegmentIndex(firstSequence: active.firstSequence)
        try catchUp(repairingTail: false)
        if settings.durability != .none { try activeFile.sync() }
        return true
    }

    /// Seals and writes the frames from `first` on that fit in the active
    /// segment (rolling it first when it is full), with one write call; returns
    /// the index of the first frame not written. A batch larger than a segment
    /// spans segments; a record larger than a segment gets one of its own.
    private func writeChunk(_ frames: FrameBatch, from first: Int, firstSequence: UInt64, arrivalMs: Int64,
                            startingWriteback: Bool) throws(LogError) -> Int {
        if active.recordCount > 0 && shouldRoll(addingBytes: frames.frameBytes(first)) { try roll() }
        let start = active.segmentBytes
        var end = first
        var chunkBytes = 0
        while end < frames.count && (end == first || (start + chunkBytes + frames.frameBytes(end) <= settings.segmentBytesMax
                                                       && chunkBytes + frames.frameBytes(end) <= Self.writeChunkBytesMax)) {
            chunkBytes += frames.frameBytes(end)
            end += 1
        }
        // Remember the scalar state so a failed write can be undone without
        // copying the index (which would copy its entries on every append).
        let saved = (active.nextSequence, active.segmentBytes, active.entries.count, active.arrivalMsMin, active.arrivalMsMax)
        // The shard's invariants (asserted in debug builds and tests): arrival
        // times never go back within a segment; sequences go up by one per record.
        assert(active.recordCount == 0 || arrivalMs >= active.arrivalMsMax,
               "arrival \(arrivalMs) is before the segment's latest \(active.arrivalMsMax)")
        assert(active.nextSequence == firstSequence + UInt64(first), "a chunk starts at the shard's next sequence")
        frames.seal(first..<end, firstSequence: active.nextSequence, arrivalMs: arrivalMs)
        var position = start
        for i in first..<end {
            let length = frames.frameBytes(i)
            active.add(sequence: active.nextSequence, arrivalMs: arrivalMs, position: position, frameLength: length)
            position += length
        }
        let bytes = frames.bytes(first..<end)
        assert(active.nextSequence == saved.0 + UInt64(end - first), "sequence numbers go up by one per record")
        assert(bytes.count == chunkBytes && position - start == chunkBytes, "the frames are the bytes measured for them")
        do throws(LogError) {
            try activeFile.write(bytes, at: start)
            if startingWriteback && settings.durability != .none && bytes.count >= Self.writebackBytesMin {
                activeFile.startWriteback(at: start, count: bytes.count)
            }
        } catch {
            // Leave no partial frames behind a failed write (e.g. a full disk).
            try? activeFile.truncate(to: start)
            (active.nextSequence, active.segmentBytes, active.arrivalMsMin, active.arrivalMsMax) = (saved.0, saved.1, saved.3, saved.4)
            active.entries.removeSubrange(saved.2...)
            throw error
        }
        return end
    }

    /// Returns once `pending` is durable as its stream's durability promises.
    public func waitDurable(_ pending: PendingAppend) throws(LogError) {
        switch pending.durability {
        case .always: try pending.file.sync()
        case .batch: try commit.waitDurable(pending.generation)
        case .none: break
        }
    }

    private func shouldRoll(addingBytes bytes: Int) -> Bool {
        active.segmentBytes + bytes > settings.segmentBytesMax
            || now() - active.arrivalMsMin >= settings.segmentAgeMaxMs
    }

    /// Runs `body` holding the in-process mutex and the cross-process lock.
    func withAppendLock<T>(_ body: () throws(LogError) -> T) throws(LogError) -> T {
        mutex.lock()
        defer { mutex.unlock() }
        try appendLock.lock()
        defer { appendLock.unlock() }
        return try body()
    }

    // MARK: Catching up with other processes, recovery

    /// Brings the in-memory view of the active segment up to date with the disk:
    /// frames other processes appended, a roll they made, a segment retention
    /// deleted. With `repairingTail` (a writer about to write), cuts a torn tail
    /// (only a dead writer leaves one: a live writer holds the lock while it
    /// writes); without, stops before it and changes nothing. Requires the append lock.
    func catchUp(repairingTail: Bool) throws(LogError) {
        while true {
            var st = stat()
            guard fstat(activeFile.fd, &st) == 0 else { throw .io("stat", activeFile.path, errno) }
            if st.st_nlink == 0 {
                try reopenNewestSegment()
                continue
            }
            let size = Int(st.st_size)
            if size < active.segmentBytes { active = SegmentIndex(firstSequence: active.firstSequence) }
            if size != active.segmentBytes {
                // A bad tail left in place (not repairing) is where the view ends.
                if try scanActiveTail(repairing: repairingTail) { return }
            }
            if active.recordCount > 0 && FileSystem.exists(directory.logPath(active.nextSequence)) {
                // Sealed by another process: move on to the segment it created.
                activeFile = try LogFile.openForWriting(directory.logPath(active.nextSequence), create: false)
                active = SegmentIndex(firstSequence: active.nextSequence)
                continue
            }
            return
        }
    }

    /// Extends the view of the active segment to its end; returns true when it
    /// stopped before a bad tail that it left in place.
    private func scanActiveTail(repairing: Bool) throws(LogError) -> Bool {
        let outcome = try SegmentScanner.scan(activeFile, from: active.segmentBytes, expecting: active.nextSequence,
                                              buffer: scanBuffer.raw) { seq, arrival, position, length in
            active.add(sequence: seq, arrivalMs: arrival, position: position, frameLength: length)
        }
        let reason: String
        switch outcome.stop {
        case .endOfFile: return false
        case .incompleteFrame: reason = "torn record"
        case let .invalidFrame(why): reason = why
        }
        if FileSystem.exists(directory.logPath(outcome.nextSequence)) {
            throw .corruptSegment(path: activeFile.path, position: outcome.validEnd, reason: reason)
        }
        if let valid = try SegmentScanner.validFrame(activeFile, after: outcome.validEnd, sequenceAtLeast: outcome.nextSequence,
                                                     buffer: scanBuffer.raw) {
            throw .corruptSegment(path: activeFile.path, position: outcome.validEnd,
                                  reason: "\(reason), and valid records follow (sequence \(valid.sequence) at byte \(valid.position))")
        }
        guard repairing else { return true }
        try activeFile.truncate(to: outcome.validEnd)
        if settings.durability != .none { try activeFile.sync() }
        let event = RecoveryEvent(stream: streamName, shard: index, path: activeFile.path,
                                  validEnd: outcome.validEnd, truncatedBytes: outcome.fileSize - outcome.validEnd, reason: reason)
        recoveryEvents.append(event)
        tornTailsCut += 1
        onRecovery?(event)
        return false
    }

    /// Forgets the view of the active segment and reopens the newest one (after
    /// a repair changed the files). Requires the append lock.
    func reopenAfterRepair() throws(LogError) {
        try reopenNewestSegment()
        try catchUp(repairingTail: false)
    }

    private func reopenNewestSegment() throws(LogError) {
        let firsts = try directory.segmentFirstSequences()
        guard let newest = firsts.last else { throw .streamNotFound(streamName) }
        activeFile = try LogFile.openForWriting(directory.logPath(newest), create: false)
        active = SegmentIndex(firstSequence: newest)
    }

    // MARK: Rolling and retention

    /// Seals the active segment (sync, write its index) and starts a new one.
    private func roll() throws(LogError) {
        let synced = settings.durability != .none
        if synced { try activeFile.sync() }
        try FileSystem.replaceAtomically(directory.indexPath(active.firstSequence), with: active.encoded())
        let next = active.nextSequence
        let newFile = try LogFile.openForWriting(directory.logPath(next), create: true, exclusive: true)
        try FileSystem.syncDirectory(directory.path)
        commit.noteRolled(to: newFile, previousSynced: synced)
        activeFile = newFile
        active = SegmentIndex(firstSequence: next)
        do throws(LogError) {
            _ = try retireExpiredSegments()
        } catch {
            // A full or unmounted archive must not fail the append that rolled:
            // the segments stay hot, and `enforceRetention` and `describe` say why.
            guard settings.archiveDirectory != nil else { throw error }
            archiveError = error
        }
    }

    /// Applies retention now: rolls an active segment past its age limit so that
    /// it can expire, and deletes (or, with an archive, moves there) the sealed
    /// segments that retention no longer keeps. Returns the number of segments
    /// deleted or archived. Throws when a move to the archive fails (the segment
    /// stays hot).
    public func enforceRetention() throws(LogError) -> Int {
        try withAppendLock { () throws(LogError) -> Int in
            try catchUp(repairingTail: true)
            if active.recordCount > 0 && now() - active.arrivalMsMin >= settings.segmentAgeMaxMs {
                let before = try directory.segmentFirstSequences().count
                try roll()
                if let archiveError { throw archiveError }
                return before + 1 - (try directory.segmentFirstSequences().count)
            }
            return try retireExpiredSegments()
        }
    }

    /// Deletes, or moves to the archive, the oldest sealed segments while any
    /// retention limit is exceeded (limits count the hot tier only). A segment
    /// a crash left in both tiers is moved whatever the limits say.
    private func retireExpiredSegments() throws(LogError) -> Int {
        let firsts = try directory.segmentFirstSequences()
        guard firsts.count > 1 else { return 0 }
        let sealed = firsts.dropLast()
        var indexes: [SegmentIndex] = []
        for first in sealed {
            // A damaged sealed segment stops retention there (it deletes only
            // what it can account for) but never the append that rolled:
            // readers and `spate stream check` report the damage.
            guard let index = try? directory.sealedIndex(first, buffer: scanBuffer.raw, writeBack: true) else { break }
            indexes.append(index)
        }
        var totalBytes = Int64(active.segmentBytes) + indexes.reduce(0) { $0 + Int64($1.segmentBytes) }
        var totalRecords = Int64(active.recordCount) + indexes.reduce(0) { $0 + Int64($1.recordCount) }
        let nowMs = now()
        let archiver = SegmentArchiver(tiers: currentTiers, streamCreatedMs: streamCreatedMs, copyOnly: copyOnly)
        var archiveReady = false
        var retired = 0
        do throws(LogError) {
            for segment in indexes {
                let expired = settings.retentionAgeMs.map { segment.arrivalMsMax < nowMs - $0 } ?? false
                let overBytes = settings.retentionBytesPerShard.map { totalBytes > $0 } ?? false
                let overRecords = settings.retentionRecordsPerShard.map { totalRecords > $0 } ?? false
                let inBothTiers = archiver?.tiers.archiveHas(segment.firstSequence) ?? false
                guard expired || overBytes || overRecords || inBothTiers else { break }
                if let archiver {
                    if !archiveReady {
                        try archiver.prepareShardDirectory()
                        if !archiveTemporariesRemoved { archiver.removeTemporaries() }
                        archiveTemporariesRemoved = true
                        archiveReady = true
                    }
                    try archiver.move(segment, buffer: scanBuffer.raw)
                } else {
                    // The log first: a crash in between leaves an orphan index, never a
                    // segment without its index.
                    try FileSystem.remove(directory.logPath(segment.firstSequence))
                    try FileSystem.remove(directory.indexPath(segment.firstSequence))
                }
                totalBytes -= Int64(segment.segmentBytes)
                totalRecords -= Int64(segment.recordCount)
                retired += 1
            }
        } catch {
            // What was removed before the failure is made durable all the same.
            if retired > 0 { try? FileSystem.syncDirectory(directory.path) }
            throw error
        }
        if retired > 0 { try FileSystem.syncDirectory(directory.path) }
        if archiver != nil { archiveError = nil }
        return retired
    }

    // MARK: Describing

    /// Sizes, sequence range and times of the shard as they are now, in the
    /// hot tier and (`archived`) in the archive.
    public func describe() throws(LogError) -> ShardDescription {
        var description = try describeHot()
        let tiers = currentTiers
        let problem = mutex.withLock { archiveError?.description }
        if tiers.hasArchive { description.archived = describeArchive(tiers, lastMoveProblem: problem) }
        return description
    }

    /// The archived segments from their index headers (their logs' sizes and
    /// the next segment's first sequence where an index is missing). Segments a
    /// crash left in both tiers are counted hot.
    private func describeArchive(_ tiers: SegmentTiers, lastMoveProblem: String?) -> ArchivedSegmentsDescription {
        var summary = ArchivedSegmentsDescription(path: tiers.archive!.path, segmentCount: 0, bytes: 0, recordCount: 0, problem: lastMoveProblem)
        let archived: [UInt64], hot: [UInt64]
        do throws(LogError) {
            hot = try tiers.hotFirstSequences()
            archived = try tiers.archivedFirstSequences().filter { !hot.contains($0) }
        } catch {
            summary.problem = error.description
            return summary
        }
        for (i, first) in archived.enumerated() {
            let following = i + 1 < archived.count ? archived[i + 1] : hot.first
            let header = tiers.archive!.indexHeader(first)
            summary.segmentCount += 1
            summary.bytes += FileSystem.fileSize(tiers.archive!.logPath(first)) ?? 0
            if let next = header?.nextSequence ?? following { summary.recordCount += next - min(next, first) }
            if summary.earliestSequence == nil { summary.earliestSequence = first }
            if let header, header.recordCount > 0 {
                summary.earliestArrivalMs = summary.earliestArrivalMs ?? header.arrivalMsMin
                summary.latestArrivalMs = header.arrivalMsMax
            }
        }
        return summary
    }

    /// `describe` of the hot tier only (no look at the archive).
    func describeHot() throws(LogError) -> ShardDescription {
        try withAppendLock { () throws(LogError) -> ShardDescription in
            try catchUp(repairingTail: false)
            let firsts = try directory.segmentFirstSequences()
            var bytes = active.segmentBytes
            var earliestArrival: Int64? = active.recordCount > 0 ? active.arrivalMsMin : nil
            for first in firsts.dropLast() {
                let index = try directory.sealedIndex(first, buffer: scanBuffer.raw)
                bytes += index.segmentBytes
                if index.recordCount > 0 { earliestArrival = min(earliestArrival ?? .max, index.arrivalMsMin) }
            }
            return ShardDescription(
                index: index, name: ShardDirectory.shardName(index), segmentCount: firsts.count, bytes: bytes,
                earliestSequence: firsts.first ?? active.firstSequence, nextSequence: active.nextSequence,
                earliestArrivalMs: earliestArrival, latestArrivalMs: active.recordCount > 0 ? active.arrivalMsMax : lastSealedArrival(firsts))
        }
    }

    private func lastSealedArrival(_ firsts: [UInt64]) -> Int64? {
        guard firsts.count > 1, let index = try? directory.sealedIndex(firsts[firsts.count - 2], buffer: scanBuffer.raw),
              index.recordCount > 0 else { return nil }
        return index.arrivalMsMax
    }
}
