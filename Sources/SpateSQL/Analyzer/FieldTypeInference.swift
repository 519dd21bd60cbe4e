// FieldTypeInference: the type a schemaless stream's field is read as, inferred
// from how the query uses it.
//
// Layer: SpateSQL analyzer. One pass over the statement's expressions before any
// binding, so that every use of a path sees the same type (one FieldExtraction
// per path).
//
// Each use of a path in a context gives a hint:
//   numeric   — arithmetic, comparison with a number, SUM/AVG/STDDEV/percentile,
//               a numeric function argument, a detector input, CAST(x AS DOUBLE);
//   string    — comparison with a string, LIKE, ||, a string function argument;
//   boolean   — a condition (WHERE x, x AND y, NOT x, CASE WHEN x), = TRUE;
//   timestamp — comparison with NOW() or time arithmetic, x ± INTERVAL.
// The path's type: DOUBLE if any use is numeric (so `x > 5 AND x = '7'` reads x
// as DOUBLE, and the string comparison is then a type error that asks for a
// CAST); else TIMESTAMP if any use is a time; else BOOLEAN if every hinted use
// is boolean; else STRING.
// A path with no hint at all (only selected, grouped, ordered, or inside MIN,
// MAX, FIRST, LAST, COUNT) takes the type its values have in the stream's
// records, as the SchemaProvider judges from a sample (`resolveUnhinted`), so
// that MAX(amount) over JSON numbers compares numbers and prints one; STRING when
// the provider cannot tell (no records yet, mixed kinds).

/// How a use of a field suggests reading it.
enum TypeHint: Hashable {
    case numeric, string, boolean, timestamp

    init?(_ type: ValueType) {
        switch type {
        case .double, .bigint: self = .numeric
        case .string: self = .string
        case .boolean: self = .boolean
        case .timestamp: self = .timestamp
        case .null: return nil
        }
    }
}

struct FieldTypeInference {
    private var hints: [[String]: Set<TypeHint>] = [:]
    /// Types of the paths with no hint, from `resolveUnhinted`.
    private var sampled: [[String]: ValueType] = [:]

    /// The type to read `path` as.
    func type(of path: [String]) -> ValueType {
        let uses = hints[path] ?? []
        if uses.isEmpty, let type = sampled[path] { return type }
        if uses.contains(.numeric) { return .double }
        if uses.contains(.timestamp) { return .timestamp }
        if uses == [.boolean] { return .boolean }
        return .string
    }

    /// Asks `sampledType` once for each visited path that got no hint.
    mutating func resolveUnhinted(_ sampledType: (_ path: [String]) -> ValueType?) {
        for (path, uses) in hints where uses.isEmpty {
            if let type = sampledType(path), type != .null { sampled[path] = type }
        }
    }

    /// Records the hints of every field use in `expression`, used where `expected` is wanted.
    mutating func visit(_ expression: Expression, expected: TypeHint?) {
        switch expression.kind {
        case .literal, .interval:
            return
        case .column(let reference):
            let path = reference.path.map(\.value)
            if let expected { hints[path, default: []].insert(expected) } else if hints[path] == nil { hints[path] = [] }
        case .unary(.negate, let operand):
            visit(operand, expected: .numeric)
        case .unary(.not, let operand):
            visit(operand, expected: .boolean)
        case .binary(let op, let left, let right):
            visitBinary(op, left, right)
        case .isNull(let operand, _):
            visit(operand, expected: nil)
        case .between(let operand, let low, let high, _):
            visit(operand, expected: Self.hint(of: low) ?? Self.hint(of: high))
            visit(low, expected: Self.hint(of: operand) ?? Self.hint(of: high))
            visit(high, expected: Self.hint(of: operand) ?? Self.hint(of: low))
        case .inList(let operand, let items, _):
            visit(operand, expected: items.lazy.compactMap(Self.hint(of:)).first)
            for item in items { visit(item, expected: Self.hint(of: operand)) }
        case .like(let operand, let pattern, _):
            visit(operand, expected: .string)
            visit(pattern, expected: .string)
        case .caseWhen(let caseExpression):
            if let operand = caseExpression.operand {
                visit(operand, expected: caseExpression.branches.lazy.compactMap { Self.hint(of: $0.condition) }.first)
            }
            for branch in caseExpression.branches {
                visit(branch.condition, expected: caseExpression.operand.map(Self.hint(of:)) ?? .boolean)
                visit(branch.result, expected: expected)
            }
            if let elseResult = caseExpression.elseResult { visit(elseResult, expected: expected) }
        case .cast(let operand, let type):
            visit(operand, expected: TypeHint(ValueType(type.kind)))
        case .function(let call):
            visitCall(call)
        }
    }

    private mutating func visitBinary(_ op: BinaryOperator, _ left: Expression, _ right: Expression) {
        switch op {
        case .and, .or:
            visit(left, expected: .boolean)
            visit(right, expected: .boolean)
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
            visit(left, expected: Self.hint(of: right))
            visit(right, expected: Self.hint(of: left))
        case .concat:
            visit(left, expected: .string)
            visit(right, expected: .string)
        case .add, .subtract:
            // `ts - INTERVAL '1' HOUR`: the other operand is a duration, so this one is a time.
            let leftIsTime = Self.isInterval(right) || Self.hint(of: right) == .timestamp
            let rightIsTime = Self.isInterval(left) || Self.hint(of: left) == .timestamp
            visit(left, expected: leftIsTime ? .timestamp : .numeric)
            visit(right, expected: rightIsTime && op == .add ? .timestamp : .numeric)
        case .multiply, .divide, .modulo:
            visit(left, expected: .numeric)
            visit(right, expected: .numeric)
        }
    }

    private mutating func visitCall(_ call: FunctionCall) {
        let name = call.name.value
        let positional = call.arguments.filter { $0.name == nil }.map(\.value)
        var argumentHints: [TypeHint?] = Array(repeating: nil, count: positional.count)
        if DetectorFunction.named(name) != nil {
            argumentHints = argumentHints.map { _ in .numeric }
        } else if let aggregate = AggregateFunction.named(name) {
            switch aggregate {
            case .sum, .avg, .stddev, .stddevPop, .approxPercentile:
                argumentHints = argumentHints.map { _ in .numeric }
            default: break
            }
        } else if let function = ScalarFunction.named(name) {
            argumentHints = positional.indices.map { Self.argumentHint(function, index: $0) }
        }
        for (argument, hint) in zip(positional, argumentHints) { visit(argument, expected: hint) }
        for argument in call.arguments where argument.name != nil { visit(argument.value, expected: .numeric) }
        for key in call.over?.partitionBy ?? [] { visit(key, expected: nil) }
    }

    private static func argumentHint(_ function: ScalarFunction, index: Int) -> TypeHint? {
        switch function {
        case .abs, .round, .floor, .ceil, .sqrt, .ln, .exp, .power, .greatest, .least, .fromUnixtime: return .numeric
        case .lower, .upper, .length, .trim, .replace, .concat: return .string
        case .substr: return index == 0 ? .string : .numeric
        case .unixMillis, .formatTimestamp: return .timestamp
        case .dateTrunc: return index == 0 ? .string : .timestamp
        case .coalesce, .nullif, .now: return nil
        }
    }

    private static func isInterval(_ expression: Expression) -> Bool {
        if case .interval = expression.kind { return true }
        return false
    }

    /// The type an expression evidently has without knowing any field's type.
    static func hint(of expression: Expression) -> TypeHint? {
        switch expression.kind {
        case .literal(let literal):
            switch literal {
            case .integer, .decimal: return .numeric
            case .string: return .string
            case .boolean: return .boolean
            case .null: return nil
            }
        case .interval, .unary(.negate, _): return .numeric
        case .unary(.not, _), .isNull, .between, .inList, .like: return .boolean
        case .column: return nil
        case .binary(let op, let left, let right):
            switch op {
            case .and, .or, .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return .boolean
            case .concat: return .string
            case .add, .subtract:
                let times = [hint(of: left), hint(of: right)].filter { $0 == .timestamp }.count
                return times == 1 ? .timestamp : .numeric
            case .multiply, .divide, .modulo: return .numeric
            }
        case .caseWhen(let caseExpression):
            return (caseExpression.branches.map(\.result) + [caseExpression.elseResult].compactMap { $0 })
                .lazy.compactMap(hint(of:)).first
        case .cast(_, let type):
            return TypeHint(ValueType(type.kind))
        case .function(let call):
            return hint(of: call)
        }
    }

    private static func hint(of call: FunctionCall) -> TypeHint? {
        let name = call.name.value
        let first = call.arguments.first.map { hint(of: $0.value) } ?? nil
        if DetectorFunction.named(name) != nil { return .numeric }
        if let aggregate = AggregateFunction.named(name) {
            switch aggregate {
            case .min, .max, .first, .last: return first
            default: return .numeric
            }
        }
        guard let function = ScalarFunction.named(name) else { return nil }
        switch function {
        case .now, .fromUnixtime, .dateTrunc: return .timestamp
        case .lower, .upper, .trim, .substr, .concat, .replace, .formatTimestamp: return .string
        case .coalesce, .nullif: return first
        default: return .numeric
        }
    }
}
