// Where printed results go: a file descriptor (standard output or error) with a
// small buffer, or a string in tests. Sinks write whole lines and call `flush()`
// after every row, so a push query's rows reach the reader as they are produced.
//
// Invariant: nothing written stays buffered past the next `flush()`.

#if canImport(Glibc)
import Glibc
#endif

/// A destination for text.
protocol TextOutput: AnyObject {
    func write(_ text: String)
    /// Hands buffered text to the reader.
    func flush()
}

/// Buffered writes to a file descriptor. A reader that went away (`| head`)
/// ends the process quietly, like `OutputBuffer`.
final class FileOutput: TextOutput {
    let fileDescriptor: Int32
    private var bytes: [UInt8] = []
    private let bytesFlushAt = 64 << 10

    init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    deinit { flush() }

    // The command runs its statements and prints on the main thread only.
    nonisolated(unsafe) static let standardOutput = FileOutput(fileDescriptor: 1)
    nonisolated(unsafe) static let standardError = FileOutput(fileDescriptor: 2)

    var isTerminal: Bool { isatty(fileDescriptor) == 1 }

    func write(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        if bytes.count >= bytesFlushAt { flush() }
    }

    func flush() {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fileDescriptor, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { exit(errno == EPIPE ? 0 : 1) }
            done += n
        }
        bytes.removeAll(keepingCapacity: true)
    }
}

/// Collects text in memory (tests, and sinks whose output is discarded).
final class StringOutput: TextOutput {
    private(set) var text = ""
    private(set) var flushCount = 0

    func write(_ text: String) { self.text += text }
    func flush() { flushCount += 1 }
}
