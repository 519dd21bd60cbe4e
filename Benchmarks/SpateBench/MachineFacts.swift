// What a figure needs beside it to mean anything: the machine (CPU, cores,
// memory), the filesystem it was written to, when, and the exact command; and
// at the end, the process's peak resident memory.

#if canImport(Glibc)
import Glibc
#endif

/// Prints the header of a run.
func printMachineFacts(directory: BenchDirectory) {
    let cpuinfo = readTextFile("/proc/cpuinfo") ?? ""
    let model = cpuinfo.split(separator: "\n")
        .first { $0.hasPrefix("model name") }
        .flatMap { $0.split(separator: ":", maxSplits: 1).last }
        .map { $0.trimmingPrefix(" ") } ?? "unknown"
    let cores = sysconf(Int32(_SC_NPROCESSORS_ONLN))
    let memoryBytes = sysconf(Int32(_SC_PHYS_PAGES)) * sysconf(Int32(_SC_PAGESIZE))
    var kernel = utsname()
    uname(&kernel)
    let release = withUnsafeBytes(of: &kernel.release) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
    print("spate-bench")
    print("  command     \(CommandLine.arguments.joined(separator: " "))")
    print("  date        \(utcDate())")
    print("  cpu         \(model), \(cores) cores online")
    print("  memory      \(fixed(Double(memoryBytes) / Double(1 << 30), 1)) GiB")
    print("  kernel      Linux \(release)")
    print("  data        \(directory.path)")
    print("  filesystem  \(directory.filesystem)")
    print("  units       MB = 10^6 bytes, MiB = 2^20 bytes; latencies by CLOCK_MONOTONIC")
    fflush(nil)
}

/// Prints the peak resident memory of the process. Linux keeps ru_maxrss across
/// execve, so under `swift run` it reports the larger of swift-run's peak and
/// ours; VmHWM in /proc/self/status belongs to this program's image alone.
func printPeakMemory() {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let highWaterKiB = (readTextFile("/proc/self/status") ?? "").split(separator: "\n")
        .first { $0.hasPrefix("VmHWM:") }
        .flatMap { $0.split(separator: " ").dropFirst().first }
        .flatMap { Int($0) }
    print("")
    print("Peak memory: ru_maxrss \(fixed(Double(usage.ru_maxrss) / 1024, 1)) MiB"
          + (highWaterKiB.map { "; VmHWM \(fixed(Double($0) / 1024, 1)) MiB (this program only: ru_maxrss survives exec, so it includes `swift run` when launched that way)" } ?? ""))
    fflush(nil)
}

/// Now, as `YYYY-MM-DD HH:MM:SS UTC`.
private func utcDate() -> String {
    var now = time(nil)
    var parts = tm()
    gmtime_r(&now, &parts)
    var buffer = [CChar](repeating: 0, count: 64)
    let count = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S UTC", &parts)
    return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// The whole of a small text file (a /proc file), nil when it cannot be read.
func readTextFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}
