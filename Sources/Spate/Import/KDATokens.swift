// The tokens of a Kinesis Data Analytics SQL application (the dialect of
// Amazon's SQL reference for KDA, a SQLstream dialect): words, "quoted"
// identifiers, 'strings', numbers and punctuation, with `--` and `/* */`
// comments dropped. Only as much as the importer needs to find statements,
// clauses and calls; KDATranslator gives them meaning.

/// One token of a KDA application.
struct KDAToken: Equatable {
    enum Kind: Equatable { case word, quoted, string, number, symbol }
    var kind: Kind
    /// Words and numbers as written; a quoted identifier or string without its quotes.
    var text: String

    /// Whether this is the keyword `word` (words only, any case).
    func isKeyword(_ word: String) -> Bool { kind == .word && text.uppercased() == word }

    /// The token as Spate SQL writes it. KDA folds unquoted identifiers to
    /// upper case (`ticker_symbol` is the column TICKER_SYMBOL); Spate's names
    /// are case-sensitive, so unquoted words are written upper case.
    var sql: String {
        switch kind {
        case .word: return text.uppercased()
        case .string: return "'" + text.replacing("'", with: "''") + "'"
        case .quoted:
            // A simple identifier loses its quotes (Spate keeps an identifier's case either way).
            let simple = !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } && !text.first!.isNumber
            return simple ? text : "\"" + text.replacing("\"", with: "\"\"") + "\""
        default: return text
        }
    }

    /// Splits `source` into tokens; throws on an unterminated string, identifier or comment.
    static func tokenize(_ source: String) throws(KDAImportError) -> [KDAToken] {
        let s = Array(source.unicodeScalars)
        var tokens: [KDAToken] = []
        var i = 0
        func text(_ range: Range<Int>) -> String { String(String.UnicodeScalarView(s[range])) }
        while i < s.count {
            let c = s[i]
            if c.properties.isWhitespace { i += 1; continue }
            if c == "-", i + 1 < s.count, s[i + 1] == "-" {
                while i < s.count, s[i] != "\n" { i += 1 }
                continue
            }
            if c == "/", i + 1 < s.count, s[i + 1] == "*" {
                guard let end = (i + 2..<max(i + 2, s.count - 1)).first(where: { s[$0] == "*" && s[$0 + 1] == "/" }) else {
                    throw KDAImportError("a /* comment is not closed")
                }
                i = end + 2
                continue
            }
            if c == "'" || c == "\"" {
                var value = "", j = i + 1, closed = false
                while j < s.count {
                    if s[j] == c {
                        if j + 1 < s.count, s[j + 1] == c { value.unicodeScalars.append(c); j += 2; continue }
                        closed = true
                        break
                    }
                    value.unicodeScalars.append(s[j])
                    j += 1
                }
                guard closed else { throw KDAImportError(c == "'" ? "a 'string' is not closed" : "a \"quoted\" name is not closed") }
                tokens.append(KDAToken(kind: c == "'" ? .string : .quoted, text: value))
                i = j + 1
                continue
            }
            if c.properties.isAlphabetic || c == "_" {
                var j = i
                while j < s.count, s[j].properties.isAlphabetic || s[j].properties.numericType != nil || s[j] == "_" || s[j] == "$" { j += 1 }
                tokens.append(KDAToken(kind: .word, text: text(i..<j)))
                i = j
                continue
            }
            if ("0"..."9").contains(c) || (c == "." && i + 1 < s.count && ("0"..."9").contains(s[i + 1])) {
                var j = i
                while j < s.count, ("0"..."9").contains(s[j]) || s[j] == "." || s[j] == "e" || s[j] == "E" { j += 1 }
                tokens.append(KDAToken(kind: .number, text: text(i..<j)))
                i = j
                continue
            }
            let pair = i + 1 < s.count ? text(i..<i + 2) : ""
            if ["<=", ">=", "<>", "!=", "||"].contains(pair) {
                tokens.append(KDAToken(kind: .symbol, text: pair))
                i += 2
                continue
            }
            tokens.append(KDAToken(kind: .symbol, text: String(c)))
            i += 1
        }
        return tokens
    }
}

/// Why an application could not be read at all (one line).
public struct KDAImportError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

extension Array where Element == KDAToken {
    /// The tokens as Spate SQL text: spaces between tokens, none around `.`,
    /// inside parentheses or before a comma.
    var sql: String {
        var out = ""
        for (i, token) in enumerated() {
            if i > 0 {
                let previous = self[i - 1]
                let tight = (token.kind == .symbol && [",", ")", "."].contains(token.text))
                    || (previous.kind == .symbol && ["(", "."].contains(previous.text))
                    || (token.kind == .symbol && token.text == "(" && previous.kind == .word && !Self.keywordsBeforeParen.contains(previous.text.uppercased()))
                if !tight { out += " " }
            }
            out += token.sql
        }
        return out
    }

    private static let keywordsBeforeParen: Set<String> = ["AS", "IN", "AND", "OR", "NOT", "ON", "FROM", "WHERE", "SELECT", "BY", "VALUES"]

    /// Splits at `separator` symbols outside parentheses.
    func splitTopLevel(_ separator: String) -> [[KDAToken]] {
        var parts: [[KDAToken]] = [[]]
        var depth = 0
        for token in self {
            if token.kind == .symbol && token.text == "(" { depth += 1 }
            if token.kind == .symbol && token.text == ")" { depth -= 1 }
            if depth == 0 && token.kind == .symbol && token.text == separator { parts.append([]); continue }
            parts[parts.count - 1].append(token)
        }
        return parts.filter { !$0.isEmpty }
    }

    /// The index of the parenthesis closing the one at `open`.
    func closingParen(from open: Int) -> Int? {
        var depth = 0
        for i in open..<count {
            if self[i].kind == .symbol && self[i].text == "(" { depth += 1 }
            if self[i].kind == .symbol && self[i].text == ")" { depth -= 1; if depth == 0 { return i } }
        }
        return nil
    }
}
