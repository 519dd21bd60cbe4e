// The work of one ingest thread on one chunk of input: split it into lines,
// check each (`IngestLineChecker`), route it to a shard by its partition key
// (`PartitionRouteCache`: exactly Kinesis' MD5 routing, memoized), and frame it
// into that shard's `FrameBatch`. This is most of an ingest's CPU time, and
// chunks are independent, so several framers run at once; the writer appends
// their batches in input order.
//
// A chunk yields one or more `IngestBatch`es of at most `batchRecordsMax`
// records; a batch is the unit of an append and of durability ("every line up
// to L is durable"), so its last line is recorded. Line numbers here are
// relative to the chunk (1-based); the writer, which sees chunks in order,
// makes them absolute.
//
// In a strict ingest the framer also keeps `CheckedChunks`: the check pass
// fingerprints each chunk and notes whether the quick key look agreed with the
// full scan on every line; the append pass then frames a chunk it finds
// unchanged without checking its lines again.

import SpateLog

#if canImport(Glibc)
import Glibc
#endif

/// One append's worth of framed records, per shard.
final class IngestBatch: @unchecked Sendable {
    /// Frames for shard `i` at index `i`.
    let frames: [FrameBatch]
    /// The last input line this batch covers (records, blank and rejected lines).
    var lastLine = 0

    init(shardCount: Int) {
        // Room for a whole chunk of ~100 B lines in one shard, so that a batch
        // seldom grows: growing from 256 KiB copied the frames twice and
        // touched 768 KiB of buffers that were then freed (4 % of `spate put`
        // of 100 B lines went to page faults, perf). Pages never written are
        // never resident, so the room costs address space, not memory.
        frames = (0..<shardCount).map { _ in FrameBatch(byteCapacity: InputChunk.bytesTarget * 3 / 2) }
    }

    func removeAll() {
        for batch in frames { batch.removeAll() }
        lastLine = 0
    }
}

/// What a framer made of one chunk.
struct FramedChunk: @unchecked Sendable {
    var chunk: InputChunk
    /// Lines in the chunk, blank ones included.
    var lineCount = 0
    var batches: [IngestBatch] = []
    /// Rejected lines (chunk-relative numbers) with why, the first `rejectionsKeptMax`.
    var rejections: [IngestRejection] = []
    var rejectedCount = 0
    /// What the check pass of a strict ingest learned about the chunk.
    var checked: CheckedChunk?
}

/// Frames chunks of input for a stream's shards; one per thread.
struct IngestChunkFramer {
    private let checker: IngestLineChecker
    private var routes: PartitionRouteCache
    private let usesKey: Bool
    private let checkOnly: Bool
    private let batchRecordsMax: Int
    private let rejectionsKeptMax: Int
    /// A strict ingest's memo: filled by the check pass, trusted by the append pass.
    private let checkedChunks: CheckedChunks?

    /// - Parameters:
    ///   - checkOnly: check lines without framing them (the first pass of `--strict`).
    ///   - checkedChunks: a strict ingest's memo of checked chunks (see `CheckedChunks`).
    init(options: IngestOptions, router: PartitionRouter, checkOnly: Bool, checkedChunks: CheckedChunks?) throws(SpateError) {
        checker = try IngestLineChecker(keyField: options.keyField, keyFieldIsDeclared: options.keyFieldIsDeclared)
        routes = PartitionRouteCache(router: router)
        usesKey = options.keyField != nil
        self.checkOnly = checkOnly
        self.checkedChunks = checkedChunks
        batchRecordsMax = options.batchRecordsMax
        rejectionsKeptMax = options.rejectionsKeptMax
    }

    /// Frames `chunk` into batches taken from `newBatch`.
    mutating func frame(_ chunk: InputChunk, newBatch: () -> IngestBatch) -> FramedChunk {
        var result = FramedChunk(chunk: chunk)
        let shardCount = routes.router.shardCount
        let checker = checker
        var batch: IngestBatch? = nil
        // The current batch's frames, unretained (`batch` holds them): per line,
        // retaining and releasing the batch and a shard's frames was 5 % of
        // `spate put` of 100 B lines (perf).
        var frames: [Unmanaged<FrameBatch>] = []
        var batchRecords = 0
        // Records without a key alternate over the shards, from a shard that moves with the chunk.
        var roundRobin = chunk.index % shardCount
        let bytes = chunk.bytes
        // The check pass: does the quick key look agree with the full scan on every line?
        var quickKeysAgree = checkOnly && checkedChunks != nil && usesKey
        // The append pass: a chunk the check pass saw, unchanged, is not checked again.
        var trusted = false, trustedQuickKeys = false
        if !checkOnly, let checked = checkedChunks?.checked(chunk.index), checked.fingerprint == ChunkFingerprint(bytes) {
            trusted = true
            trustedQuickKeys = checked.quickKeysAgree
        }
        var start = 0
        var lineNumber = 0
        while start < bytes.count {
            let end = memchr(bytes.baseAddress! + start, 0x0A, bytes.count - start)
                .map { $0 - UnsafeMutableRawPointer(mutating: bytes.baseAddress!) } ?? bytes.count
            var line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            start = end + 1
            lineNumber += 1
            if line.last == 0x0D { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            var key = UnsafeRawBufferPointer(start: nil, count: 0)
            if trusted && !usesKey {
                // A good record: the check pass rejected no line of this chunk.
            } else if trusted && trustedQuickKeys, let quick = checker.quickKey(line) {
                key = quick
            } else {
                if let reason = checker.reject(line) {
                    note(&result, IngestRejection(line: lineNumber, reason: reason))
                    continue
                }
                key = checker.key
                if quickKeysAgree { quickKeysAgree = checker.sameKey(checker.quickKey(line)) }
            }
            if checkOnly { continue }
            if batch == nil {
                let started = newBatch()
                batch = started
                frames = started.frames.map { Unmanaged.passUnretained($0) }
            }
            let shard: Int
            if usesKey {
                shard = routes.shard(forKey: key)
            } else {
                shard = roundRobin
                roundRobin = roundRobin + 1 == shardCount ? 0 : roundRobin + 1
            }
            let failure = frames[shard]._withUnsafeGuaranteedRef { shardFrames -> LogError? in
                do throws(LogError) {
                    try shardFrames.append(key: key, payload: line)
                    return nil
                } catch {
                    return error
                }
            }
            if let failure {
                note(&result, IngestRejection(line: lineNumber, reason: failure.description))
                continue
            }
            batchRecords += 1
            if batchRecords == batchRecordsMax, let full = batch {
                full.lastLine = lineNumber
                result.batches.append(full)
                batch = nil
                frames = []
                batchRecords = 0
            }
        }
        result.lineCount = lineNumber
        if checkOnly && checkedChunks != nil && bytes.count <= lineNumber * CheckedChunks.lineBytesMeanMax {
            result.checked = CheckedChunk(fingerprint: ChunkFingerprint(bytes), quickKeysAgree: quickKeysAgree)
        }
        if let batch {
            result.batches.append(batch)
        }
        // The last batch covers the chunk's trailing blank and rejected lines too.
        if !checkOnly {
            if result.batches.isEmpty { result.batches.append(newBatch()) }
            result.batches[result.batches.count - 1].lastLine = lineNumber
        }
        return result
    }

    private func note(_ result: inout FramedChunk, _ rejection: IngestRejection) {
        result.rejectedCount += 1
        if result.rejections.count < rejectionsKeptMax { result.rejections.append(rejection) }
    }
}
