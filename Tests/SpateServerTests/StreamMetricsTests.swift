// /metrics counts what recovery did and shows corruption (issue 14): the torn
// tails this process cut, per stream, and a gauge that is 1 for a stream whose
// files are corrupt — which therefore never just disappears from the scrape.
// And /metrics is exactly the facade's one metrics text (issue 15): the same
// families `spate metrics` prints, each with HELP and TYPE, each once.

import Foundation
import Spate
import SpateLog
@testable import SpateServer
import Testing

@Suite struct StreamMetricsTests {
    func value(_ families: [MetricFamily], _ name: String, stream: String) -> Double? {
        families.first { $0.name == name }?.samples.first { $0.labels.contains(.init("stream", stream)) }?.value
    }

    func append(_ stream: LogStream, _ count: Int) throws {
        var batch = AppendBatch()
        for i in 0..<count { try batch.append(key: "k", payload: Array("{\"n\":\(i)}".utf8)) }
        _ = try stream.append(batch)
    }

    @Test func tornTailsCutAndCorruptStreamsAreInTheScrape() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        try append(try Database.open(data).createStream("tx"), 20)
        let segment = data + "/streams/tx/shardId-000000000000/00000000000000000000.log"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        try bytes.dropLast(3).write(to: URL(fileURLWithPath: segment))  // a torn last record

        let database = try Database.open(data)
        #expect(value(try database.metricFamilies(), "spate_stream_torn_tails_cut_total", stream: "tx") == 0)
        try append(try database.stream("tx"), 1)  // the writer cuts the tail
        let after = try database.metricFamilies()
        #expect(value(after, "spate_stream_torn_tails_cut_total", stream: "tx") == 1)
        #expect(value(after, "spate_stream_corrupt", stream: "tx") == 0)
        #expect(value(after, "spate_stream_records", stream: "tx") == 20)

        bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        bytes[40] ^= 0x10  // inside the second record, with good ones after it
        try bytes.write(to: URL(fileURLWithPath: segment))
        #expect(value(try Database.open(data).metricFamilies(), "spate_stream_corrupt", stream: "tx") == 1)
    }

    @Test func slashMetricsIsTheFacadesTextWithHelpAndTypeForEveryFamilyOnce() throws {
        let server = try TestServer()
        #expect(try server.call("CreateStream", #"{"StreamName":"tx","ShardCount":1}"#).status == 200)
        #expect(try server.call("PutRecord", #"{"StreamName":"tx","PartitionKey":"k","Data":"e30="}"#).status == 200)
        let scraped = try server.client().request("GET", "/metrics")
        #expect(scraped.status == 200)
        #expect(scraped.headers["content-type"] == PrometheusText.contentType)
        let families = try server.database.metricFamilies()
        let lines = scraped.text.split(separator: "\n")
        let helped = lines.filter { $0.hasPrefix("# HELP ") }.map { $0.split(separator: " ")[2] }
        let typed = lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        #expect(helped == typed)
        #expect(Set(helped).count == helped.count, "a family is exported once")
        #expect(helped.map(String.init) == families.map(\.name), "the scrape is the facade's families, in order")
        // Every sample line belongs to a family that was declared.
        for line in lines where !line.hasPrefix("#") {
            let name = line.prefix { $0 != "{" && $0 != " " }
            #expect(helped.contains { name == $0 || name == $0 + "_sum" || name == $0 + "_count" }, "\(line)")
        }
        #expect(value(families, "spate_stream_records", stream: "tx") == 1)
    }
}
