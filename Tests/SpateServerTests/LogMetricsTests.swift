// /metrics counts what recovery did and shows corruption (issue 14): the torn
// tails this process cut, per stream, and a gauge that is 1 for a stream whose
// files are corrupt — which therefore never just disappears from the scrape.

import Foundation
import SpateLog
import SpateServer
import Testing

@Suite struct LogMetricsTests {
    func value(_ families: [MetricFamily], _ name: String, stream: String) -> Double? {
        families.first { $0.name == name }?.samples.first { $0.labels.contains { $0 == ("stream", stream) } }?.value
    }

    func append(_ stream: LogStream, _ count: Int) throws {
        var batch = AppendBatch()
        for i in 0..<count { try batch.append(key: "k", payload: Array("{\"n\":\(i)}".utf8)) }
        _ = try stream.append(batch)
    }

    @Test func tornTailsCutAndCorruptStreamsAreInTheScrape() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        try append(try LogStore.open(data).createStream("tx"), 20)
        let segment = data + "/streams/tx/shardId-000000000000/00000000000000000000.log"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        try bytes.dropLast(3).write(to: URL(fileURLWithPath: segment))  // a torn last record

        let log = try LogStore.open(data)
        #expect(value(LogMetrics(log: log).collect(), "spate_stream_torn_tails_cut_total", stream: "tx") == 0)
        try append(try log.stream("tx"), 1)  // the writer cuts the tail
        let after = LogMetrics(log: log).collect()
        #expect(value(after, "spate_stream_torn_tails_cut_total", stream: "tx") == 1)
        #expect(value(after, "spate_stream_corrupt", stream: "tx") == 0)
        #expect(value(after, "spate_stream_records", stream: "tx") == 20)

        bytes = try Data(contentsOf: URL(fileURLWithPath: segment))
        bytes[40] ^= 0x10  // inside the second record, with good ones after it
        try bytes.write(to: URL(fileURLWithPath: segment))
        #expect(value(LogMetrics(log: try LogStore.open(data)).collect(), "spate_stream_corrupt", stream: "tx") == 1)
    }
}
