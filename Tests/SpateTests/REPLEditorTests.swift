// The REPL's pieces that need no terminal: key decoding, line editing, history
// recall and its file, meta-commands, and argument normalization.

import Foundation
import Testing
@testable import spate

/// Bytes as a terminal would deliver them; nil once they run out.
struct ScriptedBytes: ByteSource {
    var bytes: [UInt8]
    init(_ text: String) { bytes = Array(text.utf8) }
    mutating func next(timeoutMs: Int?) -> UInt8? { bytes.isEmpty ? nil : bytes.removeFirst() }
}

@Suite struct REPLEditorTests {
    func keys(_ text: String) -> [Key] {
        var source = ScriptedBytes(text)
        var keys: [Key] = []
        while let key = KeyDecoder.next(from: &source) { keys.append(key) }
        return keys
    }

    /// The line after typing `text` into a fresh editor state.
    func typed(_ text: String, history: [String] = []) -> (EditState, EditState.Outcome?) {
        var state = EditState(prompt: "spate> ", history: history)
        var last: EditState.Outcome?
        for key in keys(text) { last = state.apply(key) }
        return (state, last)
    }

    @Test func decodesArrowsHomeEndDeleteAndControlKeys() {
        #expect(keys("\u{1B}[A\u{1B}[B\u{1B}[C\u{1B}[D") == [.up, .down, .right, .left])
        #expect(keys("\u{1B}OH\u{1B}OF\u{1B}[H\u{1B}[F\u{1B}[1~\u{1B}[4~\u{1B}[7~\u{1B}[8~")
                == [.home, .end, .home, .end, .home, .end, .home, .end])
        #expect(keys("\u{1B}[3~\u{7F}\u{08}") == [.delete, .backspace, .backspace])
        #expect(keys("\u{01}\u{05}\u{15}\u{0B}\u{17}\u{0C}\u{03}\u{04}\r\n")
                == [.home, .end, .deleteToStart, .deleteToEnd, .deleteWordBefore, .clearScreen, .interrupt, .endOfFile, .enter, .enter])
        #expect(keys("\u{1B}[1;5D\u{1B}[1;5C\u{1B}b\u{1B}f") == [.wordLeft, .wordRight, .wordLeft, .wordRight])
        #expect(keys("\u{1B}[15~x") == [.ignored, .character("x")])
        #expect(keys("é€😀") == [.character("é"), .character("€"), .character("😀")])
        #expect(keys("\u{1B}") == [.ignored])
    }

    @Test func editsInTheMiddleOfTheLine() {
        // "jxon" ← ← ⌫ s, then Home and a dot: ".format json"
        let (state, _) = typed("format jxon\u{1B}[D\u{1B}[D\u{7F}s\u{01}.")
        #expect(state.line.text == ".format json")
        #expect(state.line.cursor == 1)
        #expect(typed("select a from\u{17}").0.line.text == "select a ")
        #expect(typed("select a from\u{17}\u{17}").0.line.text == "select ")
        #expect(typed("abcdef\u{1B}[D\u{1B}[D\u{0B}").0.line.text == "abcd")
        #expect(typed("abcdef\u{1B}[D\u{1B}[D\u{15}").0.line.text == "ef")
        #expect(typed("abc\u{01}\u{1B}[3~").0.line.text == "bc")
        #expect(typed("one two\u{1B}b\u{1B}b_\u{05}!").0.line.text == "_one two!")
    }

    @Test func enterControlCAndControlDFinishTheLine() {
        #expect(typed("SELECT 1;\r").1 == .finish(.line("SELECT 1;")))
        #expect(typed("SELECT\u{03}").1 == .finish(.interrupted))
        #expect(typed("\u{04}").1 == .finish(.endOfFile))
        // On a non-empty line Ctrl-D deletes under the cursor, as in a shell.
        let (state, outcome) = typed("ab\u{01}\u{04}")
        #expect(outcome == .continueEditing)
        #expect(state.line.text == "b")
    }

    @Test func upAndDownWalkHistoryAndRestoreTheDraft() {
        let history = ["SHOW STREAMS;", "DESCRIBE tx;"]
        #expect(typed("\u{1B}[A", history: history).0.line.text == "DESCRIBE tx;")
        #expect(typed("\u{1B}[A\u{1B}[A\u{1B}[A", history: history).0.line.text == "SHOW STREAMS;")
        #expect(typed("draft\u{1B}[A\u{1B}[A\u{1B}[B\u{1B}[B", history: history).0.line.text == "draft")
        #expect(typed("\u{10}x\u{0E}", history: history).0.line.text == "")
        #expect(typed("\u{1B}[B", history: history).0.line.text == "")
    }

    @Test func historyPersistsSkipsRepeatsAndKeepsTheLastThousand() throws {
        let dir = TemporaryDirectory()
        let path = dir.path + "/history"
        var history = History.load(path: path)
        history.add("SHOW STREAMS;")
        history.add("SHOW STREAMS;")
        history.add("  ")
        history.add("DESCRIBE\ntx;")
        #expect(history.entries == ["SHOW STREAMS;", "DESCRIBE tx;"])
        #expect(History.load(path: path).entries == ["SHOW STREAMS;", "DESCRIBE tx;"])
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        for i in 0..<1200 { history.add("SELECT \(i);") }
        #expect(history.entries.count == History.entriesMax)
        #expect(history.entries.last == "SELECT 1199;")
        let reloaded = History.load(path: path)
        #expect(reloaded.entries == history.entries)
        // Loading cut the file back to the limit.
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == History.entriesMax)
    }

    @Test func multiLineStatementsBecomeOneEntryUnlessTheyHoldAComment() {
        #expect(History.entries(forStatementLines: ["SELECT a", "  FROM tx", "", ";"]) == ["SELECT a FROM tx ;"])
        #expect(History.entries(forStatementLines: ["SELECT a -- the key", "FROM tx;"]) == ["SELECT a -- the key", "FROM tx;"])
    }

    @Test func parsesMetaCommands() {
        #expect(MetaCommand.parse(".help") == .help)
        #expect(MetaCommand.parse("\\help") == .help)
        #expect(MetaCommand.parse("  \\? ") == .help)
        #expect(MetaCommand.parse(".quit") == .quit)
        #expect(MetaCommand.parse(".exit;") == .quit)
        #expect(MetaCommand.parse("\\q") == .quit)
        #expect(MetaCommand.parse(".format csv") == .format(.csv))
        #expect(MetaCommand.parse(".FORMAT JSON") == .format(.json))
        #expect(MetaCommand.parse(".format") == .format(nil))
        #expect(MetaCommand.parse(".format xml") == .invalid("usage: .format table|csv|json"))
        #expect(MetaCommand.parse(".tables") == .invalid("unknown command '.tables'; .help lists the commands"))
        #expect(MetaCommand.parse("SELECT 1;") == nil)
    }

    @Test func leadingOptionsMoveAfterTheSubcommandButOptionValuesStayPut() {
        #expect(SpateCommand.normalizedArguments(["--data", "d", "put", "tx"]) == ["put", "tx", "--data", "d"])
        #expect(SpateCommand.normalizedArguments(["-f", "cat"]) == ["-f", "cat"])
        #expect(SpateCommand.normalizedArguments(["-c", "put", "--format", "csv"]) == ["-c", "put", "--format", "csv"])
        #expect(SpateCommand.normalizedArguments(["--format", "json", "cat", "tx"]) == ["cat", "tx", "--format", "json"])
    }
}
