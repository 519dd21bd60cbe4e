// SourceLocation and SourceRange: where a token or AST node stands in the SQL text.
//
// Layer: SpateSQL diagnostics. Every token and AST node carries a SourceRange so
// that the parser, and later the analyzer and planner, can point at the text a
// user typed.
//
// Invariants:
// - `line` and `column` are 1-based. `column` counts Unicode scalars from the
//   start of the line (a tab counts as one), so a caret can be drawn under the
//   text by repeating the line's prefix.
// - `offset` is the 0-based UTF-8 byte offset from the start of the parsed text.
// - In a SourceRange, `start.offset <= end.offset`; `end` is exclusive.

/// A position in SQL text.
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// 1-based line number.
    public var line: Int
    /// 1-based column, counted in Unicode scalars.
    public var column: Int
    /// 0-based UTF-8 byte offset from the start of the text.
    public var offset: Int

    public init(line: Int, column: Int, offset: Int) {
        precondition(line >= 1 && column >= 1 && offset >= 0, "source locations are 1-based lines/columns and 0-based offsets")
        self.line = line
        self.column = column
        self.offset = offset
    }

    /// The start of any text.
    public static let start = SourceLocation(line: 1, column: 1, offset: 0)

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        lhs.offset < rhs.offset
    }

    public var description: String { "line \(line), column \(column)" }
}

/// A half-open span of SQL text: `start` is the first character, `end` is just past the last.
public struct SourceRange: Hashable, Sendable, CustomStringConvertible {
    public var start: SourceLocation
    public var end: SourceLocation

    public init(start: SourceLocation, end: SourceLocation) {
        precondition(start.offset <= end.offset, "a source range ends after it starts")
        self.start = start
        self.end = end
    }

    /// The smallest range covering both `self` and `other`.
    public func extended(to other: SourceRange) -> SourceRange {
        SourceRange(start: min(start, other.start), end: max(end, other.end))
    }

    /// Length of the range in UTF-8 bytes.
    public var byteCount: Int { end.offset - start.offset }

    public var description: String { "\(start.line):\(start.column)-\(end.line):\(end.column)" }
}
