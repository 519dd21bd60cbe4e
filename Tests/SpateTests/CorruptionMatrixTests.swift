// The corruption matrix (issue 14): a byte flipped, a file truncated, a file
// deleted — in a sealed segment, in the active segment, in an index — and what a
// user then sees from `spate cat`, from a SQL query and from a job. Damage that
// loses records is an error naming the file and the byte offset, with a
// non-zero exit, never a silent gap or a hang; a torn tail of the active
// segment is left alone by readers and cut (and reported) by the next put; a
// damaged index costs nothing but is reported by `spate stream check`. Readers
// never change a file. Driven through the `spate` executable, as a user would.

import Foundation
import Testing

@Suite(.serialized) struct CorruptionMatrixTests {
    static let records = 3000

    /// A data directory with one stream `tx` of 3,000 records over ten segments
    /// of 16 KiB: 0, 336, 670, … 2966 (the active one).
    final class Fixture {
        let directory = TemporaryDirectory()
        var data: String { directory.path + "/data" }
        var shard: String { data + "/streams/tx/shardId-000000000000" }

        init() throws {
            let lines = (0..<CorruptionMatrixTests.records).map { "{\"userId\":\"u\($0 % 7)\",\"n\":\($0)}" }.joined(separator: "\n") + "\n"
            let put = try Spate.run(["put", "tx", "--segment-bytes", "16384", "--data", data], input: lines)
            try #require(put.status == 0, "\(put.stderr)")
            try #require(segments.count >= 5, "\(segments)")
        }

        var segments: [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: shard)) ?? []).filter { $0.hasSuffix(".log") }.sorted()
        }
        var middleSealed: String { shard + "/" + segments[2] }
        var active: String { shard + "/" + segments.last! }
        var middleIndex: String { shard + "/" + segments[2].replacingOccurrences(of: ".log", with: ".idx") }

        func flip(_ path: String, at offset: Int) throws {
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            bytes[offset] ^= 0x10
            try bytes.write(to: URL(fileURLWithPath: path))
        }

        func truncate(_ path: String, by bytes: Int) throws {
            let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
            let size = try handle.seekToEnd()
            try handle.truncate(atOffset: size - UInt64(bytes))
            try handle.close()
        }

        func snapshot() throws -> [String: Data] {
            var files: [String: Data] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: shard) where name != "append.lock" {
                files[name] = try Data(contentsOf: URL(fileURLWithPath: shard + "/" + name))
            }
            return files
        }

        func cat() throws -> CommandResult { try Spate.run(["cat", "tx", "--data", data]) }

        func count() throws -> CommandResult {
            try Spate.run(["--data", data, "--format", "csv", "-c", "SELECT COUNT(*) AS n FROM tx SINCE EARLIEST UNTIL NOW;"])
        }

        /// Runs a job over the stream with `spate run` until it has failed or
        /// produced a result per record; its state, last error and results.
        func job() throws -> (state: String, error: String, results: Int) {
            let create = try Spate.run(["--data", data, "-c", "CREATE JOB j AS SELECT userId, n FROM tx SINCE EARLIEST;"])
            try #require(create.status == 0, "\(create.stderr)")
            let process = Process()
            process.executableURL = Spate.executable
            process.arguments = ["run", "--lease", "1", "--data", data]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            defer {
                kill(process.processIdentifier, SIGINT)
                process.waitUntilExit()
            }
            var last = ("", "", 0)
            _ = try eventually(30) {
                let r = try Spate.run(["--data", data, "--format", "csv", "-c", "SELECT state, last_error FROM jobs WHERE name = 'j';"])
                guard let line = r.lines.dropFirst().first else { return false }
                let state = String(line.prefix(while: { $0 != "," }))
                let counted = try Spate.run(["--data", data, "--format", "csv", "-c", "SELECT COUNT(*) FROM job_results WHERE job = 'j';"])
                last = (state, String(line.dropFirst(state.count + 1)), Int(counted.lines.last ?? "") ?? 0)
                return state == "failed" || last.2 >= CorruptionMatrixTests.records
            }
            return last
        }
    }

    /// Damage that loses records: cat, SQL and a job all fail naming `path`.
    func expectReported(_ f: Fixture, path: String) throws {
        let before = try f.snapshot()
        let cat = try f.cat()
        #expect(cat.status != 0)
        #expect(cat.stderr.contains(path) && cat.stderr.contains("at byte"), "\(cat.stderr)")
        #expect(!cat.stderr.contains("internal error"))
        let sql = try f.count()
        #expect(sql.status != 0, "a query fails, never hangs")
        #expect(sql.stderr.contains(path), "\(sql.stderr)")
        #expect(!sql.stderr.contains("internal error"))
        #expect(try f.snapshot() == before, "readers never change a file")
        let check = try Spate.run(["stream", "check", "tx", "--data", f.data])
        #expect(check.status == 1)
        #expect(check.stdout.contains(path), "\(check.stdout)")
        let job = try f.job()
        #expect(job.state == "failed")
        #expect(job.error.contains(path), "\(job.error)")
    }

    @Test func aByteFlippedInASealedSegment() throws {
        let f = try Fixture()
        try f.flip(f.middleSealed, at: 5000)
        try expectReported(f, path: f.middleSealed)
    }

    @Test func aSealedSegmentTruncated() throws {
        let f = try Fixture()
        try f.truncate(f.middleSealed, by: 7000)
        try expectReported(f, path: f.middleSealed)
    }

    @Test func aSealedSegmentTruncatedAtARecordBoundaryWithItsIndexGone() throws {
        // With no index to compare with, only the gap in sequence numbers shows it.
        let f = try Fixture()
        try FileManager.default.removeItem(atPath: f.middleIndex)
        let frames = try Data(contentsOf: URL(fileURLWithPath: f.middleSealed))
        // Cut after the first record: an 8-byte header, then the body length its first 4 bytes give.
        let first = 8 + Int(frames[0]) + Int(frames[1]) << 8 + Int(frames[2]) << 16
        try frames.prefix(first).write(to: URL(fileURLWithPath: f.middleSealed))
        try expectReported(f, path: f.shard + "/" + f.segments[2])
    }

    @Test func aSealedSegmentDeletedInTheMiddle() throws {
        let f = try Fixture()
        let before = f.shard + "/" + f.segments[1]
        try FileManager.default.removeItem(atPath: f.middleSealed)
        try expectReported(f, path: before)
    }

    @Test func aByteFlippedInTheActiveSegmentWithRecordsAfterIt() throws {
        let f = try Fixture()
        try f.flip(f.active, at: 1000)
        try expectReported(f, path: f.active)
        // A writer does not cut it either: the put fails, and the records after the flip stay.
        let size = try Data(contentsOf: URL(fileURLWithPath: f.active)).count
        let put = try Spate.run(["put", "tx", "--data", f.data], input: "{\"userId\":\"x\"}\n")
        #expect(put.status != 0)
        #expect(put.stderr.contains(f.active) && put.stderr.contains("at byte 1000"), "\(put.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: f.active)).count == size)
    }

    @Test func theActiveSegmentTornAtItsEnd() throws {
        let f = try Fixture()
        try f.truncate(f.active, by: 37)
        let before = try f.snapshot()
        let cat = try f.cat()
        #expect(cat.status == 0)
        #expect(cat.lines.count == Self.records - 1)
        #expect(cat.stderr.contains("not a whole record"), "\(cat.stderr)")
        let sql = try f.count()
        #expect(sql.status == 0)
        #expect(sql.lines.last == "\(Self.records - 1)")
        #expect(try f.snapshot() == before, "readers never change a file")
        // The next writer cuts the torn tail and says so.
        let put = try Spate.run(["put", "tx", "--data", f.data], input: "{\"userId\":\"x\",\"n\":-1}\n")
        #expect(put.status == 0)
        #expect(put.stderr.contains("spate: recovered tx shard 0: cut "), "\(put.stderr)")
        #expect(put.stderr.contains("bytes (torn record)"))
        #expect(try f.cat().lines.count == Self.records)
        #expect(try Spate.run(["stream", "check", "tx", "--data", f.data]).status == 0)
        let job = try f.job()
        #expect(job.state == "running" && job.results == Self.records)
    }

    @Test func indexesFlippedTruncatedOrDeletedCostNoRecords() throws {
        let f = try Fixture()
        try f.flip(f.middleIndex, at: 70)
        let second = f.shard + "/" + f.segments[1].replacingOccurrences(of: ".log", with: ".idx")
        try f.truncate(second, by: 24)
        let third = f.shard + "/" + f.segments[3].replacingOccurrences(of: ".log", with: ".idx")
        try FileManager.default.removeItem(atPath: third)
        let before = try f.snapshot()
        #expect(try f.cat().lines.count == Self.records)
        #expect(try Spate.run(["cat", "tx", "--from", "seq:1000", "--data", f.data]).lines.count == Self.records - 1000)
        #expect(try f.count().lines.last == "\(Self.records)")
        #expect(try f.snapshot() == before, "readers never change a file")
        let check = try Spate.run(["stream", "check", "tx", "--data", f.data])
        #expect(check.status == 1)
        #expect(check.stdout.contains("index damaged") && check.stdout.contains("index missing"), "\(check.stdout)")
        let repair = try Spate.run(["stream", "check", "tx", "--repair", "--yes", "--data", f.data])
        #expect(repair.status == 0, "\(repair.stderr)")
        #expect(repair.stdout.contains("no record is discarded"))
        #expect(try Spate.run(["stream", "check", "tx", "--data", f.data]).status == 0)
        let job = try f.job()
        #expect(job.state == "running" && job.results == Self.records)
    }

    @Test func repairCutsAtTheFirstBadRecordOnlyWhenAskedAndSaysWhatItDiscards() throws {
        let f = try Fixture()
        try f.flip(f.active, at: 1000)
        let check = try Spate.run(["stream", "check", "tx", "--data", f.data])
        #expect(check.status == 1)
        #expect(check.stdout.contains("shard                 segments  records"))
        #expect(check.stdout.contains("\(f.active) at byte 1000: CRC mismatch; valid records follow"), "\(check.stdout)")
        let refused = try Spate.run(["stream", "check", "tx", "--repair", "--data", f.data], input: "n\n")
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("discarding 13 valid record(s)"), "\(refused.stdout)")
        #expect(try f.cat().status != 0, "nothing changed without a yes")
        let repaired = try Spate.run(["stream", "check", "tx", "--repair", "--data", f.data], input: "y\n")
        #expect(repaired.status == 0, "\(repaired.stderr)")
        let cat = try f.cat()
        #expect(cat.status == 0)
        #expect(cat.lines.count == Self.records - 14)
        #expect(try Spate.run(["stream", "check", "tx", "--data", f.data]).status == 0)
    }
}
