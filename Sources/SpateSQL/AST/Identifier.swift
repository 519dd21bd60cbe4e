// Identifier: a name in SQL (stream, column, alias, job, option, function).
//
// Layer: SpateSQL AST. Names are case-preserving: `userId` and `userid` are
// different names; whether they resolve to the same thing is the analyzer's call.
// A "quoted" name and the same name unquoted are the same Identifier.
//
// Invariant: `value` is non-empty and at most SQLLimits.identifierBytesMax bytes
// (the lexer enforces both).

/// A name, with where it was written.
public struct Identifier: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var value: String
    @SourceMetadata public var range: SourceRange

    public init(_ value: String, range: SourceRange = SourceRange(start: .start, end: .start)) {
        self.value = value
        self.range = range
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    /// The name as canonical SQL: bare when that parses back to the same name, else "quoted".
    public var description: String { SQLText.identifier(value) }
}
