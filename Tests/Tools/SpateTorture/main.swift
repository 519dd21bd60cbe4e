// spate-torture: a writer for crash tests. It appends self-checking records to a
// stream as fast as it can and prints `ACK <writer> <n>` after each append call
// returns, i.e. once records 0...n of this writer are acknowledged. The crash
// tests kill it with SIGKILL at random moments and then check that every
// acknowledged record reads back intact.
//
//   spate-torture append DATA_DIR STREAM WRITER DURABILITY SHARDS START_N
//
// Record n of writer w: partition key "w<w>-k<n % 7>", payload
// "<w>:<n>:" followed by (n * 7919) % 300 bytes of letter ('a' + n % 26).

import SpateLog

#if canImport(Glibc)
import Glibc
#endif

/// Writes a line straight to a descriptor: no stdio buffer that a kill could hold back.
func emit(_ line: String, to fd: Int32 = 1) {
    var line = line + "\n"
    line.withUTF8 { bytes in _ = write(fd, bytes.baseAddress, bytes.count) }
}

func fail(_ message: String) -> Never {
    emit("spate-torture: \(message)", to: 2)
    exit(2)
}

let arguments = CommandLine.arguments
guard arguments.count == 8, arguments[1] == "append",
      let writer = Int(arguments[4]), let durability = Durability(rawValue: arguments[5]),
      let shards = Int(arguments[6]), var n = Int(arguments[7])
else { fail("usage: spate-torture append DATA_DIR STREAM WRITER DURABILITY SHARDS START_N") }

do {
    let store = try LogStore.open(arguments[2])
    let name = arguments[3]
    if !store.streamExists(name) {
        do {
            try store.createStream(name, settings: StreamSettings(shardCount: shards, durability: durability, segmentBytesMax: 64 << 10))
        } catch .streamExists(_) {}
    }
    let stream = try store.stream(name)
    var batch = AppendBatch()
    var random = SystemRandomNumberGenerator()
    while true {
        batch.removeAll()
        let count = Int.random(in: 1...40, using: &random)
        for _ in 0..<count {
            let fillerCount = (n * 7919) % 300
            var payload = Array("\(writer):\(n):".utf8)
            payload.append(contentsOf: repeatElement(UInt8(97 + n % 26), count: fillerCount))
            try batch.append(key: "w\(writer)-k\(n % 7)", payload: payload)
            n += 1
        }
        _ = try stream.append(batch)
        emit("ACK \(writer) \(n - 1)")
    }
} catch {
    fail("\(error)")
}
