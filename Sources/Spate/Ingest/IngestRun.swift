// One pass of a bulk ingest over its input: the reader (the calling thread),
// the framer threads, the writer thread and the settler thread of
// `JSONLinesIngester`'s pipeline, the queues between them, and the report they
// fill. A run is used once.
//
// Invariants:
// - The writer appends batches in input order (it reorders the framers'
//   chunks by index), and the settler settles them in that order; so
//   `lastLineDurable` only moves forward, and everything before it is durable.
// - After the first failure nothing more is appended; what was written but not
//   settled is taken back, newest first, once every thread has stopped.
// - Every chunk taken from the reader's pool returns to it (through the
//   settler), failure or not, so no stage waits forever.

import SpateLog
import Synchronization

/// One pass of an ingest: check only (the first pass of `--strict`) or append.
final class IngestRun: @unchecked Sendable {
    /// An appended batch on its way to durability, or a chunk's end.
    private struct Settling {
        var batch: IngestBatch?
        var pending: PendingStreamAppend?
        /// The chunk to give back to the reader once this is settled (on a chunk's last batch).
        var chunk: InputChunk?
    }

    private let stream: LogStream
    private let options: IngestOptions
    private let checkOnly: Bool
    private let toFrame: BlockingQueue<InputChunk>
    private let framed: BlockingQueue<FramedChunk>
    private let toSettle: BlockingQueue<Settling>
    private let freeChunks: BlockingQueue<InputChunk>
    private let freeBatches: BlockingQueue<IngestBatch>
    private let stopped = Atomic<Bool>(false)
    private let report: Mutex<IngestReport>
    /// Written, not settled, after a failure: taken back at the end (settler only, then the caller).
    private var toRetract: [PendingStreamAppend] = []

    init(stream: LogStream, options: IngestOptions, checkOnly: Bool) {
        self.stream = stream
        self.options = options
        self.checkOnly = checkOnly
        let chunks = max(2, options.chunksInFlightMax)
        toFrame = BlockingQueue(capacity: chunks)
        framed = BlockingQueue(capacity: chunks)
        toSettle = BlockingQueue(capacity: max(1, options.inFlightBatchesMax))
        freeChunks = BlockingQueue(capacity: chunks)
        freeBatches = BlockingQueue(capacity: 64)
        var initial = IngestReport()
        initial.appendedPerShard = Array(repeating: 0, count: stream.shards.count)
        initial.recordsNotTakenBack = initial.appendedPerShard
        initial.lastLineDurable = options.skipLines
        report = Mutex(initial)
    }

    /// Runs the pass over `fd` to its end or its first failure.
    func run(fd: Int32, progress: ((IngestProgress) -> Void)?) throws(SpateError) -> IngestReport {
        var framers: [IngestChunkFramer] = []
        for _ in 0..<max(1, options.framerThreads) {
            framers.append(try IngestChunkFramer(options: options, router: stream.router, checkOnly: checkOnly))
        }
        let framerThreads = framers.map { framer in JoinableThread { [self] in runFramer(framer) } }
        let writer = JoinableThread { [self] in runWriter() }
        let settler = JoinableThread { [self] in runSettler() }

        let reader = InputChunkReader(fd: fd, skipLines: options.skipLines)
        var chunksMade = 0
        var lastProgressNs = monotonicNs()
        while !stopped.load(ordering: .acquiring) {
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
        writer.join()
        toSettle.close()
        settler.join()

        var result = report.withLock { $0 }
        result.bytesRead = reader.bytesRead
        // Newest first, so each is the last thing in its shards when taken back.
        for pending in toRetract.reversed() {
            for (shard, n) in stream.retract(pending).enumerated() { result.recordsNotTakenBack[shard] += n }
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

    /// Appends chunks in input order; chunks after a failure only pass through.
    private func runWriter() {
        var waiting: [Int: FramedChunk] = [:]
        var nextIndex = 0
        var linesBefore = options.skipLines
        while let arrived = framed.pop() {
            waiting[arrived.chunk.index] = arrived
            while let chunk = waiting.removeValue(forKey: nextIndex) {
                nextIndex += 1
                if !stopped.load(ordering: .acquiring) {
                    report.withLock { report in
                        report.rejected += chunk.rejectedCount
                        for var rejection in chunk.rejections where report.rejections.count < options.rejectionsKeptMax {
                            rejection.line += linesBefore
                            report.rejections.append(rejection)
                        }
                    }
                }
                for (i, batch) in chunk.batches.enumerated() {
                    batch.lastLine += linesBefore
                    var settling = Settling(batch: batch, chunk: i == chunk.batches.count - 1 ? chunk.chunk : nil)
                    if !stopped.load(ordering: .acquiring) {
                        do throws(LogError) {
                            settling.pending = try stream.appendWithoutWaiting(routed: batch.frames)
                        } catch {
                            fail(.log(error))
                        }
                    }
                    toSettle.push(settling)
                }
                if chunk.batches.isEmpty { toSettle.push(Settling(chunk: chunk.chunk)) }
                linesBefore += chunk.lineCount
            }
        }
    }

    /// Waits for each batch's durability, in order; after a failure, keeps the
    /// rest to be taken back.
    private func runSettler() {
        var settling = true
        while let item = toSettle.pop() {
            if let pending = item.pending, let batch = item.batch {
                if settling {
                    do throws(LogError) {
                        _ = try stream.waitDurable(pending)
                        report.withLock { report in
                            report.appended += batch.records
                            for (shard, frames) in batch.frames.enumerated() { report.appendedPerShard[shard] += frames.count }
                            report.lastLineDurable = batch.lastLine
                        }
                    } catch {
                        settling = false
                        fail(.log(error))
                        toRetract.append(pending)
                    }
                } else {
                    toRetract.append(pending)
                }
            }
            if let batch = item.batch { giveBack(batch) }
            if let chunk = item.chunk { freeChunks.push(chunk) }
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
