// Where a running job's rows go, between checkpoints. Alerts and results are
// held until the checkpoint that commits them with the input offsets (so each
// is recorded exactly once). Rows for an output stream are appended right away
// (low latency); the checkpoint records the output position reached, and a job
// resuming after a crash skips the rows it had already appended past its last
// checkpoint — it recomputes the same rows in the same order, so they are
// recognized by position. The job must be its output stream's only writer.
// Rows for a file sink go to its FileSinkWriter, whose files the checkpoint
// seals and records (FileSinkWriter.swift says how that is exactly once).

import SpateCatalog
import SpateLog
import SpateSQL

final class JobOutput {
    let job: String
    let kind: JobOutputKind
    let columnNames: [String]
    /// The column names quoted once, for each row's JSON.
    private let members: JSONText.Members
    let nowMs: @Sendable () -> Int64
    private(set) var pendingAlerts: [NewAlert] = []
    /// Result pages held for the next checkpoint: a new one is begun when the
    /// last is full (ResultPage.bytesMax); the first keeps its buffer.
    private(set) var pendingResults = [ResultPage()]
    private(set) var recordsOut: Int64

    // Stream output.
    private let stream: LogStream?
    private let keyColumn: Int?
    /// Per shard: the next sequence, and how many rows to skip (already appended).
    private(set) var outputNext: [Int64]
    private var skip: [Int64]
    private var batches: [AppendBatch]
    /// A stream row's JSON, written here and copied into its shard's batch:
    /// one buffer for every row instead of an allocation per row.
    private var payload: [UInt8] = []
    /// File sink output.
    let sink: FileSinkWriter?

    init(job: String, kind: JobOutputKind, columnNames: [String], stream: LogStream?, keyColumn: Int?,
         recordsOut: Int64, checkpointed: [Int64]?, sink: FileSinkWriter? = nil, nowMs: @escaping @Sendable () -> Int64) throws(LogError) {
        self.job = job
        self.sink = sink
        self.kind = kind
        self.columnNames = columnNames
        members = JSONText.Members(names: columnNames)
        self.stream = stream
        self.keyColumn = keyColumn
        self.recordsOut = recordsOut
        self.nowMs = nowMs
        var heads: [Int64] = []
        for shard in stream?.shards ?? [] { heads.append(Int64(try shard.describe().nextSequence)) }
        outputNext = checkpointed ?? heads
        skip = zip(heads, checkpointed ?? heads).map { max(0, $0 - $1) }
        batches = heads.map { _ in AppendBatch() }
    }

    /// How the query's `workers` workers keep their rows (RowArena.swift says
    /// why): with several, results and stream records come written as JSON
    /// (and routed); alerts keep their key text.
    func rowEncoding(workers: Int) -> RowArena.Encoding {
        switch kind {
        case .alerts: return .values(keepsKeys: true)
        case .results where workers > 1: return .json(members)
        case .stream where workers > 1:
            guard let stream else { return .values(keepsKeys: false) }
            return .records(members, keyColumn: keyColumn, router: stream.router)
        case .results, .stream, .sink: return .values(keepsKeys: false)
        }
    }

    /// Takes the rows of one step; alerts and results are stamped with one
    /// time, the step's (a clock read per row was 2 % of a job's thread).
    func add(_ rows: StepRows) throws {
        let stepMs = kind == .alerts || kind == .results ? nowMs() : 0
        for arena in rows.byWorker {
            for row in 0..<arena.count { try add(row, of: arena, createdMs: stepMs) }
        }
    }

    /// Takes output row `row` of `arena`.
    private func add(_ row: Int, of arena: RowArena, createdMs: Int64) throws {
        guard arena.keepsValues else { return try addEncoded(row, of: arena, createdMs: createdMs) }
        let values = arena.values(ofRow: row)
        if kind == .sink {
            try sink?.add(values, windowStartMs: arena.windowStarts[row], rowNumber: recordsOut)
            recordsOut += 1
            return
        }
        if kind == .results {
            appendResult(windowStartMs: arena.windowStarts[row], windowEndMs: arena.windowEnds[row], createdMs: createdMs) { out in
                JSONText.appendObject(members: members, values: values, to: &out)
            }
            return
        }
        switch kind {
        case .alerts:
            pendingAlerts.append(NewAlert(job: job, key: arena.keys[row], windowStartMs: arena.windowStarts[row],
                                          windowEndMs: arena.windowEnds[row], score: arena.scores[row],
                                          rowJSON: JSONText.object(members: members, values: values), createdMs: createdMs,
                                          explanationJSON: arena.explanations[row]))
        case .stream:
            guard let stream else { return }
            let key = keyColumn.map { JSONText.plain(values[values.startIndex + $0]) } ?? ""
            guard let shard = nextStreamRecord(routedTo: key.isEmpty ? nil : stream.router.shard(forKey: key), in: stream) else { return }
            payload.removeAll(keepingCapacity: true)
            JSONText.appendObject(members: members, values: values, to: &payload)
            try batches[shard].append(key: key, payload: payload)
            return
        case .sink, .results:
            preconditionFailure("sink and result rows are taken above")
        }
        recordsOut += 1
    }

    /// Takes output row `row` of `arena`, written as JSON by its worker: a
    /// result, or a stream record (routed by its worker when it has a key).
    private func addEncoded(_ row: Int, of arena: RowArena, createdMs: Int64) throws {
        switch kind {
        case .results:
            arena.withEncodedRow(row) { _, json in
                appendResult(windowStartMs: arena.windowStarts[row], windowEndMs: arena.windowEnds[row], createdMs: createdMs) {
                    $0.append(contentsOf: json)
                }
            }
        case .stream:
            guard let stream else { return }
            let routed = Int(arena.shards[row])
            guard let shard = nextStreamRecord(routedTo: routed >= 0 ? routed : nil, in: stream) else { return }
            try arena.withEncodedRow(row) { (key, json) throws(LogError) in try batches[shard].append(key: key, payload: json) }
        case .alerts, .sink:
            preconditionFailure("alerts and sink rows keep their values")
        }
    }

    /// Appends a result row whose JSON object `writeRow` writes, to a new page when the last is full.
    private func appendResult(windowStartMs: Int64?, windowEndMs: Int64?, createdMs: Int64, _ writeRow: (inout [UInt8]) -> Void) {
        if pendingResults[pendingResults.count - 1].isFull { pendingResults.append(ResultPage()) }
        pendingResults[pendingResults.count - 1].append(windowStartMs: windowStartMs, windowEndMs: windowEndMs, createdMs: createdMs,
                                                        row: writeRow)
        recordsOut += 1
    }

    /// Counts the next stream record and gives its shard: `routed` (its
    /// key's), or without a key its output number's (deterministic, so a
    /// resumed job sends each row to the shard it went to before); nil when
    /// the record was appended before the job's last crash (skipped).
    private func nextStreamRecord(routedTo routed: Int?, in stream: LogStream) -> Int? {
        let shard = routed ?? Int(recordsOut % Int64(stream.shards.count))
        recordsOut += 1
        if skip[shard] > 0 {
            skip[shard] -= 1
            outputNext[shard] += 1
            return nil
        }
        return shard
    }

    /// Appends the stream rows taken so far (durably); called after each step.
    func flushStream() throws(LogError) {
        guard let stream else { return }
        var pending: [(Int, PendingAppend)] = []
        for (shard, batch) in batches.enumerated() where !batch.isEmpty {
            pending.append((shard, try stream.shards[shard].appendWithoutWaiting(batch)))
            batches[shard].removeAll()
        }
        for (shard, append) in pending {
            try stream.shards[shard].waitDurable(append)
            outputNext[shard] = Int64(append.result.firstSequence) + Int64(append.result.count)
        }
    }

    var hasPendingRows: Bool { !pendingAlerts.isEmpty || !pendingResults[0].isEmpty }
    /// Alerts and results held for the next checkpoint.
    var pendingRowCount: Int { pendingResults.reduce(pendingAlerts.count) { $0 + $1.rowCount } }
    /// Bytes of result JSON held for the next checkpoint.
    var pendingResultBytes: Int { pendingResults.reduce(0) { $0 + $1.byteCount } }
    /// Rows held before a checkpoint is taken whatever the interval: bounds
    /// the memory they hold, and commits them in pieces that overlap the
    /// query's next steps instead of one long commit at the interval's end.
    static let pendingRowsMax = 16_384
    /// Bytes of result JSON held before a checkpoint is taken whatever the
    /// interval: rows may be up to a record's size each (a projection of a
    /// 1 MiB field), so the row count alone would let 16 GiB pile up. One
    /// page's worth (the reference job's 16,384 rows are ~2 MiB).
    static let pendingResultBytesMax = ResultPage.bytesMax

    /// Whether what is held, with `incoming` rows more, calls for a
    /// checkpoint before the interval is up.
    func isFull(adding incoming: Int) -> Bool {
        pendingRowCount + incoming >= Self.pendingRowsMax || pendingResultBytes >= Self.pendingResultBytesMax
    }
    var hasPendingAlerts: Bool { !pendingAlerts.isEmpty }

    /// The checkpoint committed what was pending.
    func committed() {
        pendingAlerts.removeAll(keepingCapacity: true)
        pendingResults.removeLast(pendingResults.count - 1)
        pendingResults[0].removeAll()
    }

    func outputOffsets(stream name: String) -> [ShardOffset] {
        outputNext.enumerated().map { ShardOffset(stream: name, shard: $0.offset, nextOffset: $0.element) }
    }
}
