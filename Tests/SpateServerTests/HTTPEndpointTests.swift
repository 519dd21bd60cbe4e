// The HTTP side: health, metrics, routing, keep-alive, body limits, bytes that
// are not HTTP, the loopback rule and credentials files.

import Foundation
import Spate
import SpateLog
@testable import SpateServer
import Testing

@Suite struct HTTPEndpointTests {
    @Test func healthAndMetrics() throws {
        let server = try TestServer()
        let client = try server.client()
        let health = try client.request("GET", "/healthz")
        #expect(health.status == 200 && health.text == "ok\n")
        _ = try client.kinesis("CreateStream", #"{"StreamName":"tx","ShardCount":2}"#)
        _ = try client.kinesis("PutRecords", #"{"StreamName":"tx","Records":[{"PartitionKey":"a","Data":"eA=="},{"PartitionKey":"b","Data":"eA=="}]}"#)
        let metrics = try client.request("GET", "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
        // The one metrics text (issue 15): the per-minute counters (sampled by the metrics
        // service, which this bare server does not run) and the log's gauges, read now.
        #expect(metrics.text.contains("# TYPE spate_stream_records_in_total counter\n"))
        #expect(metrics.text.contains("spate_stream_records{stream=\"tx\"} 2\n"))
        #expect(metrics.text.contains("spate_stream_shards{stream=\"tx\"} 2\n"))
        #expect(metrics.text.contains("spate_stream_bytes{stream=\"tx\"} "))
    }

    @Test func keepAliveServesManyRequestsOnOneConnection() throws {
        let server = try TestServer()
        let client = try server.client()
        _ = try client.kinesis("CreateStream", #"{"StreamName":"tx","ShardCount":1}"#)
        for i in 0..<50 {
            let result = try client.kinesis("PutRecord", "{\"StreamName\":\"tx\",\"PartitionKey\":\"k\",\"Data\":\"\(base64("\(i)"))\"}")
            #expect(result.status == 200 && result.headers["connection"] == "keep-alive")
        }
        // Pipelined: two requests sent at once get two responses, in order.
        let body = Array(#"{"StreamName":"tx"}"#.utf8)
        let one = "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Kinesis_20131202.DescribeStreamSummary\r\nContent-Length: \(body.count)\r\n\r\n"
        let two = "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\nContent-Length: 2\r\n\r\n{}"
        try client.send(Array(one.utf8) + body + Array(two.utf8))
        #expect(try client.readResponse().json["StreamDescriptionSummary"] != nil)
        #expect(try client.readResponse().json["StreamNames"] as? [String] == ["tx"])
    }

    @Test func routingErrors() throws {
        let server = try TestServer()
        let client = try server.client()
        let noTarget = try client.request("POST", "/", body: Array("{}".utf8))
        #expect(noTarget.status == 400 && noTarget.errorType == "UnknownOperationException")
        let otherService = try client.request("POST", "/", headers: [("X-Amz-Target", "DynamoDB_20120810.ListTables")], body: Array("{}".utf8))
        #expect(otherService.status == 400 && otherService.errorType == "UnknownOperationException")
        let unknownPath = try client.request("GET", "/nothing")
        #expect(unknownPath.status == 404 && unknownPath.errorType == "UnknownOperationException")
        let badJSON = try client.kinesis("ListStreams", "{\"Limit\": 01}")
        #expect(badJSON.status == 400 && badJSON.errorType == "SerializationException")
        let deep = try client.kinesis("ListStreams", String(repeating: "[", count: 10_000))
        #expect(deep.status == 400 && deep.errorType == "SerializationException")
        let badUTF8 = try client.request("POST", "/", headers: [("X-Amz-Target", "Kinesis_20131202.ListStreams")],
                                         body: [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D])
        #expect(badUTF8.status == 400 && badUTF8.errorType == "SerializationException")
        // Still serving on the same connection after all that.
        #expect(try client.kinesis("ListStreams", "{}").status == 200)
    }

    @Test func oversizedBodyIsRefusedAndTheConnectionClosed() throws {
        let server = try TestServer(bodyBytesMax: 64 << 10)
        // Declared too large: refused before the body is read.
        let declared = try server.client()
        try declared.send(Array("POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\nContent-Length: 100000000\r\n\r\n".utf8))
        let refused = try declared.readResponse()
        #expect(refused.status == 413 && refused.errorType == "ValidationException")
        #expect(declared.isClosedByServer())
        // Chunked, growing past the limit.
        let chunked = try server.client()
        let chunk = String(repeating: "a", count: 16 << 10)
        var request = "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\nTransfer-Encoding: chunked\r\n\r\n"
        for _ in 0..<5 { request += String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n" }
        try chunked.send(Array(request.utf8))
        #expect(try chunked.readResponse().status == 413)
        // The server goes on serving others.
        #expect(try server.call("ListStreams", "{}").status == 200)
    }

    @Test func bytesThatAreNotHTTPGetA400() throws {
        let server = try TestServer()
        let client = try server.client()
        try client.send(Array("\u{1}\u{2}GARBAGE \r\n\r\n".utf8))
        let result = try client.readResponse()
        #expect(result.status == 400 && result.errorType == "SerializationException")
        #expect(try server.call("ListStreams", "{}").status == 200)
    }

    @Test func nonLoopbackNeedsCredentials() throws {
        #expect(SpateHTTPServer.isLoopback("127.0.0.1"))
        #expect(SpateHTTPServer.isLoopback("127.3.2.1"))
        #expect(SpateHTTPServer.isLoopback("::1"))
        #expect(!SpateHTTPServer.isLoopback("0.0.0.0"))
        #expect(!SpateHTTPServer.isLoopback("10.1.2.3"))
        let directory = TemporaryDirectory()
        let database = try Database.open(directory.path)
        #expect(throws: ServerError.nonLoopbackWithoutCredentials("0.0.0.0")) {
            try SpateHTTPServer.start(ServerConfiguration(host: "0.0.0.0", port: 0), database: database)
        }
        #expect(try ServerConfiguration.parseListen("127.0.0.1:4567") == ("127.0.0.1", 4567))
        #expect(try ServerConfiguration.parseListen("[::1]:80") == ("::1", 80))
        #expect(throws: ServerError.self) { try ServerConfiguration.parseListen("127.0.0.1") }
        #expect(throws: ServerError.self) { try ServerConfiguration.parseListen("127.0.0.1:99999") }
    }

    @Test func credentialsFile() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/credentials"
        try "[default]\n# mine\naws_access_key_id = AKID\naws_secret_access_key=se/cr+et\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o644)
        #expect(throws: ServerError.self) { try AccessPolicy.load(path: path) }
        chmod(path, 0o600)
        let loaded = try AccessPolicy.load(path: path)
        #expect(loaded.principals.map(\.credentials) == [Credentials(accessKeyID: "AKID", secretAccessKey: "se/cr+et")])
        #expect(throws: ServerError.self) { try AccessPolicy.parse("aws_access_key_id = AKID\n", path: "f") }
        #expect(throws: ServerError.self) { try AccessPolicy.parse("password = x\n", path: "f") }
        #expect(throws: ServerError.self) { try AccessPolicy.load(path: directory.path + "/missing") }
    }
}
