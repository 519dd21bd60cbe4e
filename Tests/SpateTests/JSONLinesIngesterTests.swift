// The parallel bulk ingest (`spate put`'s engine) against an independent
// account of its input: over several chunks and threads, every good line is a
// record in its key's shard, in input order; every bad line is rejected with
// its own line number (blank and CRLF lines counted, an over-long line
// rejected without being held); `skipLines` resumes at the right line even
// inside a chunk; and the report's per-shard counts and last durable line add up.
// Strict mode appends exactly what a plain put appends, whatever the shape of
// the key field (the append pass takes keys by a quick look only where the
// check pass saw it agree), and checks again a chunk changed between its passes.

import Foundation
@testable import Spate
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

    /// The payloads of `shard`, in log order.
    static func payloads(_ stream: LogStream, shard: Int) throws -> [String] {
        let reader = try stream.reader(shard: shard, from: .earliest)
        let batch = ReadBatch()
        var payloads: [String] = []
        while try reader.read(into: batch) > 0 {
            for i in 0..<batch.count { payloads.append(String(decoding: batch[i].copy().payload, as: UTF8.self)) }
        }
        return payloads
    }

    /// ~3 MB: a first stretch of lines with the key first (chunks the quick
    /// look takes), then every shape where it would be wrong or finds nothing:
    /// the key later, twice (the last counts), inside a nested object first,
    /// as a value before the key, escaped, a number, `true`, with spaces.
    static func keyShapes() -> String {
        var text = ""
        for n in 1...90_000 {
            let pad = String(repeating: "p", count: n % 40)
            if n < 30_000 {
                text += "{\"userId\":\"u\(n % 97)\",\"n\":\(n),\"pad\":\"\(pad)\"}\n"
                continue
            }
            switch n % 9 {
            case 0: text += "{\"n\":\(n),\"userId\":\"later\(n % 31)\"}\n"
            case 1: text += "{\"userId\":\"first\(n % 7)\",\"n\":\(n),\"userId\":\"last\(n % 13)\"}\n"
            case 2: text += "{\"meta\":{\"userId\":\"inner\(n % 5)\"},\"userId\":\"outer\(n % 11)\",\"n\":\(n)}\n"
            case 3: text += "{\"a\":\"userId\",\"userId\":\"v\(n % 17)\",\"n\":\(n)}\n"
            case 4: text += "{\"userId\":\"e\\u00e9\\\"\(n % 19)\",\"n\":\(n)}\n"
            case 5: text += "{\"userId\":\(n % 23),\"n\":\(n)}\n"
            case 6: text += "{\"userId\":true,\"n\":\(n)}\n"
            case 7: text += "  { \"userId\" : \"s\(n % 29)\" , \"n\" : \(n) }\r\n"
            default: text += "{\"userId\":\"u\(n % 97)\",\"n\":\(n),\"pad\":\"\(pad)\"}\n\n"
            }
        }
        return text
    }

    @Test func strictModeAppendsWhatAPlainPutAppendsWhateverTheKeyShape() throws {
        let dir = TemporaryDirectory()
        let file = dir.write("shapes.jsonl", Self.keyShapes())
        let database = try Database.open(dir.path + "/data")
        var streams: [LogStream] = []
        for (name, strict) in [("plain", false), ("strict", true)] {
            let stream = try database.createStream(name, settings: StreamSettings(shardCount: 3))
            var options = IngestOptions(keyField: "userId", strict: strict)
            options.framerThreads = 2
            let fd = open(file, O_RDONLY)
            defer { close(fd) }
            let report = try database.jsonLinesIngester(into: stream, named: name, options: options).ingest(fd: fd)
            #expect(report.failure == nil && report.rejected == 0 && report.appended == 90_000, "\(name)")
            streams.append(stream)
        }
        for shard in 0..<3 {
            let plain = try Self.payloads(streams[0], shard: shard)
            #expect(plain.count > 20_000)
            #expect(try Self.payloads(streams[1], shard: shard) == plain, "shard \(shard)")
        }
    }

    @Test func strictModeChecksAgainAChunkThatChangedBetweenItsPasses() throws {
        let dir = TemporaryDirectory()
        let good = (1...60_000).map { "{\"userId\":\"u\($0 % 9)\",\"n\":\($0)}" }
        var changed = good
        changed[40_000] = String(changed[40_000].dropLast()) + "]"     // the same length, no longer JSON
        let goodFile = dir.write("good.jsonl", good.joined(separator: "\n") + "\n")
        let changedFile = dir.write("changed.jsonl", changed.joined(separator: "\n") + "\n")
        let database = try Database.open(dir.path + "/data")
        for key in ["userId", nil] {
            let name = "tx\(key ?? "")"
            let stream = try database.createStream(name, settings: StreamSettings(shardCount: 2))
            var options = IngestOptions(keyField: key, strict: true)
            options.framerThreads = 2
            let checked = CheckedChunks()
            var fd = open(goodFile, O_RDONLY)
            let check = try IngestRun(stream: stream, options: options, checkOnly: true, checkedChunks: checked).run(fd: fd, progress: nil)
            close(fd)
            #expect(check.rejected == 0)
            #expect(checked.checked(0) != nil && checked.checked(0)!.quickKeysAgree == (key != nil))
            // The append pass over an input changed since: the changed chunk is checked again.
            fd = open(changedFile, O_RDONLY)
            let report = try IngestRun(stream: stream, options: options, checkOnly: false, checkedChunks: checked).run(fd: fd, progress: nil)
            close(fd)
            #expect(report.rejections.map(\.line) == [40_001])
            #expect(report.rejections.first?.reason.contains("invalid JSON") == true, "\(report.rejections)")
            #expect(report.appended == 59_999)
            let stored = try (0..<2).flatMap { try Self.payloads(stream, shard: $0) }
            #expect(!stored.contains(changed[40_000]) && stored.count == 59_999)
        }
    }

    /// Chunks of long lines are checked again in the append pass (cheaper
    /// than fingerprinting them), and the chunks of short lines after them
    /// are still remembered.
    @Test func strictModeRemembersOnlyChunksOfShortLines() throws {
        let dir = TemporaryDirectory()
        let long = (1...3_000).map { "{\"userId\":\"u\($0 % 9)\",\"pad\":\"\(String(repeating: "x", count: 1_000))\"}" }
        let short = (1...120_000).map { "{\"userId\":\"u\($0 % 9)\",\"n\":\($0)}" }
        let file = dir.write("mixed.jsonl", (long + short).joined(separator: "\n") + "\n")
        let database = try Database.open(dir.path + "/data")
        let stream = try database.createStream("tx", settings: StreamSettings(shardCount: 2))
        let options = IngestOptions(keyField: "userId", strict: true)
        let checked = CheckedChunks()
        let fd = open(file, O_RDONLY)
        defer { close(fd) }
        let check = try IngestRun(stream: stream, options: options, checkOnly: true, checkedChunks: checked).run(fd: fd, progress: nil)
        #expect(check.rejected == 0)
        #expect(checked.checked(0) == nil, "the first chunk (~2 MiB, the reader's first read) holds only ~1 KiB lines")
        #expect(checked.checked(2)?.quickKeysAgree == true, "a chunk of short lines after it")
        let again = open(file, O_RDONLY)
        defer { close(again) }
        #expect(try database.jsonLinesIngester(into: stream, named: "tx", options: options).ingest(fd: again).appended == 123_000)
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
