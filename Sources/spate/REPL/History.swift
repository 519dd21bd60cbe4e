// Statements typed at the REPL, kept across sessions in a file: `$SPATE_HISTORY`
// if set (empty: no history file), else `~/.spate_history`. History belongs to
// the user, not to a data directory (one may be shared or checked in), as with
// ~/.psql_history and ~/.sqlite_history.
//
// File format: one entry per line, oldest first. A statement typed over several
// lines is kept as one entry with its lines joined by spaces, unless it holds a
// `--` comment (which would swallow what followed it): then each line is an entry.
//
// Invariants: at most `entriesMax` entries in memory; an entry never holds a line
// break; the file is created mode 0600 (statements may quote data). Each entry is
// appended with O_APPEND, so REPLs running at once do not overwrite each other;
// the file is cut back to `entriesMax` lines when it is loaded. History is a
// convenience: a file that cannot be read or written is silently ignored.

#if canImport(Glibc)
import Glibc
#endif

struct History {
    static let entriesMax = 1000

    private(set) var entries: [String] = []
    /// nil: keep history in memory only.
    let path: String?

    init(path: String?, entries: [String] = []) {
        self.path = path
        self.entries = Array(entries.suffix(Self.entriesMax))
    }

    /// `$SPATE_HISTORY`, else `$HOME/.spate_history`; nil when neither applies.
    static func defaultPath() -> String? {
        if let value = getenv("SPATE_HISTORY") {
            let path = String(cString: value)
            return path.isEmpty ? nil : path
        }
        guard let home = getenv("HOME"), case let directory = String(cString: home), !directory.isEmpty else { return nil }
        return directory + "/.spate_history"
    }

    /// Reads the history file, trimming it when it has grown past `entriesMax`.
    static func load(path: String?) -> History {
        guard let path, let contents = readFile(path) else { return History(path: path) }
        let lines = contents.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let history = History(path: path, entries: lines)
        if lines.count > entriesMax { history.rewrite() }
        return history
    }

    /// The history entries for statement `lines` typed at the prompt.
    static func entries(forStatementLines lines: [String]) -> [String] {
        let parts = lines.map { $0.trimmingWhitespace }.filter { !$0.isEmpty }
        if parts.contains(where: { $0.contains("--") }) { return parts }
        return parts.isEmpty ? [] : [parts.joined(separator: " ")]
    }

    /// Adds an entry (not a repeat of the last one) and appends it to the file.
    mutating func add(_ entry: String) {
        let line = entry.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).joined(separator: " ")
        guard !line.trimmingWhitespace.isEmpty, line != entries.last else { return }
        entries.append(line)
        if entries.count > Self.entriesMax { entries.removeFirst(entries.count - Self.entriesMax) }
        if let path { Self.append(line + "\n", to: path) }
    }

    private func rewrite() {
        guard let path else { return }
        let temporary = path + ".tmp\(getpid())"
        unlink(temporary)
        Self.append(entries.map { $0 + "\n" }.joined(), to: temporary)
        if rename(temporary, path) != 0 { unlink(temporary) }
    }

    private static func append(_ text: String, to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = fchmod(fd, 0o600)  // owner-only whatever the umask: statements may hold secrets (channel headers)
        var text = text
        text.withUTF8 { bytes in
            var done = 0
            while done < bytes.count {
                let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                done += n
            }
        }
    }

    private static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
            if bytes.count > 16 << 20 { return nil }  // not a history file we wrote
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension String {
    /// Without leading and trailing blanks and line breaks.
    var trimmingWhitespace: String {
        let blank: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = unicodeScalars.firstIndex(where: { !blank($0) }),
              let last = unicodeScalars.lastIndex(where: { !blank($0) }) else { return "" }
        return String(unicodeScalars[first...last])
    }
}
