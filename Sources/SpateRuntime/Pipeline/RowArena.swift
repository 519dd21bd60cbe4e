// The rows one worker emitted in a job's step, in a few arrays for the whole
// step rather than an array of values per row. A worker fills one per step
// (ParallelQueryExecution.launchStep), the job's thread reads it (JobOutput),
// so a row costs no allocation of its own: before, each was an EmittedRow
// with its values on the heap, made on the worker's thread and freed on the
// job's — an allocation per event for a stateless job.
//
// What a row keeps depends on where the job's rows go (`Encoding`):
// - `values`: its values, row after row in `values` (`width` a row), and its
//   window, score and explanation (and key text, for alerts). Alerts, sinks,
//   and any job with one worker.
// - `json`: its window and its JSON object, written by the worker (results
//   of a job with several workers).
// - `records`: its JSON object, its partition key and the output shard the
//   key routes to (a stream's records, several workers).
// With several workers the job's one thread would otherwise write every
// row's JSON and route every key (an MD5 each) for all of them: for a
// stateless projection into a stream, that thread was the bottleneck and
// parallelism 2 ran no faster than 1. With one worker the job's thread is
// the second thread of a two-stage pipeline, and keeps that work.
//
// Not shared: a worker's thread writes it during the step, the job's thread
// reads it after the step is joined (the join orders the two). So its
// properties skip Swift's dynamic exclusivity checks (`@exclusivity(unchecked)`,
// as OrderLimit's): they were ~15 % of a stateless job's worker.

import SpateLog
import SpateSQL

public final class RowArena: @unchecked Sendable {
    /// What each row keeps.
    public enum Encoding: Sendable {
        /// Its values; `keepsKeys`: and its group key text.
        case values(keepsKeys: Bool)
        /// Its JSON object of these members.
        case json(JSONText.Members)
        /// Its JSON object, its partition key (the text of output column
        /// `keyColumn`; none without one) and the shard `router` gives the key.
        case records(JSONText.Members, keyColumn: Int?, router: PartitionRouter)
    }

    /// Values per row: the query's output columns.
    public let width: Int
    public let encoding: Encoding
    /// Rows held.
    public var count: Int { windowStarts.count }
    @exclusivity(unchecked) public private(set) var windowStarts: [Int64?] = []
    @exclusivity(unchecked) public private(set) var windowEnds: [Int64?] = []

    // `values`: every row's values, row after row, and per row its key text
    // (all nil unless kept), score and explanation.
    @exclusivity(unchecked) public private(set) var values: [Value] = []
    @exclusivity(unchecked) public private(set) var keys: [String?] = []
    @exclusivity(unchecked) public private(set) var scores: [Double?] = []
    @exclusivity(unchecked) public private(set) var explanations: [String?] = []

    // `json` and `records`: per row its key's bytes (records) then its JSON
    // object, in `bytes`; where each row ends, and where its key ends.
    @exclusivity(unchecked) private var bytes: [UInt8] = []
    @exclusivity(unchecked) private var rowEnds: [Int] = []
    @exclusivity(unchecked) private var keyEnds: [Int] = []
    /// `records`: per row, its output shard (-1 without a key: the job numbers those).
    @exclusivity(unchecked) public private(set) var shards: [Int32] = []

    public init(width: Int, encoding: Encoding) {
        self.width = width
        self.encoding = encoding
    }

    public var isEmpty: Bool { count == 0 }

    /// Appends a row whose values `value(column)` gives, column by column.
    @inline(__always)
    func append(windowStartMs: Int64?, windowEndMs: Int64?, key: () -> String?, score: () -> Double?,
                explanation: () -> String?, value: (Int) -> Value) {
        windowStarts.append(windowStartMs)
        windowEnds.append(windowEndMs)
        switch encoding {
        case let .values(keepsKeys):
            for column in 0..<width { values.append(value(column)) }
            keys.append(keepsKeys ? key() : nil)
            scores.append(score())
            explanations.append(explanation())
        case let .json(members):
            appendObject(members, value)
            rowEnds.append(bytes.count)
        case let .records(members, keyColumn, router):
            let keyStart = bytes.count
            if let keyColumn { JSONText.appendPlain(value(keyColumn), to: &bytes) }
            keyEnds.append(bytes.count)
            // No key column, or an empty key: the job spreads the row by its output number, as with one worker.
            if bytes.count == keyStart {
                shards.append(-1)
            } else {
                shards.append(Int32(bytes.withUnsafeBytes { router.shard(forKey: UnsafeRawBufferPointer(rebasing: $0[keyStart...])) }))
            }
            appendObject(members, value)
            rowEnds.append(bytes.count)
        }
    }

    private func appendObject(_ members: JSONText.Members, _ value: (Int) -> Value) {
        guard width > 0 else { return bytes.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")]) }
        for column in 0..<width { members.append(member: column, value(column), to: &bytes) }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Appends `row` (a query whose rows pass ORDER BY or LIMIT comes as EmittedRows).
    func append(_ row: EmittedRow) {
        precondition(row.values.count == width, "a row of the arena's width")
        append(windowStartMs: row.windowStartMs, windowEndMs: row.windowEndMs, key: { row.key }, score: { row.score },
               explanation: { row.explanation }) { row.values[$0] }
    }

    /// Whether rows keep their values (else their JSON).
    public var keepsValues: Bool {
        if case .values = encoding { return true }
        return false
    }

    /// Row `index`'s values (`values` encoding).
    public func values(ofRow index: Int) -> ArraySlice<Value> { values[index * width ..< (index + 1) * width] }

    /// Calls `body` with row `index`'s partition key (empty without a key
    /// column) and JSON object (`json` has no key).
    public func withEncodedRow<E: Error>(_ index: Int, _ body: (_ key: UnsafeRawBufferPointer, _ json: UnsafeRawBufferPointer) throws(E) -> Void) throws(E) {
        let start = index == 0 ? 0 : rowEnds[index - 1]
        let keyEnd = keyEnds.isEmpty ? start : keyEnds[index]
        try withBytes(bytes) { (all) throws(E) in
            try body(UnsafeRawBufferPointer(rebasing: all[start ..< keyEnd]), UnsafeRawBufferPointer(rebasing: all[keyEnd ..< rowEnds[index]]))
        }
    }

    /// Row `index` as an EmittedRow (`values` encoding; an array of its own).
    public subscript(index: Int) -> EmittedRow {
        EmittedRow(values: Array(values(ofRow: index)), windowStartMs: windowStarts[index], windowEndMs: windowEnds[index],
                   key: keys[index], score: scores[index], explanation: explanations[index])
    }
}
