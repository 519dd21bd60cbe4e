// The demo's built-in producer: sample transactions (SampleTransactions, the
// data of `spate generate transactions`) appended to the demo's stream at a
// steady rate, each stamped with the time it is sent, like the classic Kinesis
// test producer. It remembers which transactions it injected as anomalies, so
// the demo can show next to each alert whether it was one.
//
// Pacing is by elapsed time, not by sleeping per record: each call appends what
// is due since the start, in one batch (one group commit), so a slow moment is
// caught up rather than lost, and `rate × duration` records are sent in all.

import SpateLog

/// Appends sample transactions to the demo's stream at a rate.
public final class DemoProducer {
    public let ratePerSecond: Int
    private let database: Database
    private let stream: LogStream
    private var transactions: SampleTransactions
    private let runTag: String
    public private(set) var recordsSent = 0
    /// The transactions injected as anomalies, by id (the first `injectedKeptMax`).
    public private(set) var injected: [String: TransactionLabel] = [:]
    /// Injected anomalies in all, remembered or not.
    public private(set) var injectedCount = 0
    static let injectedKeptMax = 100_000
    /// A run's records and batches are bounded: at most this many are sent per call.
    static let batchRecordsMax = 10_000

    public init(database: Database, options: SampleTransactions.Options, ratePerSecond: Int) throws(SpateError) {
        precondition(ratePerSecond > 0, "a positive rate")
        self.database = database
        self.ratePerSecond = ratePerSecond
        stream = try database.stream(DemoPipeline.stream)
        transactions = SampleTransactions(options)
        // Ids unique across runs on one stream: the generator numbers from txn_0 each time.
        runTag = String(database.now(), radix: 36)
    }

    /// Appends the records due `elapsedMs` after the start; returns how many it appended.
    @discardableResult
    public func produce(elapsedMs: Int64) throws(SpateError) -> Int {
        let due = Int(elapsedMs * Int64(ratePerSecond) / 1000)
        let count = min(max(0, due - recordsSent), Self.batchRecordsMax)
        guard count > 0 else { return 0 }
        var batch = AppendBatch()
        let nowMs = database.now()
        do throws(LogError) {
            for _ in 0..<count {
                guard var transaction = transactions.next() else { break }
                transaction.timestampMs = nowMs
                transaction.transactionId = "txn_\(runTag)_" + transaction.transactionId.dropFirst(4)
                if let label = transaction.label {
                    injectedCount += 1
                    if injected.count < Self.injectedKeptMax { injected[transaction.transactionId] = label }
                }
                try batch.append(key: transaction.userId, payload: Array(transaction.jsonLine.utf8))
            }
            _ = try stream.append(batch)
        } catch {
            throw .log(error)
        }
        recordsSent += batch.count
        return batch.count
    }
}
