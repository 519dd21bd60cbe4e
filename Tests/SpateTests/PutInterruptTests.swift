// Ctrl-C during `spate put` from a pipe whose producer has gone quiet: the put
// stops waiting, makes the whole lines it read durable, says up to which line
// and how to go on, and exits 130; `--skip-lines` then adds every other line
// exactly once. With --strict a stop (here SIGTERM, exit 143) during the check
// writes nothing.

import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct PutInterruptTests {
    /// Starts `spate arguments…` reading a pipe this test writes to and never
    /// closes; `probe` is another descriptor of the pipe's read end (Process
    /// closes the parent's own), to see how much the put has not read yet.
    func startReadingPipe(_ arguments: [String]) throws -> (Process, input: Pipe, probe: Int32, out: Pipe, err: Pipe) {
        let process = Process()
        process.executableURL = Spate.executable
        process.arguments = arguments
        let input = Pipe(), out = Pipe(), err = Pipe()
        let probe = dup(input.fileHandleForReading.fileDescriptor)
        process.standardInput = input
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, input, probe, out, err)
    }

    /// Waits until the reader of the pipe `probe` reads has taken everything written to it.
    func waitUntilDrained(_ probe: Int32, seconds: Double = 20) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            var waiting: Int32 = 0
            if ioctl(probe, UInt(FIONREAD), &waiting) == 0 && waiting == 0 { return true }
            usleep(10_000)
        }
        return false
    }

    @Test func ctrlCKeepsTheLinesReadAndSaysHowToGoOn() throws {
        let directory = TemporaryDirectory()
        let data = directory.path + "/data"
        let (read, total) = (30_000, 50_000)
        let (process, input, probe, out, err) = try startReadingPipe(["put", "tx", "--key", "userId", "--shards", "2", "--data", data])
        defer { close(probe) }
        input.fileHandleForWriting.write(Data(PutPartialFailureTests.lines(1...read).utf8))
        #expect(waitUntilDrained(probe), "the put reads what the producer wrote")
        kill(process.processIdentifier, SIGINT)
        let put = Spate.collect(process, out: out, err: err)

        #expect(put.status == 130, "\(put.stderr)")
        #expect(put.stderr.contains("interrupted: kept 30,000 records"), "\(put.stderr)")
        #expect(put.stderr.contains("every input line up to 30,000 is durable in all shards"), "\(put.stderr)")
        #expect(put.stderr.contains("spate put tx --skip-lines 30000 --key userId"), "\(put.stderr)")
        #expect(try PutPartialFailureTests.numbers(data).sorted() == Array(1...read))

        // Going on from there with the whole input adds each other line once.
        let all = directory.write("all.jsonl", PutPartialFailureTests.lines(1...total))
        try PutPartialFailureTests.expectResumeStoresEveryLineOnce(data: data, after: read, input: all, total: total)
    }

    /// SIGTERM (what a service manager sends) stops a put as Ctrl-C does; the status says which.
    @Test func sigtermDuringAStrictCheckWritesNothing() throws {
        let directory = TemporaryDirectory()
        let data = directory.path + "/data"
        let (process, input, probe, out, err) = try startReadingPipe(["put", "tx", "--key", "userId", "--strict", "--data", data])
        defer { close(probe) }
        input.fileHandleForWriting.write(Data(PutPartialFailureTests.lines(1...5_000).utf8))
        #expect(waitUntilDrained(probe))
        kill(process.processIdentifier, SIGTERM)
        let put = Spate.collect(process, out: out, err: err)

        #expect(put.status == 143, "\(put.stderr)")
        #expect(put.stderr.contains("interrupted (--strict): nothing written"), "\(put.stderr)")
        // The stream this put created is gone again.
        let streams = try Spate.run(["stream", "list", "--data", data])
        #expect(!streams.stdout.contains("tx"), "\(streams.stdout)")
    }
}
