// Presentation helpers: whether a stream is a terminal, a progress line that
// rewrites itself on a terminal and stays silent when piped, buffered output,
// and the one-line error exit.

import Spate
import SpateLog

#if canImport(Glibc)
import Glibc
#endif

enum Terminal {
    static var stdoutIsTerminal: Bool { isatty(1) == 1 }
    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// Lines of a table that standard output does not know the width of: a pipe or a file.
    static let tableWidthWhenNotATerminal = 160

    /// How wide a table's lines may be: the terminal's width when standard output
    /// is one, else $COLUMNS, else `tableWidthWhenNotATerminal`.
    static func tableWidthMax() -> Int {
        var size = winsize()
        if stdoutIsTerminal, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let text = getenv("COLUMNS"), let columns = Int(String(cString: text)), columns > 0 { return columns }
        return tableWidthWhenNotATerminal
    }

    /// Writes to standard error.
    static func error(_ text: String, newline: Bool = true) {
        var line = newline ? text + "\n" : text
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// Says on standard error that recovery cut a torn tail (the moment it does).
    @Sendable static func reportRecovery(_ event: RecoveryEvent) {
        error("spate: " + event.description)
    }

    /// Prints `spate: message` on standard error and exits with status 1.
    static func fail(_ message: String) -> Never {
        error("spate: " + message)
        exit(1)
    }

    /// Rewrites the current line of standard error (terminals only).
    static func progress(_ text: String) {
        guard stderrIsTerminal else { return }
        var line = "\r\u{1B}[2K" + text
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    static func clearProgress() {
        guard stderrIsTerminal else { return }
        var line = "\r\u{1B}[2K"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// 1234567 → "1,234,567".
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return value < 0 ? "-" + out : out
    }

    /// Bytes as "13.5 MB" (powers of 1000, like `df -H`).
    static func bytes(_ value: Int) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1000 && unit < units.count - 1 {
            amount /= 1000
            unit += 1
        }
        return unit == 0 ? "\(value) B" : "\(format(amount, decimals: 1)) \(units[unit])"
    }

    static func format(_ value: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = String(rounded)
        if let dot = text.firstIndex(of: ".") {
            let fraction = text[text.index(after: dot)...]
            if fraction.count < decimals { text += String(repeating: "0", count: decimals - fraction.count) }
        }
        return text
    }
}

/// Buffered writes to standard output, in 64 KiB chunks.
final class OutputBuffer {
    private var bytes: [UInt8] = []
    private let flushAt = 64 << 10

    init() { bytes.reserveCapacity(flushAt + 4096) }
    deinit { flush() }

    func append(_ raw: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: raw)
        if bytes.count >= flushAt { flush() }
    }

    func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        if bytes.count >= flushAt { flush() }
    }

    func append(byte: UInt8) { bytes.append(byte) }

    func flush() {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(1, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { exit(errno == EPIPE ? 0 : 1) }  // reader went away (e.g. `| head`)
            done += n
        }
        bytes.removeAll(keepingCapacity: true)
    }
}
