// Stream management: CreateStream, DeleteStream, DescribeStream(Summary),
// ListStreams, ListShards, Increase/DecreaseStreamRetentionPeriod. (Who may
// run each: KinesisService+Access; ListStreams lists what the caller may read.)
//
// Mapping to Spate:
// - CreateStream makes StreamSettings(shardCount: N, retentionAgeMs: 24 h), batch
//   durability. ON_DEMAND mode (no ShardCount) gets 4 shards, as a new on-demand
//   Kinesis stream starts with 4. Shard counts never change (no resharding).
// - Every stream is ACTIVE at once and every shard stays open, so a shard's
//   SequenceNumberRange has no end and ShardFilter changes nothing.
// - RetentionPeriodHours is the stream's retention age rounded up to hours;
//   a stream without an age limit (made by `spate stream create --retention …`
//   with bytes or records only) reports 8760, the Kinesis maximum.
// - Pagination tokens are base64 of "<kind>\u{0}<stream>\u{0}<last item>".

import Spate
import SpateJSON
import SpateLog

extension KinesisService {
    static let onDemandShardCount = 4
    static let retentionHoursRange = 24...8760

    func createStream(_ request: JSONValue) throws(KinesisError) -> [UInt8] {
        guard let name = try request.string("StreamName", required: true, lengths: 1...128) else { throw JSONValue.missing("StreamName") }
        var mode = "PROVISIONED"
        if case let .object(details)? = request["StreamModeDetails"], case let .string(value)? = details["StreamMode"] {
            guard value == "PROVISIONED" || value == "ON_DEMAND" else {
                throw .validation("1 validation error detected: Value '\(value)' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]")
            }
            mode = value
        }
        let shardCount: Int
        if let count = try request.integer("ShardCount", in: 1...Int(Int32.max)) {
            guard count <= StreamSettings.shardsMax else {
                throw .limitExceeded("This request would exceed the shard limit for the account \(KinesisNames.accountID). Current shard count for the account: 0. Limit: \(StreamSettings.shardsMax). Number of additional shards that would have resulted from this request: \(count).")
            }
            shardCount = count
        } else if mode == "ON_DEMAND" {
            shardCount = Self.onDemandShardCount
        } else {
            throw .invalidArgument("ShardCount is required for a PROVISIONED stream (or set StreamModeDetails to ON_DEMAND).")
        }
        do {
            try database.createStream(name, settings: StreamSettings(shardCount: shardCount, retentionAgeMs: 24 * 3_600_000))
        } catch {
            throw Self.translate(error, stream: name)
        }
        return Array("{}".utf8)
    }

    func deleteStream(_ request: JSONValue) throws(KinesisError) -> [UInt8] {
        let name = try KinesisNames.streamName(from: request)
        do { try database.deleteStream(name) } catch { throw Self.translate(error, stream: name) }
        return Array("{}".utf8)
    }

    static func retentionHours(_ settings: StreamSettings) -> Int {
        guard let ms = settings.retentionAgeMs else { return retentionHoursRange.upperBound }
        return Int((ms + 3_599_999) / 3_600_000)
    }

    private func writeStreamHeader(_ w: inout JSONWriter, _ stream: LogStream) {
        let settings = stream.settings
        w.key("StreamName"); w.string(stream.name)
        w.key("StreamARN"); w.string(KinesisNames.streamARN(stream.name))
        w.key("StreamStatus"); w.string("ACTIVE")
        w.key("StreamModeDetails"); w.beginObject(); w.key("StreamMode"); w.string("PROVISIONED"); w.endObject()
        w.key("RetentionPeriodHours"); w.integer(Self.retentionHours(settings))
        w.key("StreamCreationTimestamp"); w.epochSeconds(ms: stream.createdMs)
        w.key("EnhancedMonitoring"); w.beginArray(); w.beginObject(); w.key("ShardLevelMetrics"); w.beginArray(); w.endArray(); w.endObject(); w.endArray()
        w.key("EncryptionType"); w.string("NONE")
    }

    private func writeShard(_ w: inout JSONWriter, _ stream: LogStream, _ index: Int) {
        let range = stream.router.hashKeyRange(ofShard: index)
        w.beginObject()
        w.key("ShardId"); w.string(KinesisNames.shardID(index))
        w.key("HashKeyRange"); w.beginObject()
        w.key("StartingHashKey"); w.string(String(range.lowerBound))
        w.key("EndingHashKey"); w.string(String(range.upperBound))
        w.endObject()
        w.key("SequenceNumberRange"); w.beginObject()
        w.key("StartingSequenceNumber"); w.string(SequenceNumber(shard: index, offset: 0).text)
        w.endObject()
        w.endObject()
    }

    /// Shard indexes after `exclusiveStart` (a shard ID), at most `limit`.
    private func shardPage(_ stream: LogStream, after exclusiveStart: String?, limit: Int) -> (Range<Int>, hasMore: Bool) {
        var first = 0
        if let exclusiveStart {
            // Kinesis orders shard IDs as strings; ours are fixed-width, so that is index order.
            first = KinesisNames.shardIndex(exclusiveStart).map { $0 + 1 }
                ?? stream.shards.indices.first { KinesisNames.shardID($0) > exclusiveStart } ?? stream.shards.count
        }
        first = min(first, stream.shards.count)
        let end = min(stream.shards.count, first + limit)
        return (first..<end, end < stream.shards.count)
    }

    func describeStream(_ request: JSONValue) throws(KinesisError) -> [UInt8] {
        let limit = try request.integer("Limit", in: 1...10_000) ?? 100
        let exclusiveStart = try request.string("ExclusiveStartShardId", lengths: 1...128)
        let stream = try stream(request)
        let (page, hasMore) = shardPage(stream, after: exclusiveStart, limit: limit)
        var w = JSONWriter(capacity: 512 + page.count * 220)
        w.beginObject()
        w.key("StreamDescription"); w.beginObject()
        writeStreamHeader(&w, stream)
        w.key("Shards"); w.beginArray()
        for index in page { writeShard(&w, stream, index) }
        w.endArray()
        w.key("HasMoreShards"); w.bool(hasMore)
        w.endObject()
        w.endObject()
        return w.bytes
    }

    func describeStreamSummary(_ request: JSONValue) throws(KinesisError) -> [UInt8] {
        let stream = try stream(request)
        var w = JSONWriter(capacity: 512)
        w.beginObject()
        w.key("StreamDescriptionSummary"); w.beginObject()
        writeStreamHeader(&w, stream)
        w.key("OpenShardCount"); w.integer(stream.shards.count)
        w.key("ConsumerCount"); w.integer(0)
        w.endObject()
        w.endObject()
        return w.bytes
    }

    static func pageToken(_ parts: [String]) -> String { Base64.encode(Array(parts.joined(separator: "\u{0}").utf8)) }

    static func readPageToken(_ token: String, kind: String, parts count: Int) throws(KinesisError) -> [String] {
        guard let bytes = Base64.decode(token), let text = String(validating: bytes, as: UTF8.self) else {
            throw .invalidArgument("NextToken \(token) is invalid.")
        }
        let parts = text.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == count, parts[0] == kind else { throw .invalidArgument("NextToken \(token) is invalid.") }
        return parts
    }

    /// The streams `caller` may read, a page at a time.
    func listStreams(_ request: JSONValue, caller: Principal) throws(KinesisError) -> [UInt8] {
        let limit = try request.integer("Limit", in: 1...10_000) ?? 100
        var after = try request.string("ExclusiveStartStreamName", lengths: 1...128)
        if let token = try request.string("NextToken", lengths: 1...1048576) {
            after = try Self.readPageToken(token, kind: "streams", parts: 2)[1]
        }
        var names: [String]
        do { names = try database.streamNames() } catch { throw Self.translate(error, stream: "") }
        if !caller.isUnrestricted { names = names.filter { caller.allows(.read, on: $0) } }
        let remaining = after.map { a in names.filter { $0 > a } } ?? names
        let page = remaining.prefix(limit)
        var w = JSONWriter(capacity: 128 + page.count * 200)
        w.beginObject()
        w.key("StreamNames"); w.beginArray()
        for name in page { w.string(name) }
        w.endArray()
        w.key("HasMoreStreams"); w.bool(remaining.count > page.count)
        if remaining.count > page.count, let last = page.last {
            w.key("NextToken"); w.string(Self.pageToken(["streams", last]))
        }
        w.key("StreamSummaries"); w.beginArray()
        for name in page {
            guard let stream = try? database.stream(name) else { continue }  // deleted meanwhile
            w.beginObject()
            w.key("StreamName"); w.string(name)
            w.key("StreamARN"); w.string(KinesisNames.streamARN(name))
            w.key("StreamStatus"); w.string("ACTIVE")
            w.key("StreamModeDetails"); w.beginObject(); w.key("StreamMode"); w.string("PROVISIONED"); w.endObject()
            w.key("StreamCreationTimestamp"); w.epochSeconds(ms: stream.createdMs)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.bytes
    }

    func listShards(_ request: JSONValue) throws(KinesisError) -> [UInt8] {
        let limit = try request.integer("MaxResults", in: 1...10_000) ?? 1000
        let token = try request.string("NextToken", lengths: 1...1048576)
        var exclusiveStart = try request.string("ExclusiveStartShardId", lengths: 1...128)
        let stream: LogStream
        if let token {
            if request["StreamName"] != nil || request["StreamARN"] != nil {
                throw .invalidArgument("NextToken and StreamName cannot be provided together.")
            }
            let parts = try Self.readPageToken(token, kind: "shards", parts: 4)
            stream = try self.stream(named: parts[1])
            guard parts[2] == String(stream.createdMs) else { throw .expiredNextToken() }
            exclusiveStart = parts[3]
        } else {
            stream = try self.stream(request)
        }
        let (page, hasMore) = shardPage(stream, after: exclusiveStart, limit: limit)
        var w = JSONWriter(capacity: 128 + page.count * 220)
        w.beginObject()
        w.key("Shards"); w.beginArray()
        for index in page { writeShard(&w, stream, index) }
        w.endArray()
        if hasMore, let last = page.last {
            w.key("NextToken"); w.string(Self.pageToken(["shards", stream.name, String(stream.createdMs), KinesisNames.shardID(last)]))
        }
        w.endObject()
        return w.bytes
    }

    func changeRetention(_ request: JSONValue, increase: Bool) throws(KinesisError) -> [UInt8] {
        guard let hours = try request.integer("RetentionPeriodHours", in: 1...Int(Int32.max), required: true) else {
            throw JSONValue.missing("RetentionPeriodHours")
        }
        let name = try KinesisNames.streamName(from: request)
        let stream = try self.stream(named: name)
        if hours < Self.retentionHoursRange.lowerBound {
            throw .invalidArgument("Minimum allowed retention period is \(Self.retentionHoursRange.lowerBound) hours. Requested retention period (\(hours) hours) is too short.")
        }
        if hours > Self.retentionHoursRange.upperBound {
            throw .invalidArgument("Maximum allowed retention period is \(Self.retentionHoursRange.upperBound) hours. Requested retention period (\(hours) hours) is too long.")
        }
        let current = Self.retentionHours(stream.settings)
        if increase && hours < current {
            throw .invalidArgument("Requested retention period (\(hours) hours) for stream \(name) can not be shorter than existing retention period (\(current) hours). Use DecreaseStreamRetentionPeriod API.")
        }
        if !increase && hours > current {
            throw .invalidArgument("Requested retention period (\(hours) hours) for stream \(name) can not be longer than existing retention period (\(current) hours). Use IncreaseStreamRetentionPeriod API.")
        }
        do {
            try database.alterStream(name) { $0.retentionAgeMs = Int64(hours) * 3_600_000 }
        } catch {
            throw Self.translate(error, stream: name)
        }
        return Array("{}".utf8)
    }
}

extension KinesisError {
    static func expiredNextToken() -> KinesisError {
        KinesisError("ExpiredNextTokenException", "The NextToken is for a stream that no longer exists.")
    }
}
