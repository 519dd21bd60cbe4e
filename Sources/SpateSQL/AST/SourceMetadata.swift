// SourceMetadata: a property wrapper that keeps a value out of AST equality.
//
// Layer: SpateSQL AST. Nodes carry their SourceRange so later layers can point at
// them, but two ASTs are equal when they mean the same statement: `parse(print(ast))`
// has different positions yet must equal `ast`. Wrapping `range` makes the
// synthesized `==` and `hash(into:)` of every node skip it, while `range` itself stays
// an ordinary SourceRange with ordinary equality.

/// Stores a value that does not take part in the enclosing type's `==` or hash.
@propertyWrapper
public struct SourceMetadata<Value: Sendable>: Hashable, Sendable {
    public var wrappedValue: Value

    public init(wrappedValue: Value) {
        self.wrappedValue = wrappedValue
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}
}
