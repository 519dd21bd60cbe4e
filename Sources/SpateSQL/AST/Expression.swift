// Expression: a scalar expression tree (select items, WHERE, GROUP BY, values).
//
// Layer: SpateSQL AST. Plain data; no evaluation here.
//
// Precedence, loosest first (the parser and the printer share `Precedence`):
//   OR < AND < NOT < comparison (= <> < <= > >= IS BETWEEN IN LIKE)
//      < || < + - < * / % < unary - < primary
// Binary operators associate to the left.
//
// Invariants:
// - `height` is 1 for a leaf and 1 + the tallest child otherwise; the parser never
//   builds an expression taller than SQLLimits.expressionDepthMax, so recursive
//   walks (printing, equality, later analysis) have a bounded depth.
// - Parentheses are not nodes: `(a + b) * c` is `.binary(.multiply, a + b, c)`, and
//   the printer adds parentheses back where precedence needs them.

/// A scalar expression with its source range.
public struct Expression: Hashable, Sendable, CustomStringConvertible {
    public indirect enum Kind: Hashable, Sendable {
        case literal(Literal)
        /// `a`, `device.location.lat`, `"weird name"`, and pseudo-columns such as
        /// `WINDOW_START` or `anomaly` (the analyzer gives them meaning).
        case column(ColumnReference)
        case unary(UnaryOperator, Expression)
        case binary(BinaryOperator, Expression, Expression)
        /// `x IS NULL` / `x IS NOT NULL`
        case isNull(Expression, negated: Bool)
        /// `x [NOT] BETWEEN low AND high`
        case between(Expression, low: Expression, high: Expression, negated: Bool)
        /// `x [NOT] IN (a, b, ...)`
        case inList(Expression, [Expression], negated: Bool)
        /// `x [NOT] LIKE pattern`
        case like(Expression, pattern: Expression, negated: Bool)
        case caseWhen(CaseExpression)
        /// `CAST(x AS TYPE)`
        case cast(Expression, SQLType)
        case function(FunctionCall)
        /// `INTERVAL '1' HOUR`, `INTERVAL '90 seconds'`
        case interval(SQLDuration)
    }

    public var kind: Kind
    @SourceMetadata public var range: SourceRange
    /// Height of the tree (1 for a leaf).
    public let height: Int

    public init(_ kind: Kind, range: SourceRange = SourceRange(start: .start, end: .start)) {
        self.kind = kind
        self.range = range
        self.height = 1 + (kind.children.map(\.height).max() ?? 0)
    }

    public var description: String { sql(minimum: .lowest) }
}

extension Expression.Kind {
    /// Direct sub-expressions, in source order.
    public var children: [Expression] {
        switch self {
        case .literal, .column, .interval: return []
        case .unary(_, let operand): return [operand]
        case .binary(_, let left, let right): return [left, right]
        case .isNull(let operand, _): return [operand]
        case .between(let operand, let low, let high, _): return [operand, low, high]
        case .inList(let operand, let items, _): return [operand] + items
        case .like(let operand, let pattern, _): return [operand, pattern]
        case .caseWhen(let expression): return expression.children
        case .cast(let operand, _): return [operand]
        case .function(let call): return call.children
        }
    }
}

/// A column reference: one or more names joined by dots.
public struct ColumnReference: Hashable, Sendable, CustomStringConvertible {
    /// Never empty. `device.location.lat` is ["device", "location", "lat"].
    public var path: [Identifier]

    public init(path: [Identifier]) {
        precondition(!path.isEmpty, "a column reference names at least one field")
        self.path = path
    }

    /// The first name (the column; the rest is a path inside it).
    public var name: Identifier { path[0] }

    public var description: String { path.map(\.description).joined(separator: ".") }
}

/// A prefix operator.
public enum UnaryOperator: String, Hashable, Sendable {
    case negate = "-"
    case not = "NOT"
}

/// An infix operator.
public enum BinaryOperator: String, Hashable, Sendable, CaseIterable {
    case or = "OR", and = "AND"
    case equal = "=", notEqual = "<>", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case concat = "||"
    case add = "+", subtract = "-"
    case multiply = "*", divide = "/", modulo = "%"

    /// How tightly the operator binds.
    public var precedence: Precedence {
        switch self {
        case .or: return .or
        case .and: return .and
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return .comparison
        case .concat: return .concat
        case .add, .subtract: return .additive
        case .multiply, .divide, .modulo: return .multiplicative
        }
    }
}

/// Binding strength of expression forms, loosest first.
public enum Precedence: Int, Comparable, Sendable {
    case lowest = 0, or, and, not, comparison, concat, additive, multiplicative, unaryMinus, primary

    public static func < (lhs: Precedence, rhs: Precedence) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The next tighter level.
    var tighter: Precedence { Precedence(rawValue: rawValue + 1) ?? .primary }
}
