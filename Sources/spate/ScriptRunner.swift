// `spate -c "…"`, `spate -f file.sql` and statements piped to standard input:
// run every statement in order, print results, exit. The first error stops the
// script (statements before it keep their effect) and is printed on standard
// error as `spate: [file: ]error: line L, column C: …` with the source line and a
// caret; the exit status is then 1. A Ctrl-C stops the running statement and
// the script with status 130 (128 + SIGINT), as shells report it.

import Spate

#if canImport(Glibc)
import Glibc
#endif

enum ScriptRunner {
    /// Runs `script` and returns the exit status. `origin` names the file in errors.
    static func run(_ script: String, origin: String?, format: OutputFormat, dataDirectory: String?) -> Int32 {
        // Nothing to run: do not create a data directory for it.
        if StatementRunner.isBlank(script) { return 0 }
        Interrupts.cancelThenExit()
        let output = FileOutput.standardOutput
        let sink = ObservingSink(format.makeSink(output: output, diagnostics: FileOutput.standardError,
                                                 diagnosticsIsTerminal: Terminal.stderrIsTerminal))
        let outcome = StatementRunner(dataDirectory: dataDirectory).run(script, sink: sink)
        output.flush()
        switch outcome {
        case .finished:
            return 0
        case .cancelled:
            if !sink.sawCancelledSummary { Terminal.error("spate: cancelled") }
            return 130
        case let .failed(error):
            Terminal.error("spate: " + (origin.map { $0 + ": " } ?? "") + error.description)
            return 1
        }
    }
}
