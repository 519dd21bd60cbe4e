// EXEC channels: runs the channel's program with argv (posix_spawn, never a
// shell), writes the alert JSON to its standard input, and waits for it to
// exit: status 0 is success, anything else (or a signal) is a failure whose
// message quotes the start of what the program printed. Past the timeout the
// program is killed (SIGKILL) and the attempt fails.
//
// The child gets an empty signal mask and default SIGPIPE/SIGINT/SIGTERM
// (`spate run` blocks SIGINT/SIGTERM in its threads; a child must not inherit
// that). Its stdout and stderr go to one pipe, of which the first 4 KiB are kept.

#if canImport(Glibc)
import Glibc
#endif

enum ExecSender {
    static let outputKeptMax = 4096

    /// A pipe whose ends close on exec (Glibc's pipe2 is not visible to Swift;
    /// another thread's spawn between the two calls could inherit an end, which
    /// only delays that child's EOF on it — the senders never share a pipe).
    private static func makePipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        return true
    }

    static func run(command: String, arguments: [String], input: [UInt8], timeoutMs: Int64) -> Result<Void, DeliveryError> {
        let deadline = Clock.monotonicMs() + timeoutMs
        var stdinPipe: [Int32] = [0, 0], outputPipe: [Int32] = [0, 0]
        guard makePipe(&stdinPipe) else { return .failure(.failed("pipe: \(String(cString: strerror(errno)))")) }
        guard makePipe(&outputPipe) else {
            close(stdinPipe[0]); close(stdinPipe[1])
            return .failure(.failed("pipe: \(String(cString: strerror(errno)))"))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([command] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        var spawned = posix_spawn(&pid, command, &actions, &attributes, argv, environ)
        // ETXTBSY: the program was just written and another thread's fork still holds
        // it open for writing; that passes within milliseconds.
        for _ in 0..<20 where spawned == ETXTBSY {
            Clock.sleepMs(10)
            spawned = posix_spawn(&pid, command, &actions, &attributes, argv, environ)
        }
        close(stdinPipe[0])
        close(outputPipe[1])
        guard spawned == 0 else {
            close(stdinPipe[1]); close(outputPipe[0])
            return .failure(.failed("cannot run \(command): \(String(cString: strerror(spawned)))"))
        }
        _ = fcntl(stdinPipe[1], F_SETFL, O_NONBLOCK)
        _ = fcntl(outputPipe[0], F_SETFL, O_NONBLOCK)

        var output: [UInt8] = []
        var written = 0
        var stdinOpen = true
        var status: Int32 = 0
        var exited = false
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !exited {
            if Clock.monotonicMs() >= deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                if stdinOpen { close(stdinPipe[1]) }
                close(outputPipe[0])
                return .failure(.timeout("\(command) did not exit within \(timeoutMs) ms; killed"))
            }
            if stdinOpen {
                if written < input.count {
                    let n = input[written...].withUnsafeBytes { write(stdinPipe[1], $0.baseAddress, $0.count) }
                    if n > 0 { written += n } else if n < 0 && errno != EAGAIN && errno != EINTR { written = input.count }  // EPIPE: it stopped reading
                }
                if written >= input.count { close(stdinPipe[1]); stdinOpen = false }
            }
            let n = buffer.withUnsafeMutableBytes { read(outputPipe[0], $0.baseAddress, $0.count) }
            if n > 0 && output.count < outputKeptMax { output += buffer[0..<min(n, outputKeptMax - output.count)] }
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { exited = true; break }
            if n <= 0 {
                var entries = [pollfd(fd: outputPipe[0], events: Int16(POLLIN), revents: 0)]
                if stdinOpen { entries.append(pollfd(fd: stdinPipe[1], events: Int16(POLLOUT), revents: 0)) }
                _ = poll(&entries, nfds_t(entries.count), 20)
            }
        }
        if stdinOpen { close(stdinPipe[1]) }
        while output.count < outputKeptMax {
            let n = buffer.withUnsafeMutableBytes { read(outputPipe[0], $0.baseAddress, $0.count) }
            if n <= 0 { break }
            output += buffer[0..<min(n, outputKeptMax - output.count)]
        }
        close(outputPipe[0])
        let said = String(decoding: output, as: UTF8.self).split(whereSeparator: \.isNewline).first.map { ": \($0.prefix(200))" } ?? ""
        if status & 0x7f == 0 {
            let code = (status >> 8) & 0xff
            return code == 0 ? .success(()) : .failure(.failed("\(command) exited with status \(code)\(said)"))
        }
        return .failure(.failed("\(command) was killed by signal \(status & 0x7f)\(said)"))
    }
}
