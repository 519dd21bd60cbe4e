// SQLScriptSplitter: tells the REPL whether typed text holds complete statements.
//
// Layer: SpateSQL lexer. A light scanner that knows only what can hide a `;`:
// 'strings', "quoted names", -- line comments and /* block comments */. It never
// fails: an unterminated string or comment simply means "not complete yet".
//
// Invariant: `split` returns statement texts whose concatenation with their
// separating `;` and trivia is the input; a text is complete when it has at least
// one `;` outside strings and comments and nothing but whitespace and comments
// after the last one.

/// Splits REPL input into statements at `;` outside strings and comments.
public enum SQLScriptSplitter {
    /// The result of scanning input text.
    public struct Scan: Hashable, Sendable {
        /// Statement texts ended by `;` (without it), blank ones skipped.
        public var statements: [String]
        /// Text after the last `;` that is more than whitespace and comments.
        public var remainder: String
        /// The scan ended inside a string, quoted name or block comment.
        public var isInsideQuoteOrComment: Bool

        /// True when nothing is left to read: every statement is terminated.
        public var isComplete: Bool { remainder.isEmpty && !isInsideQuoteOrComment && !statements.isEmpty }
    }

    /// True when `text` ends with a `;` outside strings and comments (trailing
    /// whitespace and comments allowed), i.e. the REPL can stop reading lines.
    public static func isComplete(_ text: String) -> Bool {
        scan(text).isComplete
    }

    /// Scans `text`. Cost: O(n), one pass over the UTF-8 bytes.
    public static func scan(_ text: String) -> Scan {
        let bytes = Array(text.utf8)
        var statements: [String] = []
        var statementStart = 0
        var hasContent = false
        var index = 0
        var inside = false
        func flush(upTo end: Int) {
            if hasContent {
                statements.append(String(decoding: bytes[statementStart..<end], as: UTF8.self).trimmingWhitespace)
            }
            hasContent = false
        }
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                hasContent = true
                index += 1
                var closed = false
                while index < bytes.count {
                    if bytes[index] == byte {
                        if index + 1 < bytes.count, bytes[index + 1] == byte { index += 2; continue }
                        closed = true
                        index += 1
                        break
                    }
                    index += 1
                }
                if !closed { inside = true }
            case UInt8(ascii: "-") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "-"):
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*"):
                index += 2
                var closed = false
                while index + 1 < bytes.count {
                    if bytes[index] == UInt8(ascii: "*"), bytes[index + 1] == UInt8(ascii: "/") { closed = true; break }
                    index += 1
                }
                if closed { index += 2 } else { index = bytes.count; inside = true }
            case UInt8(ascii: ";"):
                flush(upTo: index)
                index += 1
                statementStart = index
            default:
                if !(byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D) { hasContent = true }
                index += 1
            }
        }
        let remainder = hasContent ? String(decoding: bytes[statementStart...], as: UTF8.self).trimmingWhitespace : ""
        return Scan(statements: statements, remainder: remainder, isInsideQuoteOrComment: inside)
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line breaks.
    var trimmingWhitespace: String {
        let isSpace = { (s: Unicode.Scalar) in s == " " || s == "\t" || s == "\n" || s == "\r" }
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }
}
