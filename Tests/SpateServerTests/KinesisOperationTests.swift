// Every Kinesis operation over HTTP on 127.0.0.1, and the errors a client can
// cause, with the status and `__type` botocore reads.

import Foundation
import SpateLog
@testable import SpateServer
import Testing

@Suite struct KinesisOperationTests {
    @discardableResult
    func ok(_ server: TestServer, _ operation: String, _ body: String) throws -> [String: Any] {
        let result = try server.call(operation, body)
        #expect(result.status == 200, "\(operation): \(result.text)")
        #expect(result.headers["content-type"] == "application/x-amz-json-1.1")
        return result.json
    }

    func expectError(_ server: TestServer, _ operation: String, _ body: String, _ type: String, status: Int = 400,
                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try server.call(operation, body)
        #expect(result.status == status, "\(operation) \(body): \(result.text)", sourceLocation: sourceLocation)
        #expect(result.errorType == type, "\(operation) \(body): \(result.text)", sourceLocation: sourceLocation)
        #expect((result.json["message"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
    }

    @Test func createDescribeListDeleteStream() throws {
        let server = try TestServer()
        try ok(server, "CreateStream", #"{"StreamName":"tx","ShardCount":3}"#)
        #expect(server.log.streamExists("tx"))
        #expect(try server.log.stream("tx").settings.retentionAgeMs == 24 * 3_600_000)
        let description = try ok(server, "DescribeStream", #"{"StreamName":"tx"}"#)["StreamDescription"] as! [String: Any]
        #expect(description["StreamStatus"] as? String == "ACTIVE")
        #expect(description["StreamARN"] as? String == "arn:aws:kinesis:us-east-1:000000000000:stream/tx")
        #expect(description["RetentionPeriodHours"] as? Int == 24)
        #expect(description["HasMoreShards"] as? Bool == false)
        let shards = description["Shards"] as! [[String: Any]]
        #expect(shards.map { $0["ShardId"] as? String } == ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"])
        let ranges = shards.map { $0["HashKeyRange"] as! [String: String] }
        #expect(ranges[0]["StartingHashKey"] == "0")
        #expect(ranges[2]["EndingHashKey"] == "340282366920938463463374607431768211455")
        // Contiguous ranges: each starts one after the previous ends.
        for i in 1..<3 { #expect(UInt128(ranges[i]["StartingHashKey"]!)! == UInt128(ranges[i - 1]["EndingHashKey"]!)! + 1) }
        #expect((shards[1]["SequenceNumberRange"] as! [String: String])["StartingSequenceNumber"] == "40000100000000000000000000")

        let page = try ok(server, "DescribeStream", #"{"StreamName":"tx","Limit":1,"ExclusiveStartShardId":"shardId-000000000000"}"#)["StreamDescription"] as! [String: Any]
        #expect((page["Shards"] as! [[String: Any]]).map { $0["ShardId"] as? String } == ["shardId-000000000001"])
        #expect(page["HasMoreShards"] as? Bool == true)

        let summary = try ok(server, "DescribeStreamSummary", #"{"StreamName":"tx"}"#)["StreamDescriptionSummary"] as! [String: Any]
        #expect(summary["OpenShardCount"] as? Int == 3)
        #expect(summary["StreamName"] as? String == "tx")

        try ok(server, "CreateStream", #"{"StreamName":"od","StreamModeDetails":{"StreamMode":"ON_DEMAND"}}"#)
        #expect(try server.log.stream("od").shards.count == 4)
        let list = try ok(server, "ListStreams", #"{"Limit":1}"#)
        #expect(list["StreamNames"] as? [String] == ["od"])
        #expect(list["HasMoreStreams"] as? Bool == true)
        let next = try ok(server, "ListStreams", "{\"NextToken\":\"\(list["NextToken"] as! String)\"}")
        #expect(next["StreamNames"] as? [String] == ["tx"])
        #expect(next["HasMoreStreams"] as? Bool == false)
        #expect(((next["StreamSummaries"] as? [[String: Any]])?.first?["StreamStatus"] as? String) == "ACTIVE")
        #expect(try ok(server, "ListStreams", #"{"ExclusiveStartStreamName":"od"}"#)["StreamNames"] as? [String] == ["tx"])

        try ok(server, "DeleteStream", #"{"StreamName":"od"}"#)
        #expect(!server.log.streamExists("od"))
        try expectError(server, "DeleteStream", #"{"StreamName":"od"}"#, "ResourceNotFoundException")
    }

    @Test func streamErrors() throws {
        let server = try TestServer()
        try ok(server, "CreateStream", #"{"StreamName":"tx","ShardCount":1}"#)
        try expectError(server, "CreateStream", #"{"StreamName":"tx","ShardCount":1}"#, "ResourceInUseException")
        try expectError(server, "CreateStream", #"{"StreamName":"bad name","ShardCount":1}"#, "ValidationException")
        try expectError(server, "CreateStream", #"{"ShardCount":1}"#, "ValidationException")
        try expectError(server, "CreateStream", #"{"StreamName":"x","ShardCount":0}"#, "ValidationException")
        try expectError(server, "CreateStream", #"{"StreamName":"x"}"#, "InvalidArgumentException")
        try expectError(server, "CreateStream", #"{"StreamName":"x","ShardCount":5000}"#, "LimitExceededException")
        try expectError(server, "CreateStream", #"{"StreamName":"x","ShardCount":"two"}"#, "SerializationException")
        try expectError(server, "DescribeStream", #"{"StreamName":"nope"}"#, "ResourceNotFoundException")
        try expectError(server, "DescribeStreamSummary", #"{"StreamName":"nope"}"#, "ResourceNotFoundException")
        try expectError(server, "ListShards", #"{"StreamName":"nope"}"#, "ResourceNotFoundException")
        try expectError(server, "DescribeStream", #"{"StreamName":"tx","Limit":0}"#, "ValidationException")
        try expectError(server, "ListStreams", #"{"NextToken":"garbage"}"#, "InvalidArgumentException")
        try expectError(server, "CreateStream", #"{"StreamName":"x","#, "SerializationException")
        try expectError(server, "CreateStream", #"[1,2]"#, "SerializationException")
        try expectError(server, "FlyToTheMoon", #"{}"#, "UnknownOperationException")
    }

    @Test func listShardsPages() throws {
        let server = try TestServer()
        try ok(server, "CreateStream", #"{"StreamName":"tx","ShardCount":3}"#)
        let first = try ok(server, "ListShards", #"{"StreamName":"tx","MaxResults":2}"#)
        #expect((first["Shards"] as! [[String: Any]]).count == 2)
        let token = first["NextToken"] as! String
        let rest = try ok(server, "ListShards", "{\"NextToken\":\"\(token)\"}")
        #expect((rest["Shards"] as! [[String: Any]]).map { $0["ShardId"] as? String } == ["shardId-000000000002"])
        #expect(rest["NextToken"] == nil)
        try expectError(server, "ListShards", "{\"NextToken\":\"\(token)\",\"StreamName\":\"tx\"}", "InvalidArgumentException")
        let after = try ok(server, "ListShards", #"{"StreamName":"tx","ExclusiveStartShardId":"shardId-000000000000"}"#)
        #expect((after["Shards"] as! [[String: Any]]).count == 2)
        // A stream named by ARN works as by name.
        let byARN = try ok(server, "ListShards", #"{"StreamARN":"arn:aws:kinesis:eu-west-1:000000000000:stream/tx"}"#)
        #expect((byARN["Shards"] as! [[String: Any]]).count == 3)
    }

    @Test func putRecordThenGetRecordsRoundTrip() throws {
        let server = try TestServer()
        try ok(server, "CreateStream", #"{"StreamName":"tx","ShardCount":2}"#)
        let bytes = (0..<256).map { UInt8($0) }
        let put = try ok(server, "PutRecord", "{\"StreamName\":\"tx\",\"PartitionKey\":\"user\\\"1\",\"Data\":\"\(Data(bytes).base64EncodedString())\"}")
        let shardID = put["ShardId"] as! String
        let sequence = put["SequenceNumber"] as! String
        #expect(sequence.count == 26 && sequence.hasPrefix("4"))
        // Routed as Kinesis routes: MD5 of the key.
        #expect(shardID == KinesisNames.shardID(PartitionRouter(shardCount: 2).shard(forKey: "user\"1")))
        let second = try ok(server, "PutRecord", "{\"StreamName\":\"tx\",\"PartitionKey\":\"user\\\"1\",\"Data\":\"\(base64("two"))\"}")
        #expect((second["SequenceNumber"] as! String) > sequence)  // string order = numeric order

        let iterator = try ok(server, "GetShardIterator", "{\"StreamName\":\"tx\",\"ShardId\":\"\(shardID)\",\"ShardIteratorType\":\"TRIM_HORIZON\"}")["ShardIterator"] as! String
        let got = try ok(server, "GetRecords", "{\"ShardIterator\":\"\(iterator)\"}")
        let records = got["Records"] as! [[String: Any]]
        #expect(records.count == 2)
        #expect(Data(base64Encoded: records[0]["Data"] as! String) == Data(bytes))
        #expect(records[0]["PartitionKey"] as? String == "user\"1")
        #expect(records[0]["SequenceNumber"] as? String == sequence)
        let arrival = records[0]["ApproximateArrivalTimestamp"] as! Double
        #expect(abs(arrival - Date().timeIntervalSince1970) < 60)
        #expect(got["MillisBehindLatest"] as? Int == 0)
        // The next iterator continues after what was read.
        let next = got["NextShardIterator"] as! String
        #expect((try ok(server, "GetRecords", "{\"ShardIterator\":\"\(next)\"}")["Records"] as! [Any]).isEmpty)
        _ = try ok(server, "PutRecord", "{\"StreamName\":\"tx\",\"PartitionKey\":\"user\\\"1\",\"Data\":\"\(base64("three"))\"}")
        let third = try ok(server, "GetRecords", "{\"ShardIterator\":\"\(next)\"}")["Records"] as! [[String: Any]]
        #expect(third.map { $0["Data"] as? String } == [base64("three")])
        // Records put over HTTP are the log's records: `spate cat` and the REPL see them.
        let reader = try server.log.stream("tx").reader(shard: KinesisNames.shardIndex(shardID)!, from: .earliest)
        let batch = ReadBatch()
        #expect(try reader.read(into: batch) == 3)
        #expect(Array(batch[1].payload) == Array("two".utf8))
    }

    @Test func explicitHashKeyRoutes() throws {
        let server = try TestServer()
        try ok(server, "CreateStream", #"{"StreamName":"tx","ShardCount":4}"#)
        let top = try ok(server, "PutRecord", "{\"StreamName\":\"tx\",\"PartitionKey\":\"k\",\"ExplicitHashKey\":\"340282366920938463463374607431768211455\",\"Data\":\"\(base64("x"))\"}")
        #expect(top["ShardId"] as? String == "shardId-000000000003")
        let bottom = try ok(server, "PutRecord", "{\"StreamName\":\"tx\",\"PartitionKey\":\"k\",\"ExplicitHashKey\":\"0\",\"Data\":\"\(base64("x"))\"}")
        #expect(bottom["ShardId"] as? String == "shardId-000000000000")
        try expectError(server, "PutRecord", "{\"StreamName\":\"tx\",\"PartitionKey\":\"k\",\"ExplicitHashKey\":\"340282366920938463463374607431768211456\",\"Data\":\"\(base64("x"))\"}", "InvalidArgumentException")
    }

    @Test func putRecordErrors() throws {
        let server = try TestServer()
        try ok(server, "CreateStream", #"{"StreamName":"tx","ShardCount":1}"#)
        try expectError(server, "PutRecord", "{\"StreamName\":\"nope\",\"PartitionKey\":\"k\",\"Data\":\"\(base64("x"))\"}", "ResourceNotFoundException")
        try expectError(server, "PutRecord", #"{"StreamName":"tx","Data":"eA=="}"#, "ValidationException")
        try expectError(server, "PutRecord", #"{"StreamName":"tx","PartitionKey":"k"}"#, "ValidationException")
        try expectError(server, "PutRecord", #"{"StreamName":"tx","PartitionKey":"","Data":"eA=="}"#, "ValidationException")
        try expectError(server, "PutRecord", "{\"StreamName\":\"tx\",\"PartitionKey\":\"\(String(repeating: "k", count: 257))\",\"Data\":\"eA==\"}", "ValidationException")
        try expectError(server, "PutRecord", #"{"StreamName":"tx","PartitionKey":"k","Data":"not base64!"}"#, "SerializationException")
        let big = Data(count: RecordFrame.recordBytesMax).base64EncodedString()
        try expectError(server, "PutRecord", "{\"StreamName\":\"tx\",\"PartitionKey\":\"k\",\"Data\":\"\(big)\"}", "InvalidArgumentException")
        #expect(try server.log.stream("tx").describe().recordCount == 0)
    }

    @Test func putRecordsReportsFailuresPerRecord() throws {
        let server = try TestServer()
        try ok(server, "CreateStream", #"{"StreamName":"tx","ShardCount":2}"#)
        var entries = (0..<6).map { "{\"PartitionKey\":\"user\($0)\",\"Data\":\"\(base64("{\"i\":\($0)}"))\"}" }
        entries.insert("{\"PartitionKey\":\"big\",\"Data\":\"\(Data(count: RecordFrame.recordBytesMax + 1).base64EncodedString())\"}", at: 2)
        entries.insert(#"{"PartitionKey":"bad","Data":"%%%%"}"#, at: 5)
        let out = try ok(server, "PutRecords", "{\"StreamName\":\"tx\",\"Records\":[\(entries.joined(separator: ","))]}")
        #expect(out["FailedRecordCount"] as? Int == 2)
        let results = out["Records"] as! [[String: Any]]
        #expect(results.count == 8)
        #expect(results[2]["ErrorCode"] as? String == "InvalidArgumentException")
        #expect(results[5]["ErrorCode"] as? String == "SerializationException")
        #expect(results[2]["SequenceNumber"] == nil)
        let stored = results.enumerated().filter { $0.offset != 2 && $0.offset != 5 }.map(\.element)
        #expect(stored.allSatisfy { $0["SequenceNumber"] is String && $0["ShardId"] is String && $0["ErrorCode"] == nil })
        #expect(try server.log.stream("tx").describe().recordCount == 6)
        // Per shard, sequence numbers follow the order of the request.
        for shard in ["shardId-000000000000", "shardId-000000000001"] {
            let sequences = stored.filter { $0["ShardId"] as? String == shard }.map { $0["SequenceNumber"] as! String }
            #expect(sequences == sequences.sorted())
        }
    }

    @Test func putRecordsRequestLimits() throws {
        let server = try TestServer()
        try ok(server, "CreateStream", #"{"StreamName":"tx","ShardCount":1}"#)
        let one = #"{"PartitionKey":"k","Data":"eA=="}"#
        try expectError(server, "PutRecords", "{\"StreamName\":\"tx\",\"Records\":[\(Array(repeating: one, count: 501).joined(separator: ","))]}", "ValidationException")
        try expectError(server, "PutRecords", #"{"StreamName":"tx","Records":[]}"#, "ValidationException")
        try expectError(server, "PutRecords", #"{"StreamName":"tx"}"#, "ValidationException")
        // Over 5 MiB in all (six records of 1 MiB minus a little): refused whole.
        let nearMiB = "{\"PartitionKey\":\"k\",\"Data\":\"\(Data(count: (1 << 20) - 16).base64EncodedString())\"}"
        try expectError(server, "PutRecords", "{\"StreamName\":\"tx\",\"Records\":[\(Array(repeating: nearMiB, count: 6).joined(separator: ","))]}", "InvalidArgumentException")
        #expect(try server.log.stream("tx").describe().recordCount == 0)
        let full = try ok(server, "PutRecords", "{\"StreamName\":\"tx\",\"Records\":[\(Array(repeating: one, count: 500).joined(separator: ","))]}")
        #expect(full["FailedRecordCount"] as? Int == 0)
        #expect(try server.log.stream("tx").describe().recordCount == 500)
    }

    func iterator(_ server: TestServer, _ extra: String) throws -> String {
        try ok(server, "GetShardIterator", "{\"StreamName\":\"tx\",\"ShardId\":\"shardId-000000000000\",\(extra)}")["ShardIterator"] as! String
    }

    func read(_ server: TestServer, _ iterator: String, limit: Int? = nil) throws -> [String] {
        let limitText = limit.map { ",\"Limit\":\($0)" } ?? ""
        let records = try ok(server, "GetRecords", "{\"ShardIterator\":\"\(iterator)\"\(limitText)}")["Records"] as! [[String: Any]]
        return records.map { String(decoding: Data(base64Encoded: $0["Data"] as! String)!, as: UTF8.self) }
    }

    @Test func everyIteratorType() throws {
        let server = try TestServer()
        try ok(server, "CreateStream", #"{"StreamName":"tx","ShardCount":1}"#)
        var sequences: [String] = []
        for i in 0..<3 {
            sequences.append(try ok(server, "PutRecord", "{\"StreamName\":\"tx\",\"PartitionKey\":\"k\",\"Data\":\"\(base64("r\(i)"))\"}")["SequenceNumber"] as! String)
        }
        #expect(try read(server, try iterator(server, #""ShardIteratorType":"TRIM_HORIZON""#)) == ["r0", "r1", "r2"])
        #expect(try read(server, try iterator(server, "\"ShardIteratorType\":\"AT_SEQUENCE_NUMBER\",\"StartingSequenceNumber\":\"\(sequences[1])\"")) == ["r1", "r2"])
        #expect(try read(server, try iterator(server, "\"ShardIteratorType\":\"AFTER_SEQUENCE_NUMBER\",\"StartingSequenceNumber\":\"\(sequences[1])\"")) == ["r2"])
        let latest = try iterator(server, #""ShardIteratorType":"LATEST""#)
        #expect(try read(server, latest).isEmpty)
        _ = try ok(server, "PutRecord", "{\"StreamName\":\"tx\",\"PartitionKey\":\"k\",\"Data\":\"\(base64("r3"))\"}")
        #expect(try read(server, latest) == ["r3"])
        // AT_TIMESTAMP: records that arrived at or after the time.
        let now = Double(server.clock.now()) / 1000
        #expect(try read(server, try iterator(server, "\"ShardIteratorType\":\"AT_TIMESTAMP\",\"Timestamp\":\(now - 3600)")) == ["r0", "r1", "r2", "r3"])
        let later = try iterator(server, "\"ShardIteratorType\":\"AT_TIMESTAMP\",\"Timestamp\":\(now)")
        #expect(try read(server, later).isEmpty)
        server.clock.advance(ms: 5)
        _ = try ok(server, "PutRecord", "{\"StreamName\":\"tx\",\"PartitionKey\":\"k\",\"Data\":\"\(base64("r4"))\"}")
        #expect(try read(server, later) == ["r4"])
        // Limit.
        #expect(try read(server, try iterator(server, #""ShardIteratorType":"TRIM_HORIZON""#), limit: 2) == ["r0", "r1"])
    }

    @Test func getRecordsReportsLagWhenLimited() throws {
        let server = try TestServer()
        try ok(server, "CreateStream", #"{"StreamName":"tx","ShardCount":1}"#)
        for i in 0..<3 { _ = try ok(server, "PutRecord", "{\"StreamName\":\"tx\",\"PartitionKey\":\"k\",\"Data\":\"\(base64("r\(i)"))\"}") }
        server.clock.advance(ms: 60_000)
        let first = try ok(server, "GetRecords", "{\"ShardIterator\":\"\(try iterator(server, #""ShardIteratorType":"TRIM_HORIZON""#))\",\"Limit\":1}")
        #expect((first["MillisBehindLatest"] as! Int) >= 60_000)
        let rest = try ok(server, "GetRecords", "{\"ShardIterator\":\"\(first["NextShardIterator"] as! String)\"}")
        #expect((rest["Records"] as! [Any]).count == 2)
        #expect(rest["MillisBehindLatest"] as? Int == 0)
    }

    @Test func iteratorErrors() throws {
        let server = try TestServer()
        try ok(server, "CreateStream", #"{"StreamName":"tx","ShardCount":2}"#)
        let put = try ok(server, "PutRecords", #"{"StreamName":"tx","Records":[{"PartitionKey":"a","Data":"eA=="},{"PartitionKey":"b","Data":"eA=="},{"PartitionKey":"c","Data":"eA=="}]}"#)
        let results = put["Records"] as! [[String: Any]]
        let onOne = results.first { $0["ShardId"] as? String == "shardId-000000000001" }!["SequenceNumber"] as! String
        let body = { (type: String, extra: String) in "{\"StreamName\":\"tx\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"\(type)\"\(extra)}" }
        try expectError(server, "GetShardIterator", body("AT_SEQUENCE_NUMBER", ",\"StartingSequenceNumber\":\"\(onOne)\""), "InvalidArgumentException")
        try expectError(server, "GetShardIterator", body("AT_SEQUENCE_NUMBER", ""), "InvalidArgumentException")
        try expectError(server, "GetShardIterator", body("AFTER_SEQUENCE_NUMBER", ",\"StartingSequenceNumber\":\"12\""), "InvalidArgumentException")
        try expectError(server, "GetShardIterator", body("AT_TIMESTAMP", ""), "InvalidArgumentException")
        try expectError(server, "GetShardIterator", body("AT_TIMESTAMP", ",\"Timestamp\":\(Double(server.clock.now()) / 1000 + 3600)"), "InvalidArgumentException")
        try expectError(server, "GetShardIterator", body("SOMEWHERE", ""), "ValidationException")
        try expectError(server, "GetShardIterator", #"{"StreamName":"tx","ShardId":"shardId-000000000002","ShardIteratorType":"LATEST"}"#, "ResourceNotFoundException")
        try expectError(server, "GetShardIterator", #"{"StreamName":"nope","ShardId":"shardId-000000000000","ShardIteratorType":"LATEST"}"#, "ResourceNotFoundException")
        try expectError(server, "GetRecords", #"{"ShardIterator":"bm90IGFuIGl0ZXJhdG9y"}"#, "InvalidArgumentException")
        try expectError(server, "GetRecords", #"{}"#, "ValidationException")
        let it = try iterator(server, #""ShardIteratorType":"TRIM_HORIZON""#)
        try expectError(server, "GetRecords", "{\"ShardIterator\":\"\(it)\",\"Limit\":10001}", "ValidationException")
        try expectError(server, "GetRecords", "{\"ShardIterator\":\"\(it)\",\"Limit\":0}", "ValidationException")
        // Iterators expire after 5 minutes, as in Kinesis; a fresh one works.
        server.clock.advance(ms: ShardIterator.lifetimeMs + 1000)
        try expectError(server, "GetRecords", "{\"ShardIterator\":\"\(it)\"}", "ExpiredIteratorException")
        _ = try read(server, try iterator(server, #""ShardIteratorType":"TRIM_HORIZON""#))
        // An iterator of a stream deleted (and created again) is refused.
        let old = try iterator(server, #""ShardIteratorType":"TRIM_HORIZON""#)
        try ok(server, "DeleteStream", #"{"StreamName":"tx"}"#)
        try expectError(server, "GetRecords", "{\"ShardIterator\":\"\(old)\"}", "ResourceNotFoundException")
        server.clock.advance(ms: 10)
        try ok(server, "CreateStream", #"{"StreamName":"tx","ShardCount":2}"#)
        try expectError(server, "GetRecords", "{\"ShardIterator\":\"\(old)\"}", "ResourceNotFoundException")
    }

    @Test func retentionPeriod() throws {
        let server = try TestServer()
        try ok(server, "CreateStream", #"{"StreamName":"tx","ShardCount":1}"#)
        try ok(server, "IncreaseStreamRetentionPeriod", #"{"StreamName":"tx","RetentionPeriodHours":168}"#)
        #expect(try server.log.stream("tx").settings.retentionAgeMs == 168 * 3_600_000)
        let summary = try ok(server, "DescribeStreamSummary", #"{"StreamName":"tx"}"#)["StreamDescriptionSummary"] as! [String: Any]
        #expect(summary["RetentionPeriodHours"] as? Int == 168)
        try expectError(server, "IncreaseStreamRetentionPeriod", #"{"StreamName":"tx","RetentionPeriodHours":48}"#, "InvalidArgumentException")
        try expectError(server, "IncreaseStreamRetentionPeriod", #"{"StreamName":"tx","RetentionPeriodHours":9000}"#, "InvalidArgumentException")
        try ok(server, "DecreaseStreamRetentionPeriod", #"{"StreamName":"tx","RetentionPeriodHours":48}"#)
        #expect(try server.log.stream("tx").settings.retentionAgeMs == 48 * 3_600_000)
        try expectError(server, "DecreaseStreamRetentionPeriod", #"{"StreamName":"tx","RetentionPeriodHours":72}"#, "InvalidArgumentException")
        try expectError(server, "DecreaseStreamRetentionPeriod", #"{"StreamName":"tx","RetentionPeriodHours":23}"#, "InvalidArgumentException")
        try expectError(server, "DecreaseStreamRetentionPeriod", #"{"StreamName":"nope","RetentionPeriodHours":24}"#, "ResourceNotFoundException")
        try expectError(server, "DecreaseStreamRetentionPeriod", #"{"StreamName":"tx"}"#, "ValidationException")
    }
}
