// ConstantFolder: evaluates a bound node whose operands are all constants, when
// doing so is trivially safe.
//
// Layer: SpateSQL analyzer. Pure; called on every node the binder builds, so
// folding is bottom-up and a folded tree has no constant-only subtree left
// among the forms below.
//
// Folded: arithmetic on BIGINT (unless it overflows or divides by zero), on
// DOUBLE (+ - * and / by a non-zero), timestamp ± milliseconds, comparisons of
// numbers, booleans and timestamps, AND / OR / NOT (three-valued), `||` of
// strings, IS NULL, CASE with constant conditions, and the lossless CASTs
// (BIGINT → DOUBLE/STRING/TIMESTAMP, TIMESTAMP → BIGINT, ISO string → TIMESTAMP).
// Not folded, so that the runtime's semantics stay the only ones: string
// ordering (collation), LIKE, scalar function calls, lossy or parsing casts,
// anything that would raise an error at run time. NULL operands fold to a NULL
// of the node's type.

enum ConstantFolder {
    static func fold(_ expression: BoundExpression) -> BoundExpression {
        let folded: Value?
        switch expression.kind {
        case .negate(let operand):
            folded = value(of: operand).flatMap(negate)
        case .not(let operand):
            folded = value(of: operand).flatMap { v in
                switch v {
                case .null: return .null
                case .boolean(let b): return .boolean(!b)
                default: return nil
                }
            }
        case .binary(let op, let left, let right):
            guard let l = value(of: left), let r = value(of: right) else { return expression }
            folded = binary(op, l, r)
        case .isNull(let operand, let negated):
            folded = value(of: operand).map { .boolean($0.isNull != negated) }
        case .cast(let operand, let type):
            folded = value(of: operand).flatMap { cast($0, to: type) }
        case .caseWhen(let arms, let elseResult):
            return foldCase(expression, arms: arms, elseResult: elseResult)
        default:
            return expression
        }
        guard let folded else { return expression }
        return BoundExpression(.constant(folded), type: folded.isNull ? expression.type : folded.type)
    }

    static func value(of expression: BoundExpression) -> Value? {
        if case .constant(let value) = expression.kind { return value }
        return nil
    }

    private static func negate(_ value: Value) -> Value? {
        switch value {
        case .null: return .null
        case .bigint(let v): return v == .min ? nil : .bigint(-v)
        case .double(let v): return .double(-v)
        default: return nil
        }
    }

    private static func binary(_ op: BinaryOperator, _ l: Value, _ r: Value) -> Value? {
        switch op {
        case .and, .or: return logical(op, l, r)
        default: break
        }
        if l.isNull || r.isNull { return .null }
        switch op {
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return compare(op, l, r)
        case .concat:
            if case .string(let a) = l, case .string(let b) = r { return .string(a + b) }
            return nil
        default: return arithmetic(op, l, r)
        }
    }

    private static func logical(_ op: BinaryOperator, _ l: Value, _ r: Value) -> Value? {
        func truth(_ v: Value) -> Bool?? {
            switch v {
            case .null: return .some(nil)
            case .boolean(let b): return .some(b)
            default: return nil
            }
        }
        guard let a = truth(l), let b = truth(r) else { return nil }
        let dominant = op == .or   // TRUE decides OR, FALSE decides AND
        if a == dominant || b == dominant { return .boolean(dominant) }
        if a == nil || b == nil { return .null }
        return .boolean(!dominant)
    }

    private static func arithmetic(_ op: BinaryOperator, _ l: Value, _ r: Value) -> Value? {
        switch (l, r) {
        case (.bigint(let a), .bigint(let b)):
            return integer(op, a, b).map(Value.bigint)
        case (.double(let a), .double(let b)):
            switch op {
            case .add: return .double(a + b)
            case .subtract: return .double(a - b)
            case .multiply: return .double(a * b)
            case .divide: return b == 0 ? nil : .double(a / b)
            default: return nil
            }
        case (.timestamp(let a), .bigint(let b)) where op == .add || op == .subtract:
            return integer(op, a, b).map(Value.timestamp)
        case (.bigint(let a), .timestamp(let b)) where op == .add:
            return integer(op, a, b).map(Value.timestamp)
        case (.timestamp(let a), .timestamp(let b)) where op == .subtract:
            return integer(op, a, b).map(Value.bigint)
        default:
            return nil
        }
    }

    private static func integer(_ op: BinaryOperator, _ a: Int64, _ b: Int64) -> Int64? {
        let result: (partialValue: Int64, overflow: Bool)
        switch op {
        case .add: result = a.addingReportingOverflow(b)
        case .subtract: result = a.subtractingReportingOverflow(b)
        case .multiply: result = a.multipliedReportingOverflow(by: b)
        case .divide:
            guard b != 0 else { return nil }
            result = a.dividedReportingOverflow(by: b)
        case .modulo:
            guard b != 0 else { return nil }
            result = a.remainderReportingOverflow(dividingBy: b)
        default: return nil
        }
        return result.overflow ? nil : result.partialValue
    }

    private static func compare(_ op: BinaryOperator, _ l: Value, _ r: Value) -> Value? {
        let order: Int
        switch (l, r) {
        case (.bigint(let a), .bigint(let b)), (.timestamp(let a), .timestamp(let b)):
            order = a < b ? -1 : (a == b ? 0 : 1)
        case (.double(let a), .double(let b)):
            guard !a.isNaN, !b.isNaN else { return nil }
            order = a < b ? -1 : (a == b ? 0 : 1)
        case (.boolean(let a), .boolean(let b)):
            guard op == .equal || op == .notEqual else { return nil }
            order = a == b ? 0 : 1
        default:
            return nil
        }
        switch op {
        case .equal: return .boolean(order == 0)
        case .notEqual: return .boolean(order != 0)
        case .less: return .boolean(order < 0)
        case .lessEqual: return .boolean(order <= 0)
        case .greater: return .boolean(order > 0)
        case .greaterEqual: return .boolean(order >= 0)
        default: return nil
        }
    }

    /// The lossless casts; nil leaves the CAST to the runtime.
    static func cast(_ value: Value, to type: ValueType) -> Value? {
        switch (value, type) {
        case (.null, _): return .null
        case (.bigint(let v), .double): return .double(Double(v))
        case (.bigint(let v), .string): return .string(String(v))
        case (.bigint(let v), .timestamp): return .timestamp(v)
        case (.timestamp(let v), .bigint): return .bigint(v)
        case (.string(let text), .timestamp):
            if case .success(let ms) = DurationText.parseISO8601(text.trimmingSpaces) { return .timestamp(ms) }
            return nil
        case (.string(let text), .string): return .string(text)
        default: return nil
        }
    }

    private static func foldCase(_ expression: BoundExpression, arms: [BoundExpression.CaseArm], elseResult: BoundExpression?) -> BoundExpression {
        var remaining: [BoundExpression.CaseArm] = []
        for arm in arms {
            switch value(of: arm.condition) {
            case .boolean(true)? where remaining.isEmpty: return arm.result
            case .boolean(false)?, .null?: continue
            default: remaining.append(arm)
            }
        }
        if remaining.isEmpty { return elseResult ?? BoundExpression(.constant(.null), type: expression.type) }
        if remaining.count == arms.count { return expression }
        return BoundExpression(.caseWhen(remaining, elseResult: elseResult), type: expression.type)
    }
}
