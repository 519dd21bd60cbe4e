// ExpressionPrinter: Expression back to canonical SQL.
//
// Layer: SpateSQL AST (printing). Used by `description`, SHOW JOBS / DESCRIBE JOB
// and round-trip tests.
//
// Invariant: parsing the printed text gives an Expression equal to the printed one.
// Parentheses are added exactly where precedence needs them: a child is wrapped when
// it binds more loosely than its position requires (for a left-associative binary
// operator the right operand must bind strictly tighter).

extension Expression {
    /// The precedence of this expression's outermost form.
    public var precedence: Precedence {
        switch kind {
        case .binary(let op, _, _): return op.precedence
        case .unary(.not, _): return .not
        case .unary(.negate, _): return .unaryMinus
        case .isNull, .between, .inList, .like: return .comparison
        case .literal(.integer(let value)) where value < 0: return .unaryMinus
        case .literal(.decimal(let value)) where value < 0 || (value == 0 && value.sign == .minus): return .unaryMinus
        default: return .primary
        }
    }

    /// SQL text for this expression where the context requires at least `minimum` precedence.
    func sql(minimum: Precedence) -> String {
        let text = bareSQL()
        return precedence < minimum ? "(" + text + ")" : text
    }

    private func bareSQL() -> String {
        switch kind {
        case .literal(let literal):
            return literal.description
        case .column(let reference):
            return reference.description
        case .unary(.not, let operand):
            return "NOT " + operand.sql(minimum: .not)
        case .unary(.negate, let operand):
            let inner = operand.sql(minimum: .unaryMinus)
            // "--" would start a comment.
            return inner.hasPrefix("-") ? "-(" + inner + ")" : "-" + inner
        case .binary(let op, let left, let right):
            let level = op.precedence
            return left.sql(minimum: level) + " " + op.rawValue + " " + right.sql(minimum: level.tighter)
        case .isNull(let operand, let negated):
            return operand.sql(minimum: .comparison) + (negated ? " IS NOT NULL" : " IS NULL")
        case .between(let operand, let low, let high, let negated):
            return operand.sql(minimum: .comparison) + (negated ? " NOT BETWEEN " : " BETWEEN ")
                + low.sql(minimum: .concat) + " AND " + high.sql(minimum: .concat)
        case .inList(let operand, let items, let negated):
            return operand.sql(minimum: .comparison) + (negated ? " NOT IN (" : " IN (")
                + items.map { $0.sql(minimum: .lowest) }.joined(separator: ", ") + ")"
        case .like(let operand, let pattern, let negated):
            return operand.sql(minimum: .comparison) + (negated ? " NOT LIKE " : " LIKE ")
                + pattern.sql(minimum: .concat)
        case .caseWhen(let expression):
            return expression.description
        case .cast(let operand, let type):
            return "CAST(" + operand.sql(minimum: .lowest) + " AS " + type.description + ")"
        case .function(let call):
            return call.description
        case .interval(let duration):
            return "INTERVAL " + SQLText.string(duration.description)
        }
    }
}
