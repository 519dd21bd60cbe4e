// Tab completion: which words may finish the word before the cursor. Pure: the
// names come in a CompletionSource (read from the open database on each Tab),
// the editor applies the result (see EditState).
//
// What is offered depends on the word before it, as a user expects:
// after FROM, INTO, DESCRIBE: streams and catalog tables; after STREAM,
// JOB, CHANNEL, ALARM, NOTIFY: names of that kind (these also with nothing typed
// yet); a `.` at the start of a statement: meta-commands; after `.format`: the
// formats; elsewhere keywords, function names, streams, tables, pseudo-columns
// and the columns of every stream or table the statement names (before or after
// the cursor) — of every stream, up to `unnamedStreamsMax`, while it names none
// yet (`SELECT MAX(am` is typed before its FROM). Nothing is offered inside a
// string literal.
//
// Invariants: matching ignores case; keywords and functions are offered in the
// case of what was typed (`sel` -> `select`, `Sel`/`SEL` -> `SELECT`); names
// keep their own spelling; candidates are unique ignoring case (a column wins
// over a keyword of the same spelling) and sorted.

import Spate
import SpateSQL

/// The names Tab may complete, besides the dialect's own words.
struct CompletionSource {
    var names = CatalogNames()
    /// The columns of a stream or catalog table.
    var columns: (String) -> [String] = { _ in [] }

    /// Names from `database`; only the dialect's words when there is none open.
    init(database: Database?) {
        guard let database else { return }
        names = (try? database.catalogNames()) ?? CatalogNames()
        columns = { relation in (try? database.columnNames(of: relation)) ?? [] }
    }

    init(names: CatalogNames = CatalogNames(), columns: [String: [String]] = [:]) {
        self.names = names
        self.columns = { relation in columns.first { $0.key.lowercased() == relation.lowercased() }?.value ?? [] }
    }
}

enum Completion {
    static let metaCommands = [".clear", ".exit", ".format", ".help", ".quit"]
    /// Candidates listed by a second Tab at most; the rest are counted.
    static let listedCandidatesMax = 200
    /// Streams whose columns are offered while the statement names none.
    static let unnamedStreamsMax = 16

    /// How many scalars before the end of `textBeforeCursor` the word being completed starts.
    static func wordLength(_ textBeforeCursor: String) -> Int {
        let scalars = Array(textBeforeCursor.unicodeScalars)
        var start = scalars.count
        while start > 0, isWordScalar(scalars[start - 1]) { start -= 1 }
        // A meta-command's `.` or `\` belongs to the word when only blanks come before it.
        if start > 0, scalars[start - 1] == "." || scalars[start - 1] == "\\",
           scalars[..<(start - 1)].allSatisfy({ $0 == " " || $0 == "\t" }) {
            start -= 1
        }
        return scalars.count - start
    }

    /// The words that may replace the word at the end of `before`.
    /// - Parameters:
    ///   - before: the statement up to the cursor (earlier lines joined by "\n").
    ///   - statement: the whole statement typed so far, after the cursor too.
    static func candidates(before: String, statement: String, source: CompletionSource) -> [String] {
        let wordCount = wordLength(before)
        let scalars = Array(before.unicodeScalars)
        let word = String(String.UnicodeScalarView(scalars[(scalars.count - wordCount)...]))
        let context = String(String.UnicodeScalarView(scalars[..<(scalars.count - wordCount)]))
        if isInsideString(context) || context.unicodeScalars.last == "." { return [] }
        if word.hasPrefix(".") || word.hasPrefix("\\") {
            return context.trimmingWhitespace.isEmpty ? matching(word, in: metaCommands) : []
        }
        let previous = words(of: context).last?.uppercased() ?? ""
        if previous == "FORMAT", words(of: context).count == 1, context.trimmingWhitespace.hasPrefix(".") {
            return matching(word, in: OutputFormat.allCases.map(\.rawValue))
        }
        if let names = names(after: previous, in: source.names) { return matching(word, in: names) }
        guard !word.isEmpty else { return [] }
        var named = relationsNamed(in: statement, source: source)
        if named.isEmpty { named = Array(source.names.streams.prefix(unnamedStreamsMax)) }
        let names = source.names.streams + source.names.tables + named.flatMap(source.columns)
        let words = SQLVocabulary.keywords + SQLVocabulary.functionNames + SQLVocabulary.pseudoColumns
        let lowercase = !word.unicodeScalars.contains { $0.properties.isUppercase }
        return matching(word, in: names + words.map { lowercase ? $0.lowercased() : $0 })
    }

    /// The longest prefix all `candidates` share, ignoring case, spelled as the first.
    static func commonPrefix(_ candidates: [String]) -> String {
        guard let first = candidates.first else { return "" }
        var prefix = Array(first.unicodeScalars)
        for candidate in candidates.dropFirst() {
            let other = Array(candidate.lowercased().unicodeScalars)
            var count = 0
            let lowered = Array(String(String.UnicodeScalarView(prefix)).lowercased().unicodeScalars)
            while count < min(lowered.count, other.count), lowered[count] == other[count] { count += 1 }
            prefix = Array(prefix.prefix(count))
        }
        return String(String.UnicodeScalarView(prefix))
    }

    /// `candidates` in columns, down then across, to fit `width` columns.
    static func columns(_ candidates: [String], width: Int) -> String {
        let shown = Array(candidates.prefix(listedCandidatesMax))
        let cellWidth = (shown.map { DisplayWidth.of($0) }.max() ?? 0) + 2
        let perRow = max(1, width / max(1, cellWidth))
        let rowCount = (shown.count + perRow - 1) / perRow
        var lines: [String] = []
        for row in 0..<rowCount {
            var line = ""
            for column in 0..<perRow {
                let index = column * rowCount + row
                guard index < shown.count else { break }
                let text = shown[index]
                let isLast = (column + 1) * rowCount + row >= shown.count
                line += isLast ? text : text + String(repeating: " ", count: cellWidth - DisplayWidth.of(text))
            }
            lines.append(line)
        }
        if candidates.count > shown.count { lines.append("… and \(candidates.count - shown.count) more") }
        return lines.joined(separator: "\n")
    }

    // MARK: pieces

    /// The names that follow keyword `previous`, or nil when any word may.
    private static func names(after previous: String, in names: CatalogNames) -> [String]? {
        switch previous {
        case "FROM", "INTO", "DESCRIBE", "JOIN": return names.streams + names.tables
        case "STREAM": return names.streams
        case "JOB": return names.jobs
        case "CHANNEL", "NOTIFY": return names.channels
        case "ALARM": return names.alarms
        default: return nil
        }
    }

    /// The streams and tables among the words of `statement`.
    private static func relationsNamed(in statement: String, source: CompletionSource) -> [String] {
        let relations = source.names.streams + source.names.tables
        var found: [String] = []
        for word in words(of: statement) {
            if let relation = relations.first(where: { $0.lowercased() == word.lowercased() }), !found.contains(relation) {
                found.append(relation)
            }
        }
        return found
    }

    /// `pool` entries that start with `word` ignoring case, unique ignoring case, sorted.
    private static func matching(_ word: String, in pool: [String]) -> [String] {
        let lowerWord = word.lowercased()
        var seen: Set<String> = []
        var result: [String] = []
        for candidate in pool where candidate.lowercased().hasPrefix(lowerWord) {
            if seen.insert(candidate.lowercased()).inserted { result.append(candidate) }
        }
        return result.sorted { $0.lowercased() < $1.lowercased() }
    }

    private static func words(of text: String) -> [String] {
        text.unicodeScalars.split { !isWordScalar($0) }.map { String(String.UnicodeScalarView($0)) }
    }

    /// Whether `text` ends inside a '…' literal (an odd number of quotes; '' is an escaped quote).
    private static func isInsideString(_ text: String) -> Bool {
        text.unicodeScalars.filter { $0 == "'" }.count % 2 == 1
    }

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar == "_"
    }
}

/// What the line editor asks on Tab: the statement's earlier lines (a
/// statement may span several) and where the names come from.
struct Completer {
    var earlierLines: [String] = []
    /// Asked on each Tab, so a stream created a moment ago is offered.
    var source: () -> CompletionSource

    /// The candidates for the word before the cursor of `line`.
    func candidates(for line: LineBuffer) -> [String] {
        let earlier = earlierLines.map { $0 + "\n" }.joined()
        let beforeCursor = String(String.UnicodeScalarView(line.scalars[..<line.cursor]))
        return Completion.candidates(before: earlier + beforeCursor, statement: earlier + line.text, source: source())
    }
}
