// One pass of a bulk ingest over its input: the reader (the calling thread),
// the framer threads, the sequencer, a writer and a syncer thread per shard
// and the settler of `JSONLinesIngester`'s pipeline, the queues between them,
// and the report they fill. A run is used once.
//
// Why a writer per shard: with records of 1 KiB, copying the frames into the
// page cache (the kernel's side of pwrite) was half of all CPU time, on one
// thread; shards are separate files, so their writes run side by side.
//
// Why a syncer per shard: an fdatasync here takes about a millisecond, and the
// settler used to wait for each shard's in turn, ~0.7 s of a 1 s put of 100 B
// lines. Each shard's syncer waits for its own shard's group commit, so the
// shards' fsyncs overlap, and the settler only collects them in order.
//
// Why buffers do not wait for durability: a chunk goes back to the reader as
// soon as its lines are framed (the frames hold copies), and a batch's frame
// buffers as soon as every shard wrote its part (the page cache holds them);
// what waits for the fsyncs is a `Settling`, a few counts. When chunks went
// back only once durable, the framers waited for them a third of a put of
// 100 B lines (perf sched: ~350 ms of each framer's ~1 s), behind the fsyncs.
//
// Invariants:
// - The sequencer hands batches on in input order (it reorders the framers'
//   chunks by index); each shard writer appends its part of them in that
//   order, each shard syncer waits for them in that order, and the settler
//   settles them in that order; so `lastLineDurable`
//   only moves forward, and everything before it is durable in every shard.
// - After the first failure nothing more is appended; what was written but not
//   settled is taken back, newest first, once every thread has stopped.
// - Every chunk taken from the reader's pool returns to it (through the
//   sequencer), failure or not, so no stage waits forever; every batch
//   returns to the pool through the last shard writer done with it.

import SpateLog
import Synchronization

/// One pass of an ingest: check only (the first pass of `--strict`) or append.
final class IngestRun: @unchecked Sendable {
    /// A batch on its way through the shard writers to durability.
    private final class Settling: @unchecked Sendable {
        /// The frames to write; the last shard writer done with them gives
        /// the batch back to the pool (its frames are in the page cache then),
        /// so a batch's buffers are held only until written, not until durable.
        /// Not read after that: a framer may be filling it again.
        let batch: IngestBatch
        /// Shard writers not yet done with `batch`.
        let writersLeft: Atomic<Int>
        /// What the settler counts, copied from the batch before it goes back:
        /// the last input line it covers, and per shard the records in its part.
        let lastLine: Int
        let recordsPerShard: [Int]
        /// Per shard, the append of its part (nil: nothing to write, or not
        /// written). Each shard writer stores only its own slot, at once with
        /// the others, so this is raw memory, not an Array (whose elements
        /// are not separately writable from several threads).
        let pending: UnsafeMutableBufferPointer<PendingAppend?>
        /// Per shard, whether its part was written and then made durable
        /// (each syncer stores only its own slot, as `pending`; true implies
        /// a pending append).
        let durable: UnsafeMutableBufferPointer<Bool>
        /// One token per shard syncer done with its part.
        let partsDone: BlockingQueue<Void>

        init(batch: IngestBatch, shardCount: Int) {
            self.batch = batch
            writersLeft = Atomic(shardCount)
            lastLine = batch.lastLine
            recordsPerShard = batch.frames.map(\.count)
            pending = .allocate(capacity: shardCount)
            pending.initialize(repeating: nil)
            durable = .allocate(capacity: shardCount)
            durable.initialize(repeating: false)
            partsDone = BlockingQueue(capacity: shardCount)
        }

        deinit {
            pending.deinitialize()
            pending.deallocate()
            durable.deallocate()
        }

        /// Whether every shard's part that has records was written and made durable.
        var isDurable: Bool {
            recordsPerShard.indices.allSatisfy { recordsPerShard[$0] == 0 || durable[$0] }
        }
    }

    /// How many batches one shard's writer may be ahead of another's (the
    /// capacity of each writer's queue: the sequencer waits when a slow
    /// shard's is full). Small, because on a full disk the leading shard's
    /// extra batches are written in vain and taken back; depth for the fsyncs
    /// is behind the writers, in the syncers' queues.
    static let shardLeadBatchesMax = 4

    private let stream: LogStream
    private let options: IngestOptions
    private let checkOnly: Bool
    /// A strict ingest's memo: filled in the check pass, trusted in the append pass.
    private let checkedChunks: CheckedChunks?
    private let toFrame: BlockingQueue<InputChunk>
    private let framed: BlockingQueue<FramedChunk>
    private let toWrite: [BlockingQueue<Settling>]
    private let toSync: [BlockingQueue<Settling>]
    private let toSettle: BlockingQueue<Settling>
    private let freeChunks: BlockingQueue<InputChunk>
    private let freeBatches: BlockingQueue<IngestBatch>
    private let stopped = Atomic<Bool>(false)
    private let report: Mutex<IngestReport>
    /// Written, not settled, after a failure: taken back at the end (settler only, then the caller).
    private var toRetract: [(shard: Int, pending: PendingAppend)] = []

    init(stream: LogStream, options: IngestOptions, checkOnly: Bool, checkedChunks: CheckedChunks? = nil) {
        self.stream = stream
        self.options = options
        self.checkOnly = checkOnly
        self.checkedChunks = checkedChunks
        let chunks = max(2, options.chunksInFlightMax)
        toFrame = BlockingQueue(capacity: chunks)
        framed = BlockingQueue(capacity: chunks)
        toWrite = stream.shards.map { _ in BlockingQueue(capacity: Self.shardLeadBatchesMax) }
        toSync = stream.shards.map { _ in BlockingQueue(capacity: max(1, options.inFlightBatchesMax)) }
        toSettle = BlockingQueue(capacity: max(1, options.inFlightBatchesMax))
        freeChunks = BlockingQueue(capacity: chunks)
        freeBatches = BlockingQueue(capacity: 64)
        report = Mutex(IngestReport(shardCount: stream.shards.count, skipLines: options.skipLines))
    }

    /// Runs the pass over `fd` to its end, its first failure, or until
    /// `shouldStop` says to stop (checked before each chunk and while waiting
    /// for input): then what was read goes on to durability and the report says `interrupted`.
    func run(fd: Int32, progress: ((IngestProgress) -> Void)?, shouldStop: (() -> Bool)? = nil) throws(SpateError) -> IngestReport {
        var framers: [IngestChunkFramer] = []
        for _ in 0..<max(1, options.framerThreads) {
            framers.append(try IngestChunkFramer(options: options, router: stream.router, checkOnly: checkOnly,
                                                 checkedChunks: checkedChunks))
        }
        let framerThreads = framers.map { framer in JoinableThread { [self] in runFramer(framer) } }
        let sequencer = JoinableThread { [self] in runSequencer() }
        let writers = stream.shards.indices.map { shard in JoinableThread { [self] in runShardWriter(shard) } }
        let syncers = stream.shards.indices.map { shard in JoinableThread { [self] in runShardSyncer(shard) } }
        let settler = JoinableThread { [self] in runSettler() }

        let reader = InputChunkReader(fd: fd, skipLines: options.skipLines, shouldStop: shouldStop)
        var chunksMade = 0
        var lastProgressNs = monotonicNs()
        var interrupted = false
        while !stopped.load(ordering: .acquiring) {
            if shouldStop?() == true {
                interrupted = true
                break
            }
            let chunk: InputChunk
            if let free = freeChunks.tryPop() {
                chunk = free
            } else if chunksMade < freeChunks.capacity {
                chunk = InputChunk()
                chunksMade += 1
            } else {
                guard let free = freeChunks.pop() else { break }
                chunk = free
            }
            do throws(SpateError) {
                guard try reader.next(into: chunk) else { break }
            } catch {
                fail(error)
                break
            }
            toFrame.push(chunk)
            if let progress, monotonicNs() - lastProgressNs > 200_000_000 {
                let now = report.withLock { IngestProgress(linesRead: $0.lastLineDurable, bytesRead: reader.bytesRead, appended: $0.appended, rejected: $0.rejected) }
                progress(now)
                lastProgressNs = monotonicNs()
            }
        }
        toFrame.close()
        for thread in framerThreads { thread.join() }
        framed.close()
        sequencer.join()
        for queue in toWrite { queue.close() }
        for thread in writers { thread.join() }
        for queue in toSync { queue.close() }
        for thread in syncers { thread.join() }
        toSettle.close()
        settler.join()

        var result = report.withLock { $0 }
        result.bytesRead = reader.bytesRead
        result.interrupted = interrupted || reader.interrupted
        // Newest first, so each is the last thing in its shards when taken back.
        for (shard, pending) in toRetract.reversed() {
            do {
                if try !stream.shards[shard].retract(pending) { result.recordsNotTakenBack[shard] += pending.result.count }
            } catch {
                result.recordsTakeBackFailed[shard] += pending.result.count
                if result.takeBackFailure == nil { result.takeBackFailure = .log(error) }
            }
        }
        return result
    }

    // MARK: Stages

    private func runFramer(_ framer: IngestChunkFramer) {
        var framer = framer
        while let chunk = toFrame.pop() {
            if stopped.load(ordering: .acquiring) {
                framed.push(FramedChunk(chunk: chunk))
                continue
            }
            framed.push(framer.frame(chunk, newBatch: takeBatch))
        }
    }

    /// Hands batches on to the shard writers and the settler in input order;
    /// notes rejected lines with their absolute numbers.
    private func runSequencer() {
        var waiting: [Int: FramedChunk] = [:]
        var nextIndex = 0
        var linesBefore = options.skipLines
        while let arrived = framed.pop() {
            waiting[arrived.chunk.index] = arrived
            while let chunk = waiting.removeValue(forKey: nextIndex) {
                nextIndex += 1
                checkedChunks?.record(chunk.checked, index: chunk.chunk.index)
                if !stopped.load(ordering: .acquiring) {
                    report.withLock { report in
                        report.rejected += chunk.rejectedCount
                        for var rejection in chunk.rejections where report.rejections.count < options.rejectionsKeptMax {
                            rejection.line += linesBefore
                            report.rejections.append(rejection)
                        }
                    }
                }
                for batch in chunk.batches {
                    batch.lastLine += linesBefore
                    let settling = Settling(batch: batch, shardCount: stream.shards.count)
                    for queue in toWrite { queue.push(settling) }
                    toSettle.push(settling)
                }
                // Its lines are framed (copied into the batches): the reader may refill it.
                freeChunks.push(chunk.chunk)
                linesBefore += chunk.lineCount
            }
        }
    }

    /// Appends shard `shard`'s part of each batch, in order; after a failure, nothing.
    private func runShardWriter(_ shard: Int) {
        while let settling = toWrite[shard].pop() {
            let frames = settling.batch.frames[shard]
            if !frames.isEmpty, !stopped.load(ordering: .acquiring) {
                do throws(LogError) {
                    // This shard's syncer flushes all along: no writeback started here.
                    settling.pending[shard] = try stream.shards[shard].appendWithoutWaiting(frames, startingWriteback: false)
                } catch {
                    fail(.log(error))
                }
            }
            if settling.writersLeft.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { giveBack(settling.batch) }
            toSync[shard].push(settling)
        }
    }

    /// Waits for shard `shard`'s part of each batch to be durable, in order
    /// (the shard's group commit: one fsync covers every part written before
    /// it). Also after another stage failed: a part written before the
    /// failure is kept if it becomes durable (the settler keeps every batch
    /// up to the first that is not wholly durable), as when one settler
    /// waited for them all. A later fsync that succeeds after one that failed
    /// changes nothing: the settler stops keeping at the first failure.
    private func runShardSyncer(_ shard: Int) {
        while let settling = toSync[shard].pop() {
            if let pending = settling.pending[shard] {
                do throws(LogError) {
                    try stream.shards[shard].waitDurable(pending)
                    settling.durable[shard] = true
                } catch {
                    fail(.log(error))
                }
            }
            settling.partsDone.push(())
        }
    }

    /// Collects each batch's durable parts, in order; from the first batch
    /// that is not wholly durable on (a failure, or after one), keeps what was
    /// written to be taken back.
    private func runSettler() {
        var settling = true
        while let item = toSettle.pop() {
            for _ in stream.shards.indices { _ = item.partsDone.pop() }
            let written = item.pending.enumerated().compactMap { shard, p in p.map { (shard: shard, pending: $0) } }
            // A batch with a part not written or not durable (it failed, or came after a failure) is not kept.
            if !item.isDurable { settling = false }
            if settling {
                report.withLock { report in
                    for (shard, records) in item.recordsPerShard.enumerated() {
                        report.appended += records
                        report.appendedPerShard[shard] += records
                    }
                    report.lastLineDurable = item.lastLine
                }
            } else {
                toRetract.append(contentsOf: written)
            }
        }
    }

    // MARK: Helpers

    /// Records the first failure and stops every stage from starting new work.
    private func fail(_ error: SpateError) {
        report.withLock { if $0.failure == nil { $0.failure = error } }
        stopped.store(true, ordering: .releasing)
    }

    private func takeBatch() -> IngestBatch {
        freeBatches.tryPop() ?? IngestBatch(shardCount: stream.shards.count)
    }

    private func giveBack(_ batch: IngestBatch) {
        batch.removeAll()
        _ = freeBatches.tryPush(batch)
    }
}
