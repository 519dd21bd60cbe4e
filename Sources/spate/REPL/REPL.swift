// The interactive shell: `spate` with a terminal on standard input.
//
// Lines are collected until they hold a complete statement (a `;` outside
// strings and comments, per SQLScriptSplitter), then run; results print in the
// chosen format as they arrive. A meta-command (`.help`) is a line of its own at
// the start of a statement. Ctrl-C at the prompt discards the line and any
// unfinished statement; during a statement it cancels the statement, and the
// REPL returns to the prompt. Ctrl-D on an empty line, `.quit`, or the end of
// input leaves with status 0. Errors print and the REPL goes on.
// Tab completes from the dialect's words and, once the database is open, its
// names (Completion); it never opens or creates the data directory itself.
//
// Start-up does no more than read the history file: the database opens when the
// first statement runs (see StatementRunner).

import Spate
import SpateSQL

#if canImport(Glibc)
import Glibc
#endif

final class REPL {
    static let prompt = "spate> "
    static let continuationPrompt = "   ...> "

    private let runner: StatementRunner
    private var format: OutputFormat
    private let editor = LineEditor()
    private var history: History
    private let output = FileOutput.standardOutput

    init(dataDirectory: String?, format: OutputFormat, historyPath: String? = History.defaultPath()) {
        runner = StatementRunner(dataDirectory: dataDirectory, runsJobs: true)
        self.format = format
        history = History.load(path: historyPath)
    }

    /// Runs until the user leaves; returns the exit status.
    func run() -> Int32 {
        Interrupts.cancelStatements()
        defer { runner.stopJobs() }  // each job checkpoints before the REPL exits
        editor.show(Self.banner(dataDirectory: runner.dataDirectoryShown) + "\n")
        // An existing data directory is opened now so that its jobs run while the
        // REPL is open; a new one is created only by the first statement.
        if access(runner.dataDirectoryShown, F_OK) == 0 { _ = try? runner.openSession() }
        var pending: [String] = []
        while true {
            let completer = Completer(earlierLines: pending) { [runner] in
                CompletionSource(database: runner.openedSession?.database)
            }
            let result = editor.readLine(prompt: pending.isEmpty ? Self.prompt : Self.continuationPrompt,
                                         history: history.entries, completer: completer)
            switch result {
            case .endOfFile:
                return 0
            case .interrupted:
                pending = []
            case let .line(line):
                if pending.isEmpty, let command = MetaCommand.parse(line) {
                    history.add(line.trimmingWhitespace)
                    if perform(command) == .leave { return 0 }
                    continue
                }
                pending.append(line)
                let script = pending.joined(separator: "\n")
                if StatementRunner.isBlank(script) {
                    pending = []  // blank lines and comments: nothing to run
                } else if SQLScriptSplitter.isComplete(script) {
                    for entry in History.entries(forStatementLines: pending) { history.add(entry) }
                    pending = []
                    execute(script)
                }
            }
        }
    }

    /// The one line an interactive start prints (scripts and pipes print none).
    static func banner(dataDirectory: String) -> String {
        "Spate \(SpateVersion.current) on \(dataDirectory). End statements with ';'. .help for help, Ctrl-D to leave."
    }

    private enum Next { case stay, leave }

    private func perform(_ command: MetaCommand) -> Next {
        switch command {
        case .help:
            output.write(MetaCommand.helpText(format: format) + "\n")
        case .quit:
            return .leave
        case .format(nil):
            output.write("format: \(format.rawValue)\n")
        case let .format(chosen?):
            format = chosen
        case .clear:
            editor.clearScreen()
        case let .invalid(message):
            output.flush()
            Terminal.error(message)
        }
        output.flush()
        return .stay
    }

    private func execute(_ script: String) {
        let sink = ObservingSink(format.makeSink(output: output, diagnostics: FileOutput.standardError,
                                                 diagnosticsIsTerminal: Terminal.stderrIsTerminal,
                                                 tableWidthMax: Terminal.tableWidthMax()))
        var outcome = StatementRunner.Outcome.finished
        editor.withoutControlEcho { outcome = runner.run(script, sink: sink) }
        output.flush()
        switch outcome {
        case .finished:
            break
        case .cancelled:
            // The query's own summary says so when it got that far.
            if !sink.sawCancelledSummary { Terminal.error("cancelled") }
        case let .failed(error):
            let text = error.description
            Terminal.error(text.hasPrefix("error:") ? text : "error: " + text)
        }
    }
}
