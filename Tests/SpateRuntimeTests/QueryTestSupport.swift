// Helpers for runtime tests: a temporary log with generated transactions, a
// runner for plans, and SQLite (the sqlite3 command) as the independent engine
// that computes the same GROUP BY.

import Foundation
@testable import SpateRuntime
import SpateLog
import SpateSQL
import Testing

final class TemporaryLog: @unchecked Sendable {
    let path: String
    let store: LogStore

    /// A store whose arrival times come from `now`.
    init(now: @escaping @Sendable () -> Int64 = wallClockMs) throws {
        path = NSTemporaryDirectory() + "/spate-runtime-" + UUID().uuidString
        store = try LogStore.open(path, options: LogOptions(now: now))
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A generated transaction.
struct Transaction {
    var userId: String
    var amount: Double
    var timestamp: Int64

    var json: String { #"{"userId":"\#(userId)","amount":\#(amount),"timestamp":\#(timestamp)}"# }
}

/// `count` transactions over `users` users, event times increasing by 0-2 s
/// from 2024-11-24 (deterministic for a seed).
func generateTransactions(count: Int, users: Int, seed: UInt64 = 42) -> [Transaction] {
    var random = SplitMix64(seed: seed)
    var t: Int64 = 1_732_400_000_000
    return (0..<count).map { _ in
        t += Int64(random.next() % 2000)
        let user = Int(random.next() % UInt64(users))
        let cents = Int(random.next() % 100_000)
        return Transaction(userId: "user\(user)", amount: Double(cents) / 100, timestamp: t)
    }
}

/// Appends JSON lines to a new stream.
@discardableResult
func makeStream(_ log: TemporaryLog, _ name: String, lines: [String], shards: Int = 1, key: (String) -> String = { _ in "" }) throws -> LogStream {
    let stream = try log.store.createStream(name, settings: StreamSettings(shardCount: shards, durability: .none))
    var batch = AppendBatch()
    for line in lines {
        try batch.append(key: key(line), payload: Array(line.utf8))
        if batch.count == 1000 { _ = try stream.append(batch); batch.removeAll() }
    }
    if !batch.isEmpty { _ = try stream.append(batch) }
    return stream
}

/// Runs a plan to its end and returns its rows.
func runPlan(_ plan: QueryPlan, on stream: LogStream) throws -> (rows: [[Value]], statistics: QueryStatistics) {
    let execution = try QueryExecution(plan: plan, stream: stream)
    var rows: [[Value]] = []
    let statistics = try execution.run { rows.append($0); return true }
    return (rows, statistics)
}

/// Runs SQL in the sqlite3 command-line shell; rows as arrays of text fields.
func sqlite(_ script: String) throws -> [[String]] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    process.arguments = ["-batch", "-separator", "|", ":memory:"]
    let input = Pipe(), output = Pipe(), errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let writer = Thread {
        input.fileHandleForWriting.write(Data(script.utf8))
        try? input.fileHandleForWriting.close()
    }
    writer.start()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    guard process.terminationStatus == 0 && stderr.isEmpty else { throw SQLiteFailure(message: stderr) }
    return String(decoding: data, as: UTF8.self).split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
}

struct SQLiteFailure: Error { var message: String }

/// The SQLite table `t(userId, amount, ts)` holding `transactions`.
func sqliteTable(_ transactions: [Transaction]) -> String {
    var script = "CREATE TABLE t(userId TEXT, amount REAL, ts INTEGER);\nBEGIN;\n"
    for t in transactions { script += "INSERT INTO t VALUES('\(t.userId)', \(t.amount), \(t.timestamp));\n" }
    return script + "COMMIT;\n"
}

// Plan building shortcuts: fields 0 userId, 1 amount, 2 timestamp.
let transactionFields = [
    FieldExtraction(path: ["userId"], type: .string),
    FieldExtraction(path: ["amount"], type: .double),
    FieldExtraction(path: ["timestamp"], type: .timestamp),
]
let userIdField = BoundExpression(.field(0), type: .string)
let amountField = BoundExpression(.field(1), type: .double)
