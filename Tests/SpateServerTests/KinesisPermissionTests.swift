// What each Kinesis operation needs (issue 19), in process: for every
// operation a principal whose grants allow it succeeds and one whose grants do
// not gets AccessDeniedException (400) naming the principal, the operation and
// the stream's ARN in AWS's words — before the stream is looked at, so a
// stream that does not exist is denied the same way. ListStreams lists what
// the caller may read. (Tests/compat/kinesis_permissions_test.py does the same
// with boto3 over HTTP; this suite pins each rule where a failure is quick to read.)

import Foundation
import Spate
import SpateLog
@testable import SpateServer
import Testing

@Suite struct KinesisPermissionTests {
    let directory = TemporaryDirectory()
    let service: KinesisService
    let policy: AccessPolicy

    init() throws {
        let database = try Database.open(directory.path + "/data")
        service = KinesisService(database: database)
        policy = try AccessPolicy.parse("""
            [ops]
            aws_access_key_id = AKIDOPS
            aws_secret_access_key = o
            allow = admin on tx*
            [producer]
            aws_access_key_id = AKIDPRODUCER
            aws_secret_access_key = p
            allow = write on tx*
            [consumer]
            aws_access_key_id = AKIDCONSUMER
            aws_secret_access_key = c
            allow = read on tx*
            [reader]
            aws_access_key_id = AKIDREADER
            aws_secret_access_key = r
            allow = read on *
            """, path: "creds")
        for (name, shards) in [("tx", 1), ("orders", 2)] {
            #expect(call("CreateStream", #"{"StreamName":"\#(name)","ShardCount":\#(shards)}"#, as: .local).status == 200)
        }
    }

    func principal(_ name: String) -> Principal { policy.principals.first { $0.name == name }! }

    func call(_ operation: String, _ body: String, as caller: Principal) -> (status: Int, json: [String: Any]) {
        let response = service.handle(operation: operation, body: Array(body.utf8), caller: caller)
        return (response.status, (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:])
    }

    func call(_ operation: String, _ body: String, as name: String) -> (status: Int, json: [String: Any]) {
        call(operation, body, as: principal(name))
    }

    /// Expects `name` to be refused `operation` on `stream`, with AWS's wording and what was needed.
    func expectDenied(_ operation: String, _ body: String, as name: String, stream: String, needs: String,
                      sourceLocation: SourceLocation = #_sourceLocation) {
        let (status, json) = call(operation, body, as: name)
        #expect(status == 400, sourceLocation: sourceLocation)
        #expect(json["__type"] as? String == "AccessDeniedException", "\(json)", sourceLocation: sourceLocation)
        let message = json["message"] as? String ?? ""
        let aws = "User: arn:aws:iam::000000000000:user/\(name) is not authorized to perform: kinesis:\(operation) on resource: "
            + "arn:aws:kinesis:us-east-1:000000000000:stream/\(stream) because no identity-based policy allows the kinesis:\(operation) action"
        #expect(message.hasPrefix(aws), "\(message)", sourceLocation: sourceLocation)
        #expect(message.contains("(it needs \(needs) on \(stream); \(name) is allowed: \(principal(name).grantsText))"), "\(message)",
                sourceLocation: sourceLocation)
    }

    func expectAllowed(_ operation: String, _ body: String, as name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let (status, json) = call(operation, body, as: name)
        #expect(status == 200, "\(name) \(operation): \(json)", sourceLocation: sourceLocation)
    }

    @Test func streamManagementNeedsAdminOnTheName() {
        expectAllowed("CreateStream", #"{"StreamName":"tx-eu","ShardCount":1}"#, as: "ops")
        expectDenied("CreateStream", #"{"StreamName":"orders-eu","ShardCount":1}"#, as: "ops", stream: "orders-eu", needs: "admin")
        expectDenied("CreateStream", #"{"StreamName":"tx-us","ShardCount":1}"#, as: "producer", stream: "tx-us", needs: "admin")
        expectDenied("CreateStream", #"{"StreamName":"tx-us","ShardCount":1}"#, as: "reader", stream: "tx-us", needs: "admin")
        expectAllowed("IncreaseStreamRetentionPeriod", #"{"StreamName":"tx","RetentionPeriodHours":48}"#, as: "ops")
        expectDenied("IncreaseStreamRetentionPeriod", #"{"StreamName":"tx","RetentionPeriodHours":72}"#, as: "consumer", stream: "tx", needs: "admin")
        expectAllowed("DecreaseStreamRetentionPeriod", #"{"StreamName":"tx","RetentionPeriodHours":24}"#, as: "ops")
        expectDenied("DecreaseStreamRetentionPeriod", #"{"StreamName":"orders","RetentionPeriodHours":24}"#, as: "ops", stream: "orders", needs: "admin")
        expectDenied("DeleteStream", #"{"StreamName":"tx-eu"}"#, as: "producer", stream: "tx-eu", needs: "admin")
        expectDenied("DeleteStream", #"{"StreamName":"orders"}"#, as: "ops", stream: "orders", needs: "admin")
        expectAllowed("DeleteStream", #"{"StreamName":"tx-eu"}"#, as: "ops")
        #expect(call("DescribeStreamSummary", #"{"StreamName":"orders"}"#, as: "reader").status == 200, "orders is still there")
    }

    @Test func puttingNeedsWrite() {
        let record = #"{"Data":"eyJhIjoxfQ==","PartitionKey":"k"}"#
        expectAllowed("PutRecord", #"{"StreamName":"tx","Data":"eyJhIjoxfQ==","PartitionKey":"k"}"#, as: "producer")
        expectAllowed("PutRecords", #"{"StreamName":"tx","Records":[\#(record),\#(record)]}"#, as: "producer")
        expectAllowed("PutRecords", #"{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/tx","Records":[\#(record)]}"#, as: "producer")
        expectAllowed("PutRecord", #"{"StreamName":"tx","Data":"eyJhIjoxfQ==","PartitionKey":"k"}"#, as: "ops")
        expectDenied("PutRecord", #"{"StreamName":"orders","Data":"eyJhIjoxfQ==","PartitionKey":"k"}"#, as: "producer", stream: "orders", needs: "write")
        expectDenied("PutRecords", #"{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/orders","Records":[\#(record)]}"#,
                     as: "producer", stream: "orders", needs: "write")
        expectDenied("PutRecord", #"{"StreamName":"tx","Data":"eyJhIjoxfQ==","PartitionKey":"k"}"#, as: "consumer", stream: "tx", needs: "write")
        expectDenied("PutRecords", #"{"StreamName":"tx","Records":[\#(record)]}"#, as: "reader", stream: "tx", needs: "write")
        // Nothing the denied calls sent was stored.
        #expect(try! service.database.describeStream("tx").recordCount == 5)
        #expect(try! service.database.describeStream("orders").recordCount == 0)
    }

    @Test func readingNeedsRead() throws {
        expectAllowed("PutRecord", #"{"StreamName":"tx","Data":"eyJhIjoxfQ==","PartitionKey":"k"}"#, as: "producer")
        for operation in ["DescribeStream", "DescribeStreamSummary", "ListShards"] {
            expectAllowed(operation, #"{"StreamName":"tx"}"#, as: "consumer")
            expectDenied(operation, #"{"StreamName":"tx"}"#, as: "producer", stream: "tx", needs: "read")
            expectDenied(operation, #"{"StreamName":"orders"}"#, as: "consumer", stream: "orders", needs: "read")
        }
        let iteratorRequest = #"{"StreamName":"tx","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}"#
        let iterator = try #require(call("GetShardIterator", iteratorRequest, as: "consumer").json["ShardIterator"] as? String)
        expectDenied("GetShardIterator", iteratorRequest, as: "producer", stream: "tx", needs: "read")
        let records = call("GetRecords", #"{"ShardIterator":"\#(iterator)"}"#, as: "consumer")
        #expect((records.json["Records"] as? [Any])?.count == 1)
        // An iterator is checked against the stream it was issued for, whoever holds it.
        expectDenied("GetRecords", #"{"ShardIterator":"\#(iterator)"}"#, as: "producer", stream: "tx", needs: "read")
        let ordersIterator = try #require(call("GetShardIterator", iteratorRequest.replacingOccurrences(of: "\"tx\"", with: "\"orders\""),
                                              as: "reader").json["ShardIterator"] as? String)
        expectDenied("GetRecords", #"{"ShardIterator":"\#(ordersIterator)"}"#, as: "consumer", stream: "orders", needs: "read")
        // A ListShards page token names its stream.
        let token = try #require(call("ListShards", #"{"StreamName":"orders","MaxResults":1}"#, as: "reader").json["NextToken"] as? String)
        expectDenied("ListShards", #"{"NextToken":"\#(token)"}"#, as: "consumer", stream: "orders", needs: "read")
        expectAllowed("ListShards", #"{"NextToken":"\#(token)"}"#, as: "reader")
    }

    @Test func aDeniedCallLearnsNothingOfTheStream() {
        expectDenied("DescribeStream", #"{"StreamName":"no-such"}"#, as: "producer", stream: "no-such", needs: "read")
        expectDenied("DeleteStream", #"{"StreamName":"no-such"}"#, as: "consumer", stream: "no-such", needs: "admin")
        // Allowed, it is the usual not-found.
        #expect(call("DescribeStream", #"{"StreamName":"no-such"}"#, as: "reader").json["__type"] as? String == "ResourceNotFoundException")
        // A request naming no stream fails as before, for anyone.
        #expect(call("PutRecord", #"{"Data":"eA==","PartitionKey":"k"}"#, as: "consumer").json["__type"] as? String == "ValidationException")
    }

    @Test func listStreamsListsWhatTheCallerMayRead() throws {
        expectAllowed("CreateStream", #"{"StreamName":"tx-eu","ShardCount":1}"#, as: "ops")
        func names(_ name: String, _ body: String = "{}") -> [String] { call("ListStreams", body, as: name).json["StreamNames"] as? [String] ?? ["?"] }
        #expect(names("reader") == ["orders", "tx", "tx-eu"])
        #expect(names("consumer") == ["tx", "tx-eu"])
        #expect(names("ops") == ["tx", "tx-eu"], "admin includes read")
        #expect(names("producer") == [])
        let first = call("ListStreams", #"{"Limit":1}"#, as: "consumer").json
        #expect(first["StreamNames"] as? [String] == ["tx"] && first["HasMoreStreams"] as? Bool == true)
        let token = try #require(first["NextToken"] as? String)
        #expect(names("consumer", #"{"NextToken":"\#(token)"}"#) == ["tx-eu"])
        #expect(call("ListStreams", "{}", as: .local).json["StreamNames"] as? [String] == ["orders", "tx", "tx-eu"])
    }

    @Test func everyOperationDeclaresWhatItNeeds() {
        // A new operation must say what it needs; this table is the README's.
        let needs = KinesisService.operations.mapValues { "\($0.needs)" }
        #expect(needs == [
            "CreateStream": "admin", "DeleteStream": "admin", "IncreaseStreamRetentionPeriod": "admin", "DecreaseStreamRetentionPeriod": "admin",
            "PutRecord": "write", "PutRecords": "write",
            "DescribeStream": "read", "DescribeStreamSummary": "read", "ListShards": "read", "ListStreams": "read",
            "GetShardIterator": "read", "GetRecords": "read",
        ])
    }
}
