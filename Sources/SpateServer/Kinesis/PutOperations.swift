// PutRecord and PutRecords: decode, route, append, answer with sequence numbers.
//
// Routing is Kinesis': MD5 of the partition key as a 128-bit number, or the
// ExplicitHashKey when given, picks the shard whose hash-key range holds it
// (PartitionRouter). Records are grouped per shard and appended with one write
// per shard, then awaited together: one durability wait (group commit) per
// request, not per record.
//
// Limits, as Kinesis: a partition key of 1-256 characters; data plus key at most
// 1 MiB; at most 500 records and 5 MiB (data plus keys) per PutRecords. A
// request over the PutRecords limits is refused whole (ValidationException /
// InvalidArgumentException). Within a valid PutRecords, a record that cannot be
// stored — over 1 MiB, a bad key, undecodable data, or a shard whose write
// failed (InternalFailure) — fails alone: its entry carries ErrorCode and
// ErrorMessage, the others are stored, and FailedRecordCount counts the failures.
// (Kinesis itself rejects an oversized record with the whole request; reporting
// it per record keeps a batch's good records, and a producer that retries failed
// entries sees the message.)

import SpateJSON
import SpateLog

extension KinesisService {
    static let putRecordsCountMax = 500
    static let putRecordsBytesMax = 5 << 20
    static let partitionKeyCharactersMax = 256
    static let recordBytesMax = RecordFrame.recordBytesMax

    /// Where a record of a put request went, or why it did not.
    enum PutOutcome {
        case routed(shard: Int, indexInShard: Int)
        case stored(shard: Int, offset: UInt64)
        case failed(KinesisError)
    }

    func putRecord(_ request: JSONValue) throws(KinesisError) -> [UInt8] {
        let stream = try stream(request)
        var batches = [AppendBatch](repeating: AppendBatch(), count: stream.shards.count)
        var outcome = try route(request, stream: stream, into: &batches, total: nil)
        if case let .failed(error) = outcome { throw error }
        var outcomes = [outcome]
        append(batches, stream: stream, outcomes: &outcomes)
        outcome = outcomes[0]
        switch outcome {
        case let .stored(shard, offset):
            var w = JSONWriter(capacity: 128)
            w.beginObject()
            w.key("ShardId"); w.string(KinesisNames.shardID(shard))
            w.key("SequenceNumber"); w.string(SequenceNumber(shard: shard, offset: offset).text)
            w.key("EncryptionType"); w.string("NONE")
            w.endObject()
            return w.bytes
        case let .failed(error): throw error
        case .routed: preconditionFailure("append leaves no record routed")
        }
    }

    func putRecords(_ request: JSONValue) throws(KinesisError) -> [UInt8] {
        guard case let .array(entries)? = request["Records"] else {
            if request["Records"] == nil || request["Records"] == .null { throw JSONValue.missing("Records") }
            throw .serialization("Records must be a list")
        }
        guard !entries.isEmpty else {
            throw .validation("1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1")
        }
        guard entries.count <= Self.putRecordsCountMax else {
            throw .validation("1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length less than or equal to \(Self.putRecordsCountMax)")
        }
        let stream = try stream(request)
        var batches = [AppendBatch](repeating: AppendBatch(), count: stream.shards.count)
        var outcomes: [PutOutcome] = []
        outcomes.reserveCapacity(entries.count)
        var total = 0
        for entry in entries {
            outcomes.append(try route(entry, stream: stream, into: &batches, total: &total))
        }
        append(batches, stream: stream, outcomes: &outcomes)
        var w = JSONWriter(capacity: 64 + entries.count * 100)
        let shardIDs = stream.shards.indices.map(KinesisNames.shardID)
        var failed = 0
        w.beginObject()
        w.key("Records"); w.beginArray()
        for outcome in outcomes {
            w.beginObject()
            switch outcome {
            case let .stored(shard, offset):
                w.key("SequenceNumber"); SequenceNumber(shard: shard, offset: offset).write(to: &w)
                w.key("ShardId"); w.string(shardIDs[shard])
            case let .failed(error):
                failed += 1
                w.key("ErrorCode"); w.string(error.type)
                w.key("ErrorMessage"); w.string(error.message)
            case .routed: preconditionFailure("append leaves no record routed")
            }
            w.endObject()
        }
        w.endArray()
        w.key("FailedRecordCount"); w.integer(failed)
        w.key("EncryptionType"); w.string("NONE")
        w.endObject()
        return w.bytes
    }

    /// Checks one record and adds it to its shard's batch. A request-level limit
    /// (the 5 MiB total, counted in `total`) throws; a record-level problem
    /// returns `.failed`.
    private func route(_ entry: JSONValue, stream: LogStream, into batches: inout [AppendBatch],
                       total: UnsafeMutablePointer<Int>?) throws(KinesisError) -> PutOutcome {
        guard case .object = entry else { throw .serialization("each record must be an object") }
        guard let key = try entry.string("PartitionKey", required: true) else { throw JSONValue.missing("PartitionKey") }
        guard case let .string(dataText)? = entry["Data"] else {
            if entry["Data"] == nil || entry["Data"] == .null { throw JSONValue.missing("Data") }
            throw .serialization("Data must be a base64 string")
        }
        let explicitHashKey = try entry.string("ExplicitHashKey")
        var data: [UInt8] = []
        var text = dataText
        let decoded = text.withUTF8 { Base64.decode(UnsafeRawBufferPointer($0), into: &data) }
        let keyBytes = key.utf8.count
        if let total {
            total.pointee += keyBytes + data.count
            if total.pointee > Self.putRecordsBytesMax {
                throw .invalidArgument("Records size exceeds \(Self.putRecordsBytesMax / (1 << 20)) MB limit")
            }
        }
        guard decoded else { return .failed(.serialization("Data is not valid base64")) }
        guard (1...Self.partitionKeyCharactersMax).contains(key.count) else {
            return .failed(.validation("1 validation error detected: Value at 'partitionKey' failed to satisfy constraint: Member must have length between 1 and \(Self.partitionKeyCharactersMax)"))
        }
        guard keyBytes + data.count <= Self.recordBytesMax else {
            return .failed(.invalidArgument("Record of \(keyBytes + data.count) bytes (data plus partition key) is over the limit of \(Self.recordBytesMax) bytes (1 MiB)."))
        }
        let shard: Int
        if let explicitHashKey {
            guard let hashKey = Self.parseHashKey(explicitHashKey) else {
                return .failed(.invalidArgument("ExplicitHashKey '\(explicitHashKey)' is not a decimal number between 0 and 2^128 - 1."))
            }
            shard = stream.router.shard(forHashKey: hashKey)
        } else if stream.shards.count == 1 {
            shard = 0
        } else {
            var key = key
            shard = key.withUTF8 { stream.router.shard(forKey: UnsafeRawBufferPointer($0)) }
        }
        do {
            try batches[shard].append(key: Array(key.utf8), payload: data)
        } catch {
            return .failed(Self.translate(error, stream: stream.name))
        }
        return .routed(shard: shard, indexInShard: batches[shard].count - 1)
    }

    /// Appends every shard's batch, waits once for durability, and turns each
    /// routed outcome into stored (or failed, with the shard's error).
    private func append(_ batches: [AppendBatch], stream: LogStream, outcomes: inout [PutOutcome]) {
        var pending: [PendingAppend?] = Array(repeating: nil, count: batches.count)
        var failures: [KinesisError?] = Array(repeating: nil, count: batches.count)
        for (shard, batch) in batches.enumerated() where !batch.isEmpty {
            do { pending[shard] = try stream.shards[shard].appendWithoutWaiting(batch) } catch {
                failures[shard] = .internalFailure(error.description)
            }
        }
        for (shard, appended) in pending.enumerated() {
            guard let appended else { continue }
            do { try stream.shards[shard].waitDurable(appended) } catch { failures[shard] = .internalFailure(error.description) }
        }
        for i in outcomes.indices {
            guard case let .routed(shard, indexInShard) = outcomes[i] else { continue }
            if let failure = failures[shard] {
                outcomes[i] = .failed(failure)
            } else {
                outcomes[i] = .stored(shard: shard, offset: pending[shard]!.result.firstSequence + UInt64(indexInShard))
            }
        }
    }

    /// A decimal hash key in [0, 2^128).
    static func parseHashKey(_ text: String) -> UInt128? {
        guard !text.isEmpty, text.utf8.count <= 39 else { return nil }
        var value: UInt128 = 0
        for c in text.utf8 {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt128(c - 0x30))
            if o1 || o2 { return nil }
            value = sum
        }
        return value
    }
}
