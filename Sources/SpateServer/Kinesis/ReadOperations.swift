// GetShardIterator and GetRecords.
//
// GetShardIterator resolves TRIM_HORIZON to offset 0 (the reader skips to the
// oldest record retention kept), LATEST to the shard's next offset now,
// AT/AFTER_SEQUENCE_NUMBER to that offset (or the next), and keeps AT_TIMESTAMP
// as a time until it is read. GetRecords reads from the iterator's position up to
// Limit (≤ 10,000) records and about 10 MiB of data, and answers
// NextShardIterator (always: Spate's shards never close) and MillisBehindLatest
// (0 when the read reached the end of the shard, else the age of the last
// record returned).

import SpateJSON
import NIOConcurrencyHelpers
import SpateLog

extension KinesisService {
    static let getRecordsCountMax = 10_000
    static let getRecordsBytesMax = 10 << 20

    func getShardIterator(_ request: JSONValue) throws(KinesisError) -> [UInt8] {
        guard let shardID = try request.string("ShardId", required: true, lengths: 1...128) else { throw JSONValue.missing("ShardId") }
        guard let type = try request.string("ShardIteratorType", required: true) else { throw JSONValue.missing("ShardIteratorType") }
        let stream = try stream(request)
        guard let shard = KinesisNames.shardIndex(shardID), stream.shards.indices.contains(shard) else {
            throw .resourceNotFound("Shard \(shardID) in stream \(stream.name) under account \(KinesisNames.accountID) does not exist")
        }
        let sequenceText = try request.string("StartingSequenceNumber")
        func startingOffset() throws(KinesisError) -> UInt64 {
            guard let sequenceText else {
                throw .invalidArgument("StartingSequenceNumber is required for ShardIteratorType \(type).")
            }
            guard let sequence = SequenceNumber(sequenceText) else {
                throw .invalidArgument("StartingSequenceNumber \(sequenceText) used in GetShardIterator on shard \(shardID) in stream \(stream.name) under account \(KinesisNames.accountID) is invalid.")
            }
            guard sequence.shard == shard else {
                throw .invalidArgument("StartingSequenceNumber \(sequenceText) used in GetShardIterator on shard \(shardID) in stream \(stream.name) under account \(KinesisNames.accountID) is invalid because it did not come from this stream.")
            }
            return sequence.offset
        }
        let position: IteratorPosition
        switch type {
        case "TRIM_HORIZON":
            position = .offset(0)
        case "LATEST":
            do { position = .offset(try stream.reader(shard: shard, from: .latest).nextSequence) } catch {
                throw Self.translate(error, stream: stream.name)
            }
        case "AT_SEQUENCE_NUMBER":
            position = .offset(try startingOffset())
        case "AFTER_SEQUENCE_NUMBER":
            let offset = try startingOffset()
            guard offset < UInt64.max else { throw .invalidArgument("StartingSequenceNumber \(sequenceText ?? "") is the last possible.") }
            position = .offset(offset + 1)
        case "AT_TIMESTAMP":
            guard let ms = try request.timestampMs("Timestamp") else {
                throw .invalidArgument("Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.")
            }
            if ms > now() {
                throw .invalidArgument("The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: \(ms), currentTimestampInMillis: \(now())")
            }
            position = .arrival(ms: ms)
        default:
            throw .validation("1 validation error detected: Value '\(type)' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]")
        }
        let iterator = ShardIterator(stream: stream.name, streamCreatedMs: stream.createdMs, shard: shard, position: position, issuedMs: now())
        var w = JSONWriter(capacity: 160)
        w.beginObject()
        w.key("ShardIterator"); w.string(iterator.token)
        w.endObject()
        return w.bytes
    }

    func getRecords(_ request: JSONValue) throws(KinesisError) -> [UInt8] {
        guard let token = try request.string("ShardIterator", required: true, lengths: 1...512) else { throw JSONValue.missing("ShardIterator") }
        let limit = try request.integer("Limit", in: 1...Self.getRecordsCountMax) ?? Self.getRecordsCountMax
        guard let iterator = ShardIterator(token: token) else {
            throw .invalidArgument("Invalid ShardIterator.")
        }
        let nowMs = now()
        if nowMs - iterator.issuedMs > ShardIterator.lifetimeMs {
            throw .expiredIterator("Iterator expired. The iterator was created at time \(UTCTimestamp.format(iterator.issuedMs)) while right now it is \(UTCTimestamp.format(nowMs)) which is further in the future than the tolerated delay of \(ShardIterator.lifetimeMs) milliseconds.")
        }
        let stream = try stream(named: iterator.stream)
        guard stream.createdMs == iterator.streamCreatedMs, stream.shards.indices.contains(iterator.shard) else {
            throw .resourceNotFound("The stream \(iterator.stream) this iterator was issued for was deleted (a stream of that name exists again): get a new iterator.")
        }
        let start: ReadPosition
        switch iterator.position {
        case let .offset(offset): start = .atSequence(offset)
        case let .arrival(ms): start = .atTime(ms)
        }
        do {
            return try readRecords(stream, shard: iterator.shard, from: start, limit: limit, nowMs: nowMs)
        } catch {
            throw Self.translate(error, stream: stream.name)
        }
    }

    private func readRecords(_ stream: LogStream, shard: Int, from start: ReadPosition, limit: Int, nowMs: Int64) throws(LogError) -> [UInt8] {
        let reader = try stream.reader(shard: shard, from: start)
        let batch = readBatches.take()
        defer { readBatches.give(batch) }
        var w = JSONWriter(capacity: 4096)
        w.beginObject()
        w.key("Records"); w.beginArray()
        var count = 0
        var bytes = 0
        var nextOffset = reader.nextSequence
        var reachedEnd = false
        var lastArrivalMs: Int64?
        reading: while count < limit {
            let n = try reader.read(into: batch, maxRecords: limit - count)
            if n == 0 { reachedEnd = true; break }
            for i in 0..<n {
                let record = batch[i]
                let size = record.payload.count + record.partitionKey.count
                if count > 0 && bytes + size > Self.getRecordsBytesMax {
                    nextOffset = record.sequence
                    break reading
                }
                bytes += size
                count += 1
                w.beginObject()
                w.key("SequenceNumber"); SequenceNumber(shard: shard, offset: record.sequence).write(to: &w)
                w.key("ApproximateArrivalTimestamp"); w.epochSeconds(ms: record.arrivalMs)
                w.key("Data"); w.base64String(record.payload)
                w.key("PartitionKey"); w.string(bytes: record.partitionKey)
                w.endObject()
                nextOffset = record.sequence + 1
                lastArrivalMs = record.arrivalMs
            }
        }
        w.endArray()
        let next = ShardIterator(stream: stream.name, streamCreatedMs: stream.createdMs, shard: shard, position: .offset(nextOffset), issuedMs: nowMs)
        w.key("NextShardIterator"); w.string(next.token)
        w.key("MillisBehindLatest"); w.integer(reachedEnd ? 0 : max(0, nowMs - (lastArrivalMs ?? nowMs)))
        w.endObject()
        return w.bytes
    }
}

/// A few reusable read buffers (each ReadBatch holds about 5 MiB), so that a
/// GetRecords does not allocate one. Holds at most `keptMax`; more concurrent
/// reads allocate and drop their own.
final class ReadBatchPool: @unchecked Sendable {
    static let keptMax = 4
    private let lock = NIOLock()
    private var kept: [ReadBatch] = []

    func take() -> ReadBatch {
        lock.withLock { kept.popLast() } ?? ReadBatch()
    }

    func give(_ batch: ReadBatch) {
        lock.withLock { if kept.count < Self.keptMax { kept.append(batch) } }
    }
}
