// Waiting for a pipe or a terminal to have input, while asking whether to stop
// (Ctrl-C during `spate put`): the reader never sleeps in read() on input that
// may not come, so a stop is seen within `pollMs` however idle the producer.

#if canImport(Glibc)
import Glibc
#endif

enum InputWait {
    /// How often a wait asks `shouldStop`.
    static let pollMs: Int32 = 100

    /// Whether reading `fd` can keep its reader waiting (anything but a regular file).
    static func canWait(_ fd: Int32) -> Bool {
        var st = stat()
        return fstat(fd, &st) != 0 || (st.st_mode & S_IFMT) != S_IFREG
    }

    /// Waits until `fd` has something to read (or its end, or an error, which
    /// the read then reports); false when `shouldStop` said to stop first.
    static func waitForInput(_ fd: Int32, shouldStop: () -> Bool) -> Bool {
        var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            if shouldStop() { return false }
            let n = poll(&ready, 1, pollMs)
            if n > 0 || (n < 0 && errno != EINTR) { return true }
        }
    }
}
