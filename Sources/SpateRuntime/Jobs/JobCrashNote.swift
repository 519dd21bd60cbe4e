// Which job crashed the process. A job's step that traps (a Swift runtime
// trap is SIGILL or SIGTRAP; a bad access SIGSEGV or SIGBUS; SIGFPE; abort()
// SIGABRT) takes the whole process down with every job in it. So that a
// restart does not run the culprit forever — killing the others each time —
// the dying process writes the name of the job whose step was running on the
// faulting thread (or, if the fault is on no job's thread, of every job in a
// step then) to `<data>/job-crashes`, one name a line. The next runner to start
// takes the file (a rename: one runner gets it) and counts each named job's
// crash in the catalog; at three in a row the job is quarantined (failed).
//
// The signal handler does only async-signal-safe work: it reads a fixed table
// filled before any job runs (per slot: the job's name and its data
// directory's note path as C strings, the thread, an in-step flag), and calls
// open/write/close. Then it puts back the handler
// that was there before (the Swift runtime's backtracer, or the default) and
// returns, so the faulting instruction faults again and the process dies as it
// would have, with the same signal and backtrace. A SIGKILL (kill -9, the OOM
// killer) runs no handler and is not counted: a job is quarantined for what it
// did, never because its process was killed from outside.

#if canImport(Glibc)
import Glibc
#endif
import Synchronization

enum JobCrashNote {
    static let fileName = "job-crashes"
    static let slotsMax = 256
    static let nameBytesMax = 256
    static let pathBytesMax = 4096
    static let crashSignals: [Int32] = [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT]

    /// The table the handler reads: allocated once, never freed.
    struct Table: @unchecked Sendable {
        let names = UnsafeMutablePointer<CChar>.allocate(capacity: slotsMax * nameBytesMax)
        let nameLengths = UnsafeMutablePointer<Int>.allocate(capacity: slotsMax)
        let threads = UnsafeMutablePointer<pthread_t>.allocate(capacity: slotsMax)
        let inStep = UnsafeMutablePointer<Int32>.allocate(capacity: slotsMax)
        let paths = UnsafeMutablePointer<CChar>.allocate(capacity: slotsMax * pathBytesMax)
        let previous = UnsafeMutablePointer<sigaction>.allocate(capacity: 32)

        init() {
            inStep.initialize(repeating: 0, count: slotsMax)
            nameLengths.initialize(repeating: 0, count: slotsMax)
            paths.initialize(repeating: 0, count: slotsMax * pathBytesMax)
        }
    }

    static let table = Table()
    private static let used = Mutex<[Bool]>(Array(repeating: false, count: slotsMax))
    private static let installed = Mutex<Bool>(false)

    /// Installs the handler, once per process.
    static func install() {
        installed.withLock { done in
            guard !done else { return }
            for signal in crashSignals {
                var action = sigaction()
                action.__sigaction_handler.sa_sigaction = { signal, _, _ in JobCrashNote.noteCrash(signal) }
                action.sa_flags = SA_SIGINFO | SA_ONSTACK
                sigemptyset(&action.sa_mask)
                sigaction(signal, &action, table.previous + Int(signal))
            }
            done = true
        }
    }

    /// A slot for `job` of `dataDirectory` on the calling thread; nil when all
    /// are taken or the path is too long (the job is then not attributed).
    static func claim(job: String, dataDirectory: String) -> Int? {
        let path = Array((dataDirectory + "/" + fileName).utf8CString)
        guard path.count <= pathBytesMax else { return nil }
        guard let slot = used.withLock({ used -> Int? in
            guard let free = used.firstIndex(of: false) else { return nil }
            used[free] = true
            return free
        }) else { return nil }
        let bytes = Array(job.utf8.prefix(nameBytesMax - 1))
        for (i, b) in bytes.enumerated() { table.names[slot * nameBytesMax + i] = CChar(bitPattern: b) }
        table.nameLengths[slot] = bytes.count
        for (i, c) in path.enumerated() { table.paths[slot * pathBytesMax + i] = c }
        table.threads[slot] = pthread_self()
        return slot
    }

    @inline(__always) static func enterStep(_ slot: Int?) { if let slot { table.inStep[slot] = 1 } }
    @inline(__always) static func leaveStep(_ slot: Int?) { if let slot { table.inStep[slot] = 0 } }

    static func release(_ slot: Int?) {
        guard let slot else { return }
        table.inStep[slot] = 0
        used.withLock { $0[slot] = false }
    }

    /// In the signal handler: only async-signal-safe calls.
    static func noteCrash(_ signal: Int32) {
        let t = table
        let me = pthread_self()
        var onJobThread = false
        for slot in 0..<slotsMax where t.inStep[slot] != 0 && pthread_equal(t.threads[slot], me) != 0 { onJobThread = true }
        var newline: CChar = 10
        for slot in 0..<slotsMax where t.inStep[slot] != 0 && (!onJobThread || pthread_equal(t.threads[slot], me) != 0) {
            let fd = open(t.paths + slot * pathBytesMax, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard fd >= 0 else { continue }
            _ = write(fd, t.names + slot * nameBytesMax, t.nameLengths[slot])
            _ = write(fd, &newline, 1)
            close(fd)
        }
        sigaction(signal, t.previous + Int(signal), nil)
        // A fault re-executes the faulting instruction and dies by the old handler;
        // abort() and a trap instruction that resumes after itself need a raise.
        if signal == SIGABRT || signal == SIGTRAP { raise(signal) }
    }

    /// Takes the crash notes of `dataDirectory` (the job names, one per crash), leaving none behind.
    static func take(dataDirectory: String) -> [String] {
        let path = dataDirectory + "/" + fileName
        let taken = path + ".taken-\(getpid())"
        guard rename(path, taken) == 0 else { return [] }
        defer { unlink(taken) }
        let fd = open(taken, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return bytes.split(separator: 10).map { String(decoding: $0, as: UTF8.self) }
    }
}
