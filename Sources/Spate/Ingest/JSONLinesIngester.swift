// Bulk ingest of JSON lines (`spate put`): one JSON object a line becomes one
// record, stored byte for byte as given (without its line ending). The partition
// key is the value of one top-level field, found by the byte-level JSON scanner:
// the one given (`--key`), else the stream's declared key column
// (`Database.jsonLinesIngester`); only a stream with neither spreads records
// round-robin over the shards.
//
// A line that is not a JSON object, lacks the key field, has a key that is not a
// string or number, or is over the 1 MiB record limit is rejected with its line
// number and skipped. In strict mode the whole input is checked first and
// nothing is written if any line is bad (one extra read of the input; the
// append pass does not check again the chunks it finds unchanged, see
// `CheckedChunks`).
//
// Threads (a pipeline; every queue between stages is bounded):
//
//   caller: InputChunkReader ──chunks of ~1 MiB of whole lines──▶ framers (one
//   per core: check, route, frame — most of the CPU) ──▶ sequencer (puts the
//   chunks' batches back in input order) ──▶ a writer per shard (seals and
//   writes its part of each batch, `Shard.appendWithoutWaiting`) ──▶ a syncer
//   per shard (waits for the shard's group-commit fsync) ──▶ settler (counts
//   each batch durable once all its parts are, in order)
//
// so reading, checking, framing, writing and fsync overlap and use every core.
// Memory is bounded by `chunksInFlightMax` chunks (a chunk's buffer returns to
// the reader once its lines are framed) and the frames of the batches not yet
// written (a few per shard: the writers' queues are short); a batch written
// and not yet durable holds only its counts (`inFlightBatchesMax`).
//
// Partial failure (a full disk, a write or fsync error): batches hold
// consecutive input lines and are settled (known durable) in input order, so
// "every line up to L is durable in all shards" is well-defined: L is the last
// line of the last settled batch. The batch that failed and the ones written
// after it are taken back from the shards they reached (`LogStream.retract`),
// newest first, so that `--skip-lines L` (`IngestOptions.skipLines`) resumes
// without duplicates; the report says per shard what was kept and what, if
// anything, could not be taken back (another writer appended after it).

import SpateJSON
import SpateLog
import Synchronization

/// How to ingest.
public struct IngestOptions: Sendable {
    /// Top-level field whose value is the partition key (nil: round-robin).
    public var keyField: String?
    /// True when `keyField` is the stream's declared key, not one given (for the message of a line without it).
    public var keyFieldIsDeclared = false
    /// Check every line before writing any.
    public var strict = false
    /// Records per append call (at most `FrameBatch.recordsMax`).
    public var batchRecordsMax = 8192
    /// Batches written and not yet known durable (their counts only: a
    /// batch's buffers go back to the pool once written). The group commit's
    /// depth: a batch of 100 B lines is written in well under a millisecond,
    /// an fdatasync takes one or more.
    public var inFlightBatchesMax = 64
    /// Threads that check and frame lines (default: one per core, at most 8).
    public var framerThreads = min(8, Session.coreCount)
    /// Chunks of input (about 1 MiB each) read and not yet framed: bounds
    /// memory, and keeps the framers fed while the reader waits for the disk.
    /// 16 were needed while a chunk waited for its fsync too; now 8 put as
    /// fast (100 B and 1 KiB lines, alternated runs) in 76 MiB, not 119.
    public var chunksInFlightMax = 8
    /// Rejections kept with their line number and reason (all are counted).
    public var rejectionsKeptMax = 1000
    /// Input lines to skip unread (a resume after a partial failure).
    public var skipLines = 0

    public init(keyField: String? = nil, strict: Bool = false) {
        self.keyField = keyField
        self.strict = strict
    }
}

/// A line that was not ingested.
public struct IngestRejection: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var reason: String
    public var description: String { "line \(line): \(reason)" }
}

/// What an ingest did.
public struct IngestReport: Sendable {
    public var appended = 0
    public var rejected = 0
    /// The first `rejectionsKeptMax` rejections.
    public var rejections: [IngestRejection] = []
    public var bytesRead = 0
    /// True when strict mode found bad lines and wrote nothing.
    public var abortedByStrictMode = false
    /// Records appended and durable, per shard.
    public var appendedPerShard: [Int] = []
    /// Every input line up to this one is durable in all shards (or was
    /// rejected, or skipped); resume with `skipLines` set to it.
    public var lastLineDurable = 0
    /// Why the ingest stopped before the end of its input (nil: it did not).
    public var failure: SpateError?
    /// Per shard, records after `lastLineDurable` that were written but could
    /// not be taken back (a resume would repeat them); zeros normally.
    public var recordsNotTakenBack: [Int] = []
    /// Per shard, records after `lastLineDurable` whose take-back failed
    /// (`takeBackFailure`): they may stay written, or come back after a crash.
    public var recordsTakeBackFailed: [Int] = []
    /// Why taking back records failed (a failing disk: the truncate or its
    /// fsync); nil when every take-back succeeded or was not possible.
    public var takeBackFailure: SpateError?
    /// The ingest was asked to stop (`shouldStop`, Ctrl-C) before the end of
    /// its input: the whole lines read by then were ingested (durable up to
    /// `lastLineDurable`), and nothing after them.
    public var interrupted = false

    /// A report of nothing done yet, over `shardCount` shards, resuming after line `skipLines`.
    init(shardCount: Int, skipLines: Int) {
        appendedPerShard = Array(repeating: 0, count: shardCount)
        recordsNotTakenBack = appendedPerShard
        recordsTakeBackFailed = appendedPerShard
        lastLineDurable = skipLines
    }
}

/// Progress of a running ingest, for a progress line.
public struct IngestProgress: Sendable {
    public var linesRead: Int
    public var bytesRead: Int
    public var appended: Int
    public var rejected: Int
}

/// Reads JSON lines from a file descriptor into a stream.
public final class JSONLinesIngester {
    private let stream: LogStream
    private let options: IngestOptions

    public init(stream: LogStream, options: IngestOptions) throws(SpateError) {
        guard options.batchRecordsMax >= 1 && options.batchRecordsMax <= FrameBatch.recordsMax else {
            throw .invalidArgument("batchRecordsMax must be between 1 and \(FrameBatch.recordsMax)")
        }
        // A bad key field is refused here, before any input is read.
        _ = try IngestLineChecker(keyField: options.keyField, keyFieldIsDeclared: options.keyFieldIsDeclared)
        self.stream = stream
        self.options = options
    }

    /// Ingests everything readable from `fd`, or until `shouldStop` returns
    /// true (asked before each ~1 MiB of input, and every 100 ms while waiting
    /// for a pipe): then the whole lines read so far are ingested and the
    /// report says `interrupted`. In strict mode a stop during the check writes nothing.
    public func ingest(fd: Int32, progress: ((IngestProgress) -> Void)? = nil,
                       shouldStop: (() -> Bool)? = nil) throws(SpateError) -> IngestReport {
        if options.strict {
            let input = try SeekableInput(fd: fd, shouldStop: shouldStop)
            if input.interrupted {
                var stopped = IngestReport(shardCount: stream.shards.count, skipLines: options.skipLines)
                stopped.interrupted = true
                return stopped
            }
            let checked = CheckedChunks()
            var check = try IngestRun(stream: stream, options: options, checkOnly: true, checkedChunks: checked)
                .run(fd: input.fd, progress: nil, shouldStop: shouldStop)
            if check.rejected > 0 || check.interrupted {
                check.abortedByStrictMode = check.rejected > 0
                return check
            }
            try input.rewind()
            return try IngestRun(stream: stream, options: options, checkOnly: false, checkedChunks: checked)
                .run(fd: input.fd, progress: progress, shouldStop: shouldStop)
        }
        return try IngestRun(stream: stream, options: options, checkOnly: false).run(fd: fd, progress: progress, shouldStop: shouldStop)
    }
}
