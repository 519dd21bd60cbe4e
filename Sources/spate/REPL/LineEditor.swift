// Reads one line at the prompt. On a terminal it puts the terminal in raw mode
// for the length of the read and edits the line itself (arrows, Home/End,
// Ctrl-A/E, Backspace/Delete, Ctrl-U/K/W, Up/Down through history, Ctrl-L,
// Tab completion as readline does it: see Completion),
// drawing it on one row that scrolls sideways when the line is wider than the
// terminal, as linenoise does. Where the terminal cannot be put in raw mode, or
// TERM=dumb, it prints the prompt and reads a plain line.
//
// Invariants: the terminal is back in its own mode whenever `readLine` returns,
// so a running statement sees an ordinary terminal (Ctrl-C raises SIGINT);
// raw mode keeps output processing on, so "\n" still starts a new line.

#if canImport(Glibc)
import Glibc
#endif

final class LineEditor {
    enum Result: Equatable {
        case line(String)
        /// Ctrl-C: the line is discarded.
        case interrupted
        /// Ctrl-D on an empty line, or the input ended.
        case endOfFile
    }

    private let inputDescriptor: Int32 = 0
    /// Where prompts and echo go: standard output, or standard error when only that is a terminal.
    private let echoDescriptor: Int32
    private let canEdit: Bool

    init() {
        echoDescriptor = isatty(1) == 1 ? 1 : 2
        let term = getenv("TERM").map { String(cString: $0) } ?? ""
        var probe = termios()
        canEdit = isatty(0) == 1 && isatty(echoDescriptor) == 1 && term != "dumb" && tcgetattr(0, &probe) == 0
    }

    /// `completer`: what Tab completes from; without one Tab only rings.
    func readLine(prompt: String, history: [String], completer: Completer? = nil) -> Result {
        canEdit ? readEdited(prompt: prompt, history: history, completer: completer) : readPlain(prompt: prompt)
    }

    /// Runs `body` with the terminal not echoing Ctrl-C as `^C`, so the line a
    /// cancelled query prints starts at the left margin.
    func withoutControlEcho(_ body: () -> Void) {
        var saved = termios()
        guard canEdit, tcgetattr(inputDescriptor, &saved) == 0 else { return body() }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHOCTL)
        _ = tcsetattr(inputDescriptor, TCSANOW, &quiet)
        defer { _ = tcsetattr(inputDescriptor, TCSANOW, &saved) }
        body()
    }

    /// Clears the screen, for Ctrl-L and `.clear`.
    func clearScreen() { emit("\u{1B}[H\u{1B}[2J") }

    /// Writes `text` where the prompt goes (not into redirected results).
    func show(_ text: String) { emit(text) }

    // MARK: plain

    private func readPlain(prompt: String) -> Result {
        emit(prompt)
        guard let line = Swift.readLine(strippingNewline: true) else { return .endOfFile }
        return .line(line)
    }

    // MARK: raw

    private func readEdited(prompt: String, history: [String], completer: Completer?) -> Result {
        var saved = termios()
        guard tcgetattr(inputDescriptor, &saved) == 0 else { return readPlain(prompt: prompt) }
        var raw = saved
        // No line buffering, echo or signal keys; Ctrl-C arrives as a byte. Output processing stays on.
        raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
        raw.c_cflag |= tcflag_t(CS8)
        raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(inputDescriptor, TCSANOW, &raw) == 0 else { return readPlain(prompt: prompt) }
        defer { _ = tcsetattr(inputDescriptor, TCSANOW, &saved) }

        var state = EditState(prompt: prompt, history: history, completer: completer)
        var source = TerminalBytes(fileDescriptor: inputDescriptor)
        refresh(state)
        while let key = KeyDecoder.next(from: &source) {
            switch state.apply(key) {
            case .continueEditing:
                // Typing at the end of a line that fits: echo the character, do not redraw
                // (a pasted statement would otherwise cost a redraw per character).
                if case let .character(scalar) = key, state.line.cursor == state.line.scalars.count,
                   state.prompt.unicodeScalars.count + state.line.scalars.count < terminalColumns() - 1 {
                    emit(String(Character(scalar)))
                } else {
                    refresh(state)
                }
            case .clearScreen:
                clearScreen()
                refresh(state)
            case .ring:
                emit("\u{07}")
            case let .listCandidates(candidates):
                // Below the line, as readline does; then the prompt and line again.
                emit("\n" + Completion.columns(candidates, width: terminalColumns() - 1) + "\n")
                refresh(state)
            case let .finish(result):
                if case .interrupted = result {
                    state.line.moveEnd()
                    refresh(state)
                    emit("^C\n")
                } else {
                    state.line.moveEnd()
                    refresh(state)
                    emit("\n")
                }
                return result
            }
        }
        emit("\n")
        return .endOfFile
    }

    /// Redraws the prompt row: the part of the line around the cursor that fits.
    private func refresh(_ state: EditState) {
        let promptWidth = state.prompt.unicodeScalars.count
        let columns = max(promptWidth + 8, terminalColumns())
        let scalars = state.line.scalars
        var start = 0
        var cursor = state.line.cursor
        while promptWidth + cursor - start >= columns { start += 1 }
        let end = min(scalars.count, start + columns - promptWidth - 1)
        cursor -= start
        var visible = ""
        visible.unicodeScalars.append(contentsOf: scalars[start..<max(start, end)])
        var text = "\r" + state.prompt + visible + "\u{1B}[0K\r"
        if promptWidth + cursor > 0 { text += "\u{1B}[\(promptWidth + cursor)C" }
        emit(text)
    }

    private func terminalColumns() -> Int {
        var size = winsize()
        guard ioctl(echoDescriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    private func emit(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var done = 0
            while done < bytes.count {
                let n = write(echoDescriptor, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                done += n
            }
        }
    }
}

/// The editor's state between keys: the line, and where in history it is. Pure.
struct EditState {
    enum Outcome: Equatable {
        case continueEditing
        case clearScreen
        /// Tab found nothing to add: the terminal bell.
        case ring
        /// A second Tab on an ambiguous word: show what it could be.
        case listCandidates([String])
        case finish(LineEditor.Result)
    }

    let prompt: String
    var line = LineBuffer()
    private let history: [String]
    /// history.count while editing a new line; an index while showing an entry.
    private var historyIndex: Int
    /// The new line typed before Up was pressed, restored by Down.
    private var draft = ""
    private let completer: Completer?
    /// Whether the key before this one was Tab: a second Tab lists the candidates.
    private var previousKeyWasTab = false

    init(prompt: String, history: [String], completer: Completer? = nil) {
        self.prompt = prompt
        self.history = history
        self.completer = completer
        historyIndex = history.count
    }

    mutating func apply(_ key: Key) -> Outcome {
        let repeatedTab = previousKeyWasTab && key == .tab
        previousKeyWasTab = key == .tab
        switch key {
        case .tab: return complete(listing: repeatedTab)
        case let .character(scalar): line.insert(scalar)
        case .enter: return .finish(.line(line.text))
        case .backspace: line.deleteBackward()
        case .delete: line.deleteForward()
        case .left: line.moveLeft()
        case .right: line.moveRight()
        case .home: line.moveHome()
        case .end: line.moveEnd()
        case .wordLeft: line.moveWordLeft()
        case .wordRight: line.moveWordRight()
        case .deleteToStart: line.deleteToStart()
        case .deleteToEnd: line.deleteToEnd()
        case .deleteWordBefore: line.deleteWordBefore()
        case .up: recall(historyIndex - 1)
        case .down: recall(historyIndex + 1)
        case .clearScreen: return .clearScreen
        case .interrupt: return .finish(.interrupted)
        case .endOfFile:
            if line.isEmpty { return .finish(.endOfFile) }
            line.deleteForward()
        case .ignored: break
        }
        return .continueEditing
    }

    /// One candidate completes in place (and a blank follows at the end of the
    /// line); several complete their common prefix, then a second Tab lists them.
    private mutating func complete(listing: Bool) -> Outcome {
        guard let completer else { return .ring }
        let candidates = completer.candidates(for: line)
        guard !candidates.isEmpty else { return .ring }
        let beforeCursor = String(String.UnicodeScalarView(line.scalars[..<line.cursor]))
        let wordLength = Completion.wordLength(beforeCursor)
        let atEnd = line.cursor == line.scalars.count
        if candidates.count == 1 {
            line.replaceBeforeCursor(count: wordLength, with: candidates[0] + (atEnd ? " " : ""))
            return .continueEditing
        }
        let common = Completion.commonPrefix(candidates)
        if common.unicodeScalars.count > wordLength {
            line.replaceBeforeCursor(count: wordLength, with: common)
            return .continueEditing
        }
        return listing ? .listCandidates(candidates) : .ring
    }

    private mutating func recall(_ index: Int) {
        guard index >= 0, index <= history.count, index != historyIndex else { return }
        if historyIndex == history.count { draft = line.text }
        historyIndex = index
        line = LineBuffer(index == history.count ? draft : history[index])
    }
}

/// Bytes from a terminal in raw mode.
struct TerminalBytes: ByteSource {
    let fileDescriptor: Int32

    mutating func next(timeoutMs: Int?) -> UInt8? {
        if let timeoutMs {
            var poller = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(timeoutMs)) > 0 else { return nil }
        }
        var byte: UInt8 = 0
        while true {
            let n = read(fileDescriptor, &byte, 1)
            if n == 1 { return byte }
            if n < 0 && errno == EINTR { continue }
            return nil
        }
    }
}
