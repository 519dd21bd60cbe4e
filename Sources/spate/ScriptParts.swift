// A script as a user types it into the REPL, cut into what runs: SQL, and the
// meta-commands (`.format csv`, `.quit`, `\q`) between statements. `spate -c`,
// `spate -f` and a script piped to standard input all take both, as sqlite3,
// duckdb and psql do.
//
// A meta-command is a line whose first non-blank character is `.` or `\`, when
// it is not inside a statement (all text before it ends with a `;`, outside
// strings and comments). Anywhere else such a line is SQL, and the parser says
// what is wrong with it.
//
// Invariant: each SQL part is the script's text with every line outside the
// part blanked, so a parse error in it names the line and column of the script.
// Cost: one pass over the lines; the text is re-scanned only at a line that
// starts with `.` or `\`, from the last point between statements.

import SpateSQL

enum ScriptPart: Equatable {
    /// SQL text, blank lines standing in for the script's lines before it.
    case sql(String)
    /// A meta-command on `line` (1-based).
    case command(MetaCommand, line: Int)
}

enum ScriptParts {
    static func split(_ script: String) -> [ScriptPart] {
        // By bytes: a "\r\n" is one Character, which a split at "\n" would not cut.
        let lines = script.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        var parts: [ScriptPart] = []
        var partFirstLine = 0  // the first line (0-based) of the SQL part being collected
        var sinceBoundary = ""  // text since the last point known to be between statements
        func closePart(before end: Int) {
            guard end > partFirstLine else { return }
            let text = String(repeating: "\n", count: partFirstLine) + lines[partFirstLine..<end].joined(separator: "\n")
            if !StatementRunner.isBlank(text) { parts.append(.sql(text)) }
        }
        for (index, line) in lines.enumerated() {
            if let first = line.unicodeScalars.first(where: { $0 != " " && $0 != "\t" && $0 != "\r" }), first == "." || first == "\\" {
                let scan = SQLScriptSplitter.scan(sinceBoundary)
                if scan.remainder.isEmpty && !scan.isInsideQuoteOrComment, let command = MetaCommand.parse(line) {
                    closePart(before: index)
                    parts.append(.command(command, line: index + 1))
                    partFirstLine = index + 1
                    sinceBoundary = ""
                    continue
                }
            }
            sinceBoundary += line
            sinceBoundary += "\n"
        }
        closePart(before: lines.count)
        return parts
    }
}
