// `spate -c "…"`, `spate -f file.sql` and statements piped to standard input:
// run every statement and meta-command in order (see ScriptParts), print
// results, exit. A script is read whole before anything runs: a statement that
// does not parse or an unknown meta-command fails it at once, with its line. The
// first error while running stops the script (statements before it keep their
// effect) and is printed on standard error as `spate: [file: ]error: line L,
// column C: …` with the source line and a caret; the exit status is then 1.
// `.quit` (`.exit`, `\q`) ends the script with status 0; `.format` switches the
// format of the results after it; `.help` prints the REPL's help. A Ctrl-C
// stops the running statement and the script with status 130 (128 + SIGINT),
// as shells report it.

import Spate

#if canImport(Glibc)
import Glibc
#endif

enum ScriptRunner {
    /// Runs `script` and returns the exit status. `origin` names the file in errors.
    static func run(_ script: String, origin: String?, format: OutputFormat, dataDirectory: String?) -> Int32 {
        // Nothing to run: do not create a data directory for it.
        if StatementRunner.isBlank(script) { return 0 }
        let prefix = "spate: " + (origin.map { $0 + ": " } ?? "")
        // Nothing after the first `.quit` is read, as in the REPL.
        var parts = ScriptParts.split(script)
        if let quit = parts.firstIndex(where: { if case .command(.quit, _) = $0 { true } else { false } }) {
            parts.removeSubrange((quit + 1)...)
        }
        if let error = firstError(in: parts) {
            Terminal.error(prefix + error)
            return 1
        }
        Interrupts.cancelThenExit()
        let output = FileOutput.standardOutput
        defer { output.flush() }
        let runner = StatementRunner(dataDirectory: dataDirectory)
        var format = format
        // One sink while the format stays, so a table puts a blank line between results.
        var sink: ObservingSink?
        for part in parts {
            switch part {
            case let .sql(text):
                let current = sink ?? ObservingSink(format.makeSink(output: output, diagnostics: FileOutput.standardError,
                                                                    diagnosticsIsTerminal: Terminal.stderrIsTerminal,
                                                                    tableWidthMax: Terminal.tableWidthMax()))
                sink = current
                let outcome = runner.run(text, sink: current)
                output.flush()
                switch outcome {
                case .finished:
                    continue
                case .cancelled:
                    if !current.sawCancelledSummary { Terminal.error("spate: cancelled") }
                    return 130
                case let .failed(error):
                    Terminal.error(prefix + error.description)
                    return 1
                }
            case .command(.quit, _):
                return 0
            case .command(.format(nil), _):
                output.write("format: \(format.rawValue)\n")
            case let .command(.format(chosen?), _):
                if chosen != format { sink = nil }
                format = chosen
            case .command(.help, _):
                output.write(MetaCommand.helpText(format: format) + "\n")
            case .command(.clear, _):
                break  // a script has no screen to clear
            case .command(.invalid, _):
                preconditionFailure("firstError(in:) rejects invalid commands before anything runs")
            }
        }
        return 0
    }

    /// What is wrong with the first part that cannot run, as the error line(s); nil when all can.
    static func firstError(in parts: [ScriptPart]) -> String? {
        for part in parts {
            switch part {
            case let .command(.invalid(message), line):
                return "error: line \(line): \(message)"
            case let .sql(text):
                if let error = StatementRunner.parseError(text) { return error.description }
            case .command:
                continue
            }
        }
        return nil
    }
}
