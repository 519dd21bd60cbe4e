// `spate-bench ingest`: the path users take to load data — `spate put` of JSON
// lines (Database.jsonLinesIngester over a file descriptor, batch durability)
// — against the disk in the same run: a copy of the same file with 1 MiB
// reads and writes and one fdatasync at the end (what `dd conv=fdatasync`
// does). Three rounds of the copy and then each put, medians of the rounds.
// Two record sizes (about 100 B and 1 KiB of JSON), each without a key
// (round-robin over 2 shards), with `--key userId`, and with `--strict`
// (which reads its input twice). The input file is read once
// before timing, so both sides read it from the page cache. Budget (issue 17):
// put ≥ 0.7 × the copy. SPATE_BENCH_ONLY=TEXT runs only the cases whose
// "<size> <what>" contains TEXT (e.g. "100 B put --key"), for a profiler.

import Spate
import SpateLog

#if canImport(Glibc)
import Glibc
#endif

func runIngestBenchmark(in directory: String, scale: Scale) throws {
    let totalBytes = scale.isQuick ? 128 << 20 : 1 << 30
    let only = getenv("SPATE_BENCH_ONLY").map { String(cString: $0) }
    let cases = [("put, no key (2 shards)", nil as String?, false), ("put --key userId (2 shards)", "userId", false),
                 ("put --key userId --strict", "userId", true)]
    for (label, padding) in [("100 B", 40), ("1 KiB", 960)] {
        let chosen = cases.filter { only == nil || "\(label) \($0.0)".contains(only!) }
        if chosen.isEmpty { continue }
        let input = directory + "/ingest-\(padding).jsonl"
        let (lines, bytes) = try writeJSONLines(input, bytes: totalBytes, padding: padding)
        printSection("Ingest: \(grouped(lines)) JSON lines of about \(label) (\(fixed(Double(bytes) / 1e6, 0)) MB), spate put vs a copy of the file + fdatasync")
        let table = Table([Table.Column(title: "what", width: 46, leftAligned: true), Table.Column(title: "records/s", width: 12),
                           Table.Column(title: "MB/s", width: 8), Table.Column(title: "time", width: 8), Table.Column(title: "× copy", width: 7)])
        table.printHeader()
        _ = try copyWithSync(input, to: directory + "/ingest-warm.bin")   // into the page cache
        // Rounds of a copy then each put, so that both sides meet the VM's
        // slower and faster moments alike; medians of the rounds.
        var copies: [Double] = []
        var puts = [[Double]](repeating: [], count: chosen.count)
        var stored = [Int](repeating: 0, count: chosen.count)
        for round in 1...3 {
            try recycleMemory(in: directory, bytes: 2 * bytes)
            let copied = try copyWithSync(input, to: directory + "/ingest-copy.bin")
            copies.append(Double(bytes) / copied / 1e6)
            table.printRow(["copy, round \(round) (1 MiB read/write + fdatasync)", "", fixed(copies.last!, 0), fixed(copied, 2) + " s", ""])
            for (index, (name, key, strict)) in chosen.enumerated() {
                let (elapsed, storedBytes) = try timePut(input, lines: lines, bytes: bytes, key: key, strict: strict, name: name, in: directory)
                stored[index] = storedBytes
                puts[index].append(Double(bytes) / elapsed / 1e6)
                table.printRow(["\(name), round \(round)", groupedRate(Double(lines) / elapsed), fixed(puts[index].last!, 0),
                                fixed(elapsed, 2) + " s", fixed(puts[index].last! / copies.last!, 2)])
            }
        }
        let copy = copies.sorted()[1]
        printLine("  medians of 3 rounds: copy \(fixed(copy, 0)) MB/s")
        for (index, (name, _, _)) in chosen.enumerated() {
            let median = puts[index].sorted()[1]
            let ratios = zip(puts[index], copies).map { $0 / $1 }.sorted()
            printLine("  \(name): \(groupedRate(Double(lines) * median / (Double(bytes) / 1e6))) records/s, \(fixed(median, 0)) MB/s = "
                      + "\(fixed(median / copy, 2)) × copy (rounds \(fixed(ratios.first!, 2))–\(fixed(ratios.last!, 2)))")
            printLine("    writes \(fixed(Double(stored[index]) / Double(bytes), 2)) × the bytes the copy writes (each record's frame: "
                      + "\(RecordFrame.headerBytes + RecordFrame.bodyFixedBytes) B and its key, less the newline)")
        }
        printLine("  budget: put ≥ 0.70 × copy")
        printLine("  before each timed run, copy or put, \(fixed(Double(2 * bytes) / 1e6, 0)) MB of scratch file written and deleted (recycleMemory)")
        unlink(input)
        unlink(directory + "/ingest-warm.bin")
    }
}

/// Writes JSON lines of transactions (a `note` field of `padding` characters
/// sets the size) until `bytes`; returns (lines, bytes).
private func writeJSONLines(_ path: String, bytes target: Int, padding: Int) throws -> (Int, Int) {
    guard let file = fopen(path, "w") else { throw BenchError("cannot write \(path)") }
    defer { fclose(file) }
    var random = SplitMix64(seed: 7)
    let note = String(repeating: "x", count: padding)
    var lines = 0, bytes = 0
    var t: Int64 = 1_732_400_000_000
    while bytes < target {
        t += Int64(random.next(below: 7))
        let cents = 50 + random.next(below: 60_000)
        let line = #"{"userId":"user\#(1 + random.next(below: 500))","amount":\#(cents / 100).\#(cents % 100),"ts":\#(t),"note":"\#(note)"}"# + "\n"
        fputs(line, file)
        bytes += line.utf8.count
        lines += 1
    }
    return (lines, bytes)
}

/// Seconds `spate put`'s path takes to append `input` to a new 2-shard stream
/// with batch durability, and the bytes its shards hold then (the stream deleted afterwards).
private func timePut(_ input: String, lines: Int, bytes: Int, key: String?, strict: Bool, name: String,
                     in directory: String) throws -> (seconds: Double, stored: Int) {
    let database = try Database.open(directory + "/ingest-db")
    let stream = try database.createStream("t", settings: StreamSettings(shardCount: 2, durability: .batch))
    var options = IngestOptions(keyField: key, strict: strict)
    options.rejectionsKeptMax = 10
    let ingester = try database.jsonLinesIngester(into: stream, named: "t", options: options)
    let fd = open(input, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw BenchError("open \(input): \(errorText(errno))") }
    defer { close(fd) }
    try recycleMemory(in: directory, bytes: 2 * bytes)
    let start = monotonicNs()
    let report = try ingester.ingest(fd: fd)
    let elapsed = seconds(from: start, to: monotonicNs())
    guard report.appended == lines, report.failure == nil else {
        throw BenchError("\(name): appended \(report.appended) of \(lines) (\(report.failure.map { "\($0)" } ?? "no failure"))")
    }
    let stored = try stream.shards.reduce(0) { $0 + (try $1.describe().bytes) }
    try database.deleteStream("t")
    return (elapsed, stored)
}

/// Writes `bytes` of zeros to a scratch file and deletes it, so that the timed
/// run after it writes its page cache into memory just freed. On a VM whose
/// free memory goes back to the host (virtio-balloon free page reporting, as
/// on this Firecracker VM) a page the guest has not touched lately costs the
/// host a fault: `dd` of 1 GiB into such memory ran at 450 MB/s, into memory
/// just freed at 6.5 GB/s. The copies reused each other's freed pages and
/// the put (a third more bytes, with its frames) did not, so every timed run
/// now starts from the same state.
private func recycleMemory(in directory: String, bytes: Int) throws {
    let path = directory + "/ingest-recycle.bin"
    let fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw BenchError("open \(path): \(errorText(errno))") }
    defer {
        close(fd)
        unlink(path)
    }
    let chunk = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 4096)
    defer { chunk.deallocate() }
    memset(chunk, 0, 1 << 20)
    var written = 0
    while written < bytes {
        let n = write(fd, chunk, 1 << 20)
        guard n > 0 else { throw BenchError("write \(path): \(errorText(errno))") }
        written += n
    }
}

/// Copies `source` to `target` in 1 MiB reads and writes, then fdatasync; returns seconds.
private func copyWithSync(_ source: String, to target: String) throws -> Double {
    let input = open(source, O_RDONLY | O_CLOEXEC)
    let output = open(target, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o644)
    guard input >= 0, output >= 0 else { throw BenchError("copy \(source): \(errorText(errno))") }
    defer {
        close(input)
        close(output)
        unlink(target)
    }
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 4096)
    defer { buffer.deallocate() }
    let start = monotonicNs()
    while true {
        let n = read(input, buffer, 1 << 20)
        guard n >= 0 else { throw BenchError("read \(source): \(errorText(errno))") }
        if n == 0 { break }
        var done = 0
        while done < n {
            let w = write(output, buffer + done, n - done)
            guard w > 0 else { throw BenchError("write \(target): \(errorText(errno))") }
            done += w
        }
    }
    guard fdatasync(output) == 0 else { throw BenchError("fdatasync \(target): \(errorText(errno))") }
    return seconds(from: start, to: monotonicNs())
}
