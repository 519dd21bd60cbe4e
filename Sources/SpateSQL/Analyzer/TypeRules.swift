// TypeRules: how operators type their operands, and the implicit casts the
// analyzer inserts so the runtime only ever sees operands of one type.
//
// Layer: SpateSQL analyzer. Pure functions from bound operands to a bound,
// folded result or a TypeMismatch; the caller turns a mismatch into a positioned
// SQLError (it knows where each operand was written).
//
// Rules (Analyzer.swift, decision 9, is the user-facing summary):
// - Arithmetic (+ - * / %) on numbers: BIGINT op BIGINT is BIGINT — including
//   `/`, which truncates toward zero as in SQLite and PostgreSQL; if either side
//   is DOUBLE the other is CAST to DOUBLE and the result is DOUBLE.
// - TIMESTAMP ± BIGINT (milliseconds; an INTERVAL is a BIGINT of milliseconds)
//   is TIMESTAMP; BIGINT + TIMESTAMP too; TIMESTAMP - TIMESTAMP is BIGINT ms.
// - Comparisons: number with number (BIGINT promoted to DOUBLE when mixed),
//   otherwise both sides of one type. NULL goes with anything.
// - `||` CASTs non-STRING operands to STRING.
// Invariant: a `.binary` node this file builds has operands of one type, except
// the timestamp arithmetic above and a NULL operand.

/// Why operands do not fit an operator.
struct TypeMismatch: Error {
    enum Blame { case left, right, whole }
    var message: String
    var blame: Blame
}

enum TypeRules {
    /// `expression` as `type`: unchanged when it already is, a typed NULL for a
    /// NULL, otherwise a (folded) CAST.
    static func cast(_ expression: BoundExpression, to type: ValueType) -> BoundExpression {
        if expression.type == type { return expression }
        if case .constant(.null) = expression.kind { return BoundExpression(.constant(.null), type: type) }
        return ConstantFolder.fold(BoundExpression(.cast(expression, type), type: type))
    }

    /// Whether CAST(x AS target) is allowed for x of type `source`.
    static func canCast(from source: ValueType, to target: ValueType) -> Bool {
        switch (source, target) {
        case (.boolean, .timestamp), (.timestamp, .boolean): return false
        default: return true
        }
    }

    /// The type numbers of `types` share: DOUBLE when any is DOUBLE, else BIGINT.
    static func numericType(_ types: [ValueType]) -> ValueType {
        types.contains(.double) ? .double : .bigint
    }

    /// The one type a list of values (CASE results, IN items, COALESCE) can share, or nil.
    static func commonType(_ types: [ValueType]) -> ValueType? {
        let known = types.filter { $0 != .null }
        guard let first = known.first else { return .null }
        if known.allSatisfy({ $0 == first }) { return first }
        if known.allSatisfy(\.isNumeric) { return .double }
        return nil
    }

    /// `left op right` for + - * / %.
    static func arithmetic(_ op: BinaryOperator, _ left: BoundExpression, _ right: BoundExpression) -> Result<BoundExpression, TypeMismatch> {
        let (lt, rt) = (left.type, right.type)
        let numericOrNull = { (t: ValueType) in t.isNumeric || t == .null }
        if numericOrNull(lt) && numericOrNull(rt) {
            if lt == .null && rt == .null { return .success(.constant(.null)) }
            let type = numericType([lt, rt])
            return .success(binary(op, cast(left, to: type), cast(right, to: type), type: type))
        }
        let millis = { (t: ValueType) in t == .bigint || t == .null }
        switch (op, lt, rt) {
        case (.add, .timestamp, _) where millis(rt), (.subtract, .timestamp, _) where millis(rt):
            return .success(binary(op, left, cast(right, to: .bigint), type: .timestamp))
        case (.add, _, .timestamp) where millis(lt):
            return .success(binary(op, cast(left, to: .bigint), right, type: .timestamp))
        case (.subtract, .timestamp, .timestamp):
            return .success(binary(op, left, right, type: .bigint))
        default:
            break
        }
        if lt == .timestamp || rt == .timestamp {
            let hint = (op == .add || op == .subtract)
                ? "; add or subtract an INTERVAL (INTERVAL '5' MINUTE) or whole milliseconds (BIGINT)"
                : ""
            return .failure(TypeMismatch(message: "cannot apply \(op.rawValue) to \(lt) and \(rt)\(hint)", blame: lt == .timestamp ? .right : .left))
        }
        let blame: TypeMismatch.Blame = numericOrNull(lt) ? .right : .left
        let culprit = blame == .left ? lt : rt
        return .failure(TypeMismatch(message: "\(op.rawValue) needs numbers, not \(culprit); CAST(... AS DOUBLE) reads a value as a number", blame: blame))
    }

    /// `left op right` for = <> < <= > >=.
    static func comparison(_ op: BinaryOperator, _ left: BoundExpression, _ right: BoundExpression) -> Result<BoundExpression, TypeMismatch> {
        let (lt, rt) = (left.type, right.type)
        if lt == .null || rt == .null || lt == rt {
            return .success(binary(op, left, right, type: .boolean))
        }
        if lt.isNumeric && rt.isNumeric {
            let type = numericType([lt, rt])
            return .success(binary(op, cast(left, to: type), cast(right, to: type), type: .boolean))
        }
        var hint = "; CAST one side to the other's type"
        if lt == .timestamp || rt == .timestamp {
            hint = "; CAST(x AS TIMESTAMP) reads a number as epoch milliseconds or a string as an ISO-8601 time"
        }
        return .failure(TypeMismatch(message: "cannot compare \(lt) with \(rt)\(hint)", blame: .whole))
    }

    /// `left || right`: non-strings are CAST to STRING.
    static func concatenation(_ left: BoundExpression, _ right: BoundExpression) -> BoundExpression {
        binary(.concat, cast(left, to: .string), cast(right, to: .string), type: .string)
    }

    /// AND / OR over BOOLEAN (or NULL) operands.
    static func logical(_ op: BinaryOperator, _ left: BoundExpression, _ right: BoundExpression) -> Result<BoundExpression, TypeMismatch> {
        for (operand, blame) in [(left, TypeMismatch.Blame.left), (right, .right)] where operand.type != .boolean && operand.type != .null {
            return .failure(TypeMismatch(message: "\(op.rawValue) needs BOOLEAN operands, not \(operand.type); compare the value, e.g. x > 0", blame: blame))
        }
        return .success(binary(op, cast(left, to: .boolean), cast(right, to: .boolean), type: .boolean))
    }

    static func binary(_ op: BinaryOperator, _ left: BoundExpression, _ right: BoundExpression, type: ValueType) -> BoundExpression {
        ConstantFolder.fold(BoundExpression(.binary(op, left, right), type: type))
    }
}
