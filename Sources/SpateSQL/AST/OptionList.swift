// Option: one `name = value` of a WITH (...) or SET (...) list.
//
// Layer: SpateSQL AST. The parser checks only the syntax and that no name is given
// twice (case-insensitively); which names a statement accepts, and their value
// types, are checked by the analyzer, which knows the catalog's settings.
//
// Invariant: `value` is never `.null` (the parser rejects NULL as an option value).

/// `name = literal` in WITH (...) or SET (...).
public struct Option: Hashable, Sendable, CustomStringConvertible {
    public var name: Identifier
    public var value: Literal
    @SourceMetadata public var valueRange: SourceRange

    public init(name: Identifier, value: Literal, valueRange: SourceRange = SourceRange(start: .start, end: .start)) {
        self.name = name
        self.value = value
        self.valueRange = valueRange
    }

    public var description: String { "\(name) = \(value)" }
}

extension [Option] {
    /// The option named `name` (case-insensitive), if given.
    public func option(named name: String) -> Option? {
        first { Keywords.uppercased($0.name.value) == Keywords.uppercased(name) }
    }

    /// `(a = 1, b = 'x')`
    var parenthesized: String { "(" + SQLText.list(self) + ")" }
}
