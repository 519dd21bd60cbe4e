// Turns a `BoundExpression` into a tree of vector evaluators, once per query.
// Leaves that name slots (fields, group keys, aggregates, window bounds,
// outputs, detectors) are resolved by the caller to the vectors that hold them
// at that stage of the pipeline.

import SpateSQL

/// What a leaf slot of an expression reads, at one stage of the pipeline.
struct SlotResolver {
    var vectorFor: (BoundExpression.Kind) -> ColumnVector?
}

enum ExpressionCompileError: Error, CustomStringConvertible {
    case unresolvedSlot(String)

    var description: String {
        switch self {
        case let .unresolvedSlot(slot): return "internal: \(slot) is not available at this stage of the query"
        }
    }
}

struct ExpressionCompiler {
    let resolver: SlotResolver
    let nowMs: () -> Int64

    func compile(_ expression: BoundExpression) throws(ExpressionCompileError) -> VectorExpression {
        switch expression.kind {
        case let .constant(value):
            return ConstantExpression(value, type: expression.type == .null ? value.type : expression.type)
        case .field, .arrivalTime, .groupKey, .aggregate, .windowStart, .windowEnd, .output, .detector, .anomaly,
             .anomalyGrade, .anomalyExplanation:
            guard let vector = resolver.vectorFor(expression.kind) else { throw .unresolvedSlot(expression.description) }
            return ColumnReferenceExpression(vector)
        case let .negate(operand):
            return NegateExpression(try compile(operand), type: expression.type)
        case let .not(operand):
            return NotExpression(try compile(operand))
        case let .binary(op, left, right):
            let l = try compile(left), r = try compile(right)
            switch op {
            case .and: return LogicalExpression(isAnd: true, l, r)
            case .or: return LogicalExpression(isAnd: false, l, r)
            case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return ComparisonExpression(op, l, r)
            case .concat: return ConcatExpression([l, r])
            case .add, .subtract, .multiply, .divide, .modulo: return ArithmeticExpression(op, l, r, type: expression.type)
            }
        case let .isNull(operand, negated):
            return IsNullExpression(try compile(operand), negated: negated)
        case let .inList(operand, items, negated):
            var compiled: [VectorExpression] = []
            for item in items { compiled.append(try compile(item)) }
            return InListExpression(try compile(operand), compiled, negated: negated)
        case let .like(operand, pattern, negated):
            return LikeExpression(try compile(operand), pattern: try compile(pattern), negated: negated)
        case let .caseWhen(arms, elseResult):
            var compiled: [(VectorExpression, VectorExpression)] = []
            for arm in arms { compiled.append((try compile(arm.condition), try compile(arm.result))) }
            return CaseExpression(arms: compiled, elseResult: try elseResult.map { e throws(ExpressionCompileError) in try compile(e) }, type: expression.type)
        case let .cast(operand, type):
            return CastExpression(try compile(operand), to: type)
        case let .call(function, arguments):
            var compiled: [VectorExpression] = []
            for argument in arguments { compiled.append(try compile(argument)) }
            return FunctionCallExpression(function, compiled, type: expression.type == .null ? .string : expression.type, nowMs: nowMs)
        }
    }
}
