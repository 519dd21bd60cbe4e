// The parallel bulk ingest (`spate put`'s engine) against an independent
// account of its input: over several chunks and threads, every good line is a
// record in its key's shard, in input order; every bad line is rejected with
// its own line number (blank and CRLF lines counted, an over-long line
// rejected without being held); `skipLines` resumes at the right line even
// inside a chunk; and the report's per-shard counts and last durable line add up.

import Foundation
import Spate
import SpateLog
import Testing

@Suite(.serialized) struct JSONLinesIngesterTests {
    /// One input line and what must become of it.
    enum Expected { case record(key: String), blank, rejected(String) }

    /// About 4 MB of lines: keyed records with CRLF and blank lines between,
    /// bad lines spread out, an over-long line in the middle, no final newline.
    static func input() -> (text: String, lines: [Expected]) {
        var text = ""
        var lines: [Expected] = []
        for i in 1...40_000 {
            switch i {
            case _ where i % 997 == 0:
                text += "{\"userId\":\"u\(i % 50)\",\"n\":\(i),oops}\n"
                lines.append(.rejected("invalid JSON"))
            case _ where i % 1_009 == 0:
                text += "{\"n\":\(i)}\n"
                lines.append(.rejected("no field 'userId'"))
            case _ where i % 501 == 0:
                text += "   \n"
                lines.append(.blank)
            case 20_000:
                text += "{\"userId\":\"big\",\"pad\":\"" + String(repeating: "x", count: 1_200_000) + "\"}\n"
                lines.append(.rejected("over the limit"))
            case _ where i % 7 == 0:
                text += "{\"userId\":\"u\(i % 50)\",\"n\":\(i),\"pad\":\"\(String(repeating: "y", count: i % 90))\"}\r\n"
                lines.append(.record(key: "u\(i % 50)"))
            default:
                text += "{\"userId\":\"u\(i % 50)\",\"n\":\(i),\"pad\":\"\(String(repeating: "z", count: i % 90))\"}\n"
                lines.append(.record(key: "u\(i % 50)"))
            }
        }
        text += "{\"userId\":\"last\",\"n\":40001}"
        lines.append(.record(key: "last"))
        return (text, lines)
    }

    /// The `n` of every record in `shard`, in log order.
    static func numbers(_ stream: LogStream, shard: Int) throws -> [Int] {
        let reader = try stream.reader(shard: shard, from: .earliest)
        let batch = ReadBatch()
        var numbers: [Int] = []
        while try reader.read(into: batch) > 0 {
            for i in 0..<batch.count {
                let object = try JSONSerialization.jsonObject(with: Data(batch[i].copy().payload)) as! [String: Any]
                numbers.append(object["n"] as! Int)
            }
        }
        return numbers
    }

    func ingest(skipLines: Int = 0, framers: Int, chunksInFlight: Int, batchRecords: Int) throws {
        let dir = TemporaryDirectory()
        let (text, expected) = Self.input()
        let file = dir.write("in.jsonl", text)
        let database = try Database.open(dir.path + "/data")
        let stream = try database.createStream("tx", settings: StreamSettings(shardCount: 3))
        var options = IngestOptions(keyField: "userId")
        options.skipLines = skipLines
        options.framerThreads = framers
        options.chunksInFlightMax = chunksInFlight
        options.batchRecordsMax = batchRecords
        let fd = open(file, O_RDONLY)
        defer { close(fd) }
        let report = try database.jsonLinesIngester(into: stream, named: "tx", options: options).ingest(fd: fd)

        // The independent account: which line goes where, and which are refused.
        let router = PartitionRouter(shardCount: 3)
        var perShard: [[Int]] = [[], [], []]
        var rejected: [(Int, String)] = []
        for (offset, line) in expected.enumerated() where offset + 1 > skipLines {
            switch line {
            case .record(let key): perShard[router.shard(forKey: key)].append(offset + 1)
            case .rejected(let reason): rejected.append((offset + 1, reason))
            case .blank: break
            }
        }
        #expect(report.failure == nil)
        #expect(report.appended == perShard.map(\.count).reduce(0, +))
        #expect(report.appendedPerShard == perShard.map(\.count))
        #expect(report.rejected == rejected.count)
        #expect(report.rejections.map(\.line) == rejected.map(\.0))
        for (rejection, (_, reason)) in zip(report.rejections, rejected) {
            #expect(rejection.reason.contains(reason), "line \(rejection.line): \(rejection.reason)")
        }
        #expect(report.lastLineDurable == expected.count)
        #expect(report.bytesRead == text.utf8.count)
        for shard in 0..<3 {
            // Line n holds record n (except the last, 40,001 on line 40,001 too).
            #expect(try Self.numbers(stream, shard: shard) == perShard[shard], "shard \(shard)")
        }
    }

    @Test func manyChunksOnSeveralThreadsLandInInputOrderPerShard() throws {
        try ingest(framers: 3, chunksInFlight: 8, batchRecords: 8_192)
    }

    @Test func smallBatchesAndFewChunksInFlightKeepTheSameOrder() throws {
        try ingest(framers: 2, chunksInFlight: 2, batchRecords: 97)
    }

    @Test func skipLinesResumesInsideAChunkAndAfterTheLongLine() throws {
        try ingest(skipLines: 13_333, framers: 2, chunksInFlight: 4, batchRecords: 1_000)
        try ingest(skipLines: 20_001, framers: 1, chunksInFlight: 2, batchRecords: 8_192)
    }

    @Test func strictModeWritesNothingWhenALineIsBadAndEverythingWhenNone() throws {
        let dir = TemporaryDirectory()
        let database = try Database.open(dir.path + "/data")
        let stream = try database.createStream("tx", settings: StreamSettings(shardCount: 2))
        var options = IngestOptions(keyField: "userId", strict: true)
        options.framerThreads = 2
        let good = (1...30_000).map { "{\"userId\":\"u\($0 % 9)\",\"n\":\($0)}\n" }.joined()
        let bad = dir.write("bad.jsonl", good + "{\"userId\":1,\n" + good)
        var fd = open(bad, O_RDONLY)
        let refused = try database.jsonLinesIngester(into: stream, named: "tx", options: options).ingest(fd: fd)
        close(fd)
        #expect(refused.abortedByStrictMode && refused.appended == 0)
        #expect(refused.rejections.map(\.line) == [30_001])
        #expect(try (0..<2).map { try Self.numbers(stream, shard: $0).count } == [0, 0])
        fd = open(dir.write("good.jsonl", good), O_RDONLY)
        let accepted = try database.jsonLinesIngester(into: stream, named: "tx", options: options).ingest(fd: fd)
        close(fd)
        #expect(!accepted.abortedByStrictMode && accepted.appended == 30_000 && accepted.lastLineDurable == 30_000)
        #expect(try (0..<2).map { try Self.numbers(stream, shard: $0).count }.reduce(0, +) == 30_000)
    }
}
