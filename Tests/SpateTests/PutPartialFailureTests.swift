// A put that fails part way says exactly what was kept (issue 14): how many
// records each shard got, and the last input line durable in all shards — and
// `spate put --skip-lines N` from there adds every other line exactly once.
// The disk-full case runs on an 8 MiB tmpfs when the tests run as root (mounted
// and unmounted here); otherwise it is skipped, saying why. The failing-fsync
// case runs everywhere (SPATE_FAULT_FSYNC_FAIL_AFTER, SyncFaultInjection).
//
// Why 8 MiB: the shards' writers run apart, up to ~5 batches
// (`IngestRun.shardLeadBatchesMax`, 4, plus the one being written) of 8,192
// records, ~425 KB a shard here. On a 2 MiB disk, a loaded machine let shard
// 0's writer fill the disk with batches 1–3 before shard 1's wrote batch 1, so
// no batch was whole in both shards and the put rightly kept nothing (2 runs
// in 6 with the cores busy; the lead was then up to 9 batches). With the
// catalog (~0.3 MB), the leading shard's ~2.2 MB and the other's first batch,
// 8 MiB always holds one whole batch before it fills.

import Foundation
import Testing

@Suite(.serialized) struct PutPartialFailureTests {
    static func lines(_ range: ClosedRange<Int>) -> String {
        range.map { "{\"userId\":\"u\($0 % 13)\",\"n\":\($0),\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n" }.joined()
    }

    /// Puts `input` (lines 1...`total`) into `tx` again from after line
    /// `line`, as the put that stopped said to; then every line is stored exactly once.
    @discardableResult
    static func expectResumeStoresEveryLineOnce(data: String, after line: Int, input: String, total: Int) throws -> CommandResult {
        let resume = try Spate.run(["put", "tx", "--key", "userId", "--skip-lines", "\(line)", "--data", data], inputFile: input)
        #expect(resume.status == 0, "\(resume.stderr)")
        #expect(try numbers(data).sorted() == Array(1...total))
        return resume
    }

    /// The `n` of every record of `tx`, in cat order.
    static func numbers(_ data: String) throws -> [Int] {
        try Spate.run(["cat", "tx", "--data", data]).lines.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["n"] as? Int
        }
    }

    func sh(_ command: String) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test func aPutThatFillsTheDiskSaysWhatWasKeptAndResumesWithoutDuplicates() throws {
        guard getuid() == 0 else {
            print("skipped: the disk-full test mounts an 8 MiB tmpfs, which needs root (running as uid \(getuid()))")
            return
        }
        let dir = TemporaryDirectory()
        let mountPoint = dir.path + "/small"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        guard sh("mount -t tmpfs -o size=8m tmpfs '\(mountPoint)'") == 0 else {
            print("skipped: cannot mount a tmpfs here (a container without CAP_SYS_ADMIN?)")
            return
        }
        defer { _ = sh("umount '\(mountPoint)'") }
        let data = mountPoint + "/data"
        let total = 160_000
        let input = dir.write("in.jsonl", Self.lines(1...total))  // 12 MB, ~17 MB framed: more than the disk holds

        let put = try Spate.run(["put", "tx", "--shards", "2", "--key", "userId", "--data", data], inputFile: input)
        #expect(put.status == 1)
        #expect(put.stderr.contains("No space left on device"), "\(put.stderr)")
        let kept = try #require(put.stderr.firstMatch(of: /kept ([0-9,]+) records \(shard 0: ([0-9,]+), shard 1: ([0-9,]+)\); every input line up to ([0-9,]+) is durable in all shards/),
                                "\(put.stderr)")
        func number(_ s: Substring) -> Int { Int(s.replacingOccurrences(of: ",", with: ""))! }
        let (keptTotal, shard0, shard1, lastLine) = (number(kept.1), number(kept.2), number(kept.3), number(kept.4))
        #expect(keptTotal == shard0 + shard1 && shard0 > 0 && shard1 > 0)
        #expect(lastLine > 0 && lastLine < total)
        #expect(put.stderr.contains("spate put tx --skip-lines \(lastLine) --key userId"))
        // Exactly the lines up to the one reported are stored: nothing of the batch that failed.
        #expect(try Self.numbers(data).sorted() == Array(1...lastLine))

        // With room again, the resume adds every other line once.
        #expect(sh("mount -o remount,size=64m '\(mountPoint)'") == 0)
        let resume = try Self.expectResumeStoresEveryLineOnce(data: data, after: lastLine, input: input, total: total)
        #expect(resume.stdout.contains("appended \((total - lastLine).formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US")))) records"),
                "\(resume.stdout)")
    }

    /// A disk whose fsync fails part way (every fdatasync of the put's log
    /// files after its first 12): the shards' syncers stop the put, which keeps
    /// exactly the batches made durable in every shard before it, takes back
    /// what it wrote after them (that take-back's own fsync fails too, and the
    /// put says so rather than blaming another writer), and a resume adds
    /// every other line once.
    @Test func aPutWhoseFsyncFailsSaysWhatWasKeptAndResumesWithoutDuplicates() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let total = 160_000
        let input = dir.write("in.jsonl", Self.lines(1...total))
        let put = try Spate.run(["put", "tx", "--shards", "2", "--key", "userId", "--data", data], inputFile: input,
                                environment: ["SPATE_FAULT_FSYNC_FAIL_AFTER": "12"])
        #expect(put.status == 1)
        #expect(put.stderr.contains("stopped: fsync") && put.stderr.contains("Input/output error"), "\(put.stderr)")
        let kept = try #require(put.stderr.firstMatch(of: /kept ([0-9,]+) records \(shard 0: ([0-9,]+), shard 1: ([0-9,]+)\); every input line up to ([0-9,]+) is durable in all shards/),
                                "\(put.stderr)")
        func number(_ s: Substring) -> Int { Int(s.replacingOccurrences(of: ",", with: ""))! }
        let (keptTotal, shard0, shard1, lastLine) = (number(kept.1), number(kept.2), number(kept.3), number(kept.4))
        #expect(keptTotal == shard0 + shard1 && lastLine == keptTotal && lastLine > 0 && lastLine < total)
        #expect(!put.stderr.contains("another writer"), "\(put.stderr)")
        #expect(put.stderr.contains("spate put tx --skip-lines \(lastLine) --key userId"))
        // Exactly the lines up to the one reported are stored: what was written after them is gone from the files.
        #expect(try Self.numbers(data).sorted() == (0..<lastLine).map { $0 + 1 })

        // With the disk well again, the resume adds every other line once.
        try Self.expectResumeStoresEveryLineOnce(data: data, after: lastLine, input: input, total: total)
    }

    @Test func skipLinesSkipsThatManyInputLinesAndCountsBlankOnes() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let input = dir.write("in.jsonl", Self.lines(1...3) + "\n" + Self.lines(4...6))  // line 4 is blank
        let put = try Spate.run(["put", "tx", "--skip-lines", "4", "--data", data], inputFile: input)
        #expect(put.status == 0, "\(put.stderr)")
        #expect(try Self.numbers(data) == [4, 5, 6])
        #expect(try Spate.run(["put", "tx", "--skip-lines", "-1", "--data", data], inputFile: input).status != 0)
    }
}
