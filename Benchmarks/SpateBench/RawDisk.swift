// The disk itself, measured in the same run and directory as the log, so that
// the log's figures can be read as a fraction of what the hardware gives:
// - sequential write: 1 MiB pwrites extending a new file, one fdatasync at the end,
//   three times (this virtual disk varies by 2-3x from one run to the next; the
//   median is the reference the log's figures are divided by);
// - fsync rate: 128-byte pwrites appended to a file, each followed by fdatasync
//   (the file grows, so each sync also persists the size, as a log append does),
//   also three times, the median rate being the reference.

import SpateLog

#if canImport(Glibc)
import Glibc
#endif

/// What the raw disk measurements found; later phases divide by them.
struct RawDiskFigures {
    var sequentialMBPerSecond: Double
    var fsyncsPerSecond: Double
}

func runRawDisk(in directory: String, scale: Scale) throws(BenchError) -> RawDiskFigures {
    printSection("Raw disk (same filesystem, same run)")
    let table = Table([
        .init(title: "test", width: 58, leftAligned: true),
        .init(title: "result", width: 14),
        .init(title: "p50", width: 9),
        .init(title: "p99", width: 9),
    ])
    table.printHeader()
    var runs: [Double] = []
    for run in 1...scale.rawWriteRuns {
        sync()
        runs.append(try measureSequentialWrite(path: directory + "/raw-sequential.bin", bytes: scale.rawWriteBytes))
        table.printRow(["sequential write \(run), \(scale.rawWriteBytes >> 20) MiB in 1 MiB pwrites + fdatasync",
                        fixed(runs.last!, 1) + " MB/s", "", ""])
    }
    let sequential = runs.sorted()[runs.count / 2]
    table.printRow(["sequential write, median", fixed(sequential, 1) + " MB/s", "", ""])
    var rates: [Double] = []
    for run in 1...scale.rawWriteRuns {
        sync()
        let (rate, latencies) = try measureFsyncRate(path: directory + "/raw-fsync.bin", iterations: scale.rawFsyncIterations)
        rates.append(rate)
        table.printRow(["fsync \(run), \(grouped(scale.rawFsyncIterations)) x (128 B append pwrite + fdatasync)",
                        fixed(rate, 0) + " fsync/s", latencies.text(0.5), latencies.text(0.99)])
    }
    let rate = rates.sorted()[rates.count / 2]
    table.printRow(["fsync, median", fixed(rate, 0) + " fsync/s", "", ""])
    return RawDiskFigures(sequentialMBPerSecond: sequential, fsyncsPerSecond: rate)
}

/// MB/s of writing `bytes` to a new file in 1 MiB pwrites, including the final fdatasync.
private func measureSequentialWrite(path: String, bytes: Int) throws(BenchError) -> Double {
    let chunkBytes = 1 << 20
    let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkBytes, alignment: 4096)
    defer { chunk.deallocate() }
    var random = SplitMix64(seed: 1)
    for i in 0..<chunkBytes { chunk[i] = UInt8(truncatingIfNeeded: random.next()) }
    let fd = try openScratch(path)
    defer {
        close(fd)
        unlink(path)
    }
    let start = monotonicNs()
    var offset = 0
    while offset < bytes {
        try writeAll(fd, UnsafeRawBufferPointer(chunk), at: offset, path: path)
        offset += chunkBytes
    }
    try dataSync(fd, path: path)
    return Double(bytes) / 1e6 / seconds(from: start, to: monotonicNs())
}

/// fdatasyncs per second of 128-byte appends, and the latency of each append + sync.
private func measureFsyncRate(path: String, iterations: Int) throws(BenchError) -> (Double, Percentiles) {
    let record = UnsafeMutableRawBufferPointer.allocate(byteCount: 128, alignment: 16)
    defer { record.deallocate() }
    record.initializeMemory(as: UInt8.self, repeating: 0x61)
    let fd = try openScratch(path)
    defer {
        close(fd)
        unlink(path)
    }
    let latencies = LatencySamples(capacity: iterations)
    let start = monotonicNs()
    for i in 0..<iterations {
        let before = monotonicNs()
        try writeAll(fd, UnsafeRawBufferPointer(record), at: i * record.count, path: path)
        try dataSync(fd, path: path)
        latencies.record(monotonicNs() - before)
    }
    let elapsed = seconds(from: start, to: monotonicNs())
    return (Double(iterations) / elapsed, Percentiles([latencies]))
}

private func openScratch(_ path: String) throws(BenchError) -> Int32 {
    let fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw BenchError("open \(path): \(errorText(errno))") }
    return fd
}

private func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int, path: String) throws(BenchError) {
    var done = 0
    while done < bytes.count {
        let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
        if n < 0 {
            if errno == EINTR { continue }
            throw BenchError("write \(path): \(errorText(errno))")
        }
        done += n
    }
}

private func dataSync(_ fd: Int32, path: String) throws(BenchError) {
    while fdatasync(fd) != 0 {
        if errno == EINTR { continue }
        throw BenchError("fdatasync \(path): \(errorText(errno))")
    }
}
