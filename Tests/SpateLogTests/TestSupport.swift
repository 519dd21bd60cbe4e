// Helpers shared by the log tests: temporary data directories, a clock the tests
// move by hand, and reading a whole shard back.

import Foundation
@testable import SpateLog
import Testing

/// A fresh directory under the system's temporary directory, removed on deinit.
final class TemporaryDirectory: Sendable {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "/spate-test-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A clock that moves only when told to.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var nowMs: Int64

    init(_ start: Int64 = 1_732_400_000_000) { nowMs = start }

    func advance(byMs ms: Int64) { lock.withLock { nowMs += ms } }
    func read() -> Int64 { lock.withLock { nowMs } }
    var options: LogOptions { LogOptions(now: { [self] in read() }) }
}

/// Every record of one shard from `position`, as owned copies.
func readAll(_ stream: LogStream, shard: Int = 0, from position: ReadPosition = .earliest) throws -> [LogRecord] {
    let reader = try stream.reader(shard: shard, from: position)
    let batch = ReadBatch()
    var records: [LogRecord] = []
    while try reader.read(into: batch) > 0 {
        for i in 0..<batch.count { records.append(batch[i].copy()) }
    }
    return records
}

/// Appends `count` records with payload "<prefix><i>" and key "k<i % 10>".
@discardableResult
func appendNumbered(_ stream: LogStream, count: Int, prefix: String = "r", from start: Int = 0) throws -> StreamAppendResult {
    var batch = AppendBatch()
    for i in start..<start + count { try batch.append(key: "k\(i % 10)", payload: Array("\(prefix)\(i)".utf8)) }
    return try stream.append(batch)
}

func payloadStrings(_ records: [LogRecord]) -> [String] {
    records.map { String(decoding: $0.payload, as: UTF8.self) }
}

/// Path of a file in a shard directory.
func shardFile(_ store: LogStore, _ stream: String, shard: Int = 0, _ name: String) -> String {
    store.dataDirectory + "/streams/\(stream)/" + ShardDirectory.shardName(shard) + "/" + name
}

func segmentNames(_ store: LogStore, _ stream: String, shard: Int = 0) throws -> [String] {
    let dir = store.dataDirectory + "/streams/\(stream)/" + ShardDirectory.shardName(shard)
    return try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".log") }.sorted()
}
