// ExpressionBinder: AST expressions to typed, resolved BoundExpressions.
//
// Layer: SpateSQL analyzer. Holds the state a query's binding builds up — the
// extracted fields, the aggregates and detectors, the group keys, the bound
// select items — and binds one expression at a time in a stage:
//   row          per record, over `.field(i)` / `.arrivalTime`: the row filter,
//                GROUP BY, the argument of an aggregate;
//   output       per result row: the select list (and detector inputs). In an
//                aggregating query only group keys, aggregates, detectors,
//                WINDOW_START/END, `anomaly` and constants are visible here;
//                in a plain query output rows are records, so fields are.
//   outputFilter like output, and a select alias is `.output(i)`: HAVING, a
//                WHERE on output rows, ORDER BY.
// Function calls are in CallBinder.swift, clause routing in ClauseRouting.swift.
//
// Name resolution order for `name` (decisions 2, 3 and 8 in Analyzer.swift):
// pseudo-column (unless a declared column is spelled exactly so) → declared
// column (exact, then ignoring case) → select alias → on a schemaless stream,
// a JSON path. Dotted paths are JSON paths and only valid on schemaless streams.
//
// Invariants: every BoundExpression returned is folded (ConstantFolder) and its
// operands have the types TypeRules demands; a failed speculative bind (group-key
// matching) leaves `fields` and `collector` exactly as before.

/// One expression item of the select list (a `*` on a declared relation is
/// expanded into one item per column).
struct SelectItemInfo {
    /// Index of the output column this item becomes.
    var outputIndex: Int
    var expression: Expression
    var alias: Identifier?
    /// Where the `*` this item was expanded from stands; nil for a written item.
    var wildcardRange: SourceRange? = nil
}

struct ExpressionBinder {
    enum Stage { case row, output, outputFilter }

    struct Context {
        var stage: Stage
        /// Where the expression stands, for messages: "GROUP BY", "the WHERE condition".
        var clause: String
        /// The aggregate call whose argument is being bound.
        var enclosingAggregate: FunctionCall? = nil
        var insideDetector = false
        var aliasesEnabled = true
    }

    let scope: RelationScope
    let nowMs: Int64
    /// Whether NOW() is folded to `nowMs` (bounded queries; decision 9).
    let foldsNow: Bool
    let inference: FieldTypeInference
    let isAggregating: Bool
    let isWindowed: Bool
    let hasDetector: Bool
    let items: [SelectItemInfo]

    var fields = FieldTable()
    var collector = AggregateCollector()
    var groupKeys: [BoundExpression] = []
    /// Output columns, complete once the select list is bound (before any outputFilter binding).
    var outputs: [OutputColumn] = []
    private var boundItems: [Int: BoundExpression] = [:]
    private var itemsInProgress: Set<Int> = []

    init(scope: RelationScope, nowMs: Int64, foldsNow: Bool, inference: FieldTypeInference,
         isAggregating: Bool, isWindowed: Bool, hasDetector: Bool, items: [SelectItemInfo]) {
        self.scope = scope
        self.nowMs = nowMs
        self.foldsNow = foldsNow
        self.inference = inference
        self.isAggregating = isAggregating
        self.isWindowed = isWindowed
        self.hasDetector = hasDetector
        self.items = items
    }

    // MARK: Entry points

    /// Binds `expression` in `context`.
    mutating func bind(_ expression: Expression, _ context: Context) throws(SQLError) -> BoundExpression {
        if context.stage != .row, isAggregating, let key = matchGroupKey(expression, context) { return key }
        switch expression.kind {
        case .literal(let literal):
            return Self.constant(literal)
        case .interval(let duration):
            return .constant(.bigint(duration.milliseconds))
        case .column(let reference):
            return try bindColumn(reference, expression, context)
        case .unary(.negate, let operand):
            let value = try bind(operand, context)
            guard value.type.isNumeric || value.type == .null else {
                throw Self.error("unary - needs a number, not \(value.type)", at: operand)
            }
            return ConstantFolder.fold(BoundExpression(.negate(value), type: value.type))
        case .unary(.not, let operand):
            let value = try bind(operand, context)
            guard value.type == .boolean || value.type == .null else {
                throw Self.error("NOT needs a BOOLEAN, not \(value.type); compare the value, e.g. NOT (x > 0)", at: operand)
            }
            return ConstantFolder.fold(BoundExpression(.not(TypeRules.cast(value, to: .boolean)), type: .boolean))
        case .binary(let op, let left, let right):
            return try bindBinary(op, left, right, expression, context)
        case .isNull(let operand, let negated):
            let value = try bind(operand, context)
            return ConstantFolder.fold(BoundExpression(.isNull(value, negated: negated), type: .boolean))
        case .between(let operand, let low, let high, let negated):
            // x BETWEEN a AND b is x >= a AND x <= b; NOT BETWEEN is x < a OR x > b.
            let value = try bind(operand, context)
            let lowBound = try bind(low, context)
            let highBound = try bind(high, context)
            let lower = try comparison(negated ? .less : .greaterEqual, (value, operand), (lowBound, low), whole: expression)
            let upper = try comparison(negated ? .greater : .lessEqual, (value, operand), (highBound, high), whole: expression)
            return try logical(negated ? .or : .and, (lower, expression), (upper, expression), whole: expression)
        case .inList(let operand, let list, let negated):
            return try bindInList(operand, list, negated: negated, context)
        case .like(let operand, let pattern, let negated):
            let value = try bind(operand, context)
            let patternValue = try bind(pattern, context)
            for (bound, written) in [(value, operand), (patternValue, pattern)] where bound.type != .string && bound.type != .null {
                throw Self.error("LIKE compares strings, not \(bound.type); CAST(\(written) AS STRING) reads it as text", at: written)
            }
            return BoundExpression(.like(value, pattern: patternValue, negated: negated), type: .boolean)
        case .caseWhen(let caseExpression):
            return try bindCase(caseExpression, context)
        case .cast(let operand, let sqlType):
            return try bindCast(operand, to: ValueType(sqlType.kind), context)
        case .function(let call):
            return try bindCall(call, expression, context)
        }
    }

    /// Binds a filter condition, which must be BOOLEAN.
    mutating func bindCondition(_ expression: Expression, _ context: Context) throws(SQLError) -> BoundExpression {
        let bound = try bind(expression, context)
        guard bound.type == .boolean || bound.type == .null else {
            throw Self.error("\(context.clause) needs a BOOLEAN condition, not \(bound.type); compare the value, e.g. \(expression) > 0", at: expression)
        }
        return TypeRules.cast(bound, to: .boolean)
    }

    /// The bound expression of a select item (bound once; select aliases may
    /// refer to other items, "lateral" aliases, as in `SUM(x) AS total, ZSCORE(total)`).
    mutating func bindItem(_ item: SelectItemInfo) throws(SQLError) -> BoundExpression {
        if let bound = boundItems[item.outputIndex] { return bound }
        itemsInProgress.insert(item.outputIndex)
        defer { itemsInProgress.remove(item.outputIndex) }
        let bound = try bind(item.expression, Context(stage: .output, clause: "the select list"))
        boundItems[item.outputIndex] = bound
        return bound
    }

    /// The select item called `name` (an explicit alias): exact spelling first, then ignoring case.
    func aliasItem(named name: String) -> SelectItemInfo? {
        if let exact = items.first(where: { $0.alias?.value == name }) { return exact }
        let lower = name.lowercased()
        return items.first { $0.alias?.value.lowercased() == lower }
    }

    /// The select item a bare name refers to when it names no pseudo-column and
    /// no declared column (the same order `bind` resolves names in).
    func aliasTarget(of reference: ColumnReference) -> SelectItemInfo? {
        guard reference.path.count == 1,
              PseudoColumn.referenced(by: reference, in: scope) == nil,
              scope.column(named: reference.name.value) == nil else { return nil }
        return aliasItem(named: reference.name.value)
    }

    // MARK: Names

    private mutating func bindColumn(_ reference: ColumnReference, _ expression: Expression, _ context: Context) throws(SQLError) -> BoundExpression {
        let name = reference.name.value
        if let pseudo = PseudoColumn.referenced(by: reference, in: scope) {
            return try bindPseudoColumn(pseudo, expression, context)
        }
        if let column = scope.column(named: name) {
            if reference.path.count > 1 {
                let inner = reference.path[1]
                throw SQLError(.unknownName, "\(column.name) is a \(column.type) column, not a JSON object, so it has no field \(inner); nested paths (a.b.c) can be read from a stream declared without columns", at: inner.range.start)
            }
            return try bindField(path: [column.name], type: column.type, expression, context)
        }
        if context.aliasesEnabled, let item = aliasTarget(of: reference), !itemsInProgress.contains(item.outputIndex) {
            return try bindAlias(item, context)
        }
        if scope.isSchemalessStream {
            let path = reference.path.map(\.value)
            return try bindField(path: path, type: inference.type(of: path), expression, context)
        }
        throw unknownColumn(reference)
    }

    private func unknownColumn(_ reference: ColumnReference) -> SQLError {
        let name = reference.name.value
        switch scope.kind {
        case .none:
            return SQLError(.unknownName, "\(name) is not known: a SELECT without FROM has no columns; add FROM <stream>", at: reference.name.range.start)
        case .stream(let schema):
            let candidates = schema.columns.map(\.name) + items.compactMap { $0.alias?.value }
            return SQLError(.unknownName, "unknown column \(name) in stream \(schema.name) (columns: \(schema.columns.map(\.name).joined(separator: ", ")))",
                            at: reference.name.range.start, suggestion: NameSuggester.nearest(to: name, in: candidates))
        case .catalogTable(let table):
            let candidates = table.columns.map(\.name) + items.compactMap { $0.alias?.value }
            return SQLError(.unknownName, "unknown column \(name) in table \(table.name) (columns: \(table.columns.map(\.name).joined(separator: ", ")))",
                            at: reference.name.range.start, suggestion: NameSuggester.nearest(to: name, in: candidates))
        }
    }

    private mutating func bindField(path: [String], type: ValueType, _ expression: Expression, _ context: Context) throws(SQLError) -> BoundExpression {
        if context.stage != .row && isAggregating { throw notGrouped(expression) }
        guard let index = fields.index(of: path, type: type) else {
            throw SQLError(.limitExceeded, "a query may read at most \(FieldTable.fieldsMax) distinct fields", at: expression.range.start)
        }
        return BoundExpression(.field(index), type: fields.fields[index].type)
    }

    private func notGrouped(_ expression: Expression) -> SQLError {
        SQLError(.invalidValue, "\(expression) must appear in GROUP BY or be used in an aggregate, e.g. FIRST(\(expression))", at: expression.range.start)
    }

    private mutating func bindAlias(_ item: SelectItemInfo, _ context: Context) throws(SQLError) -> BoundExpression {
        switch context.stage {
        case .row:
            var inner = context
            inner.aliasesEnabled = false
            return try bind(item.expression, inner)
        case .output:
            return try bindItem(item)
        case .outputFilter:
            let bound = try bindItem(item)
            return BoundExpression(.output(item.outputIndex), type: bound.type)
        }
    }

    private mutating func bindPseudoColumn(_ pseudo: PseudoColumn, _ expression: Expression, _ context: Context) throws(SQLError) -> BoundExpression {
        let written = expression.description
        switch pseudo {
        case .windowStart, .windowEnd:
            guard isWindowed else {
                throw Self.error("\(written) needs a WINDOW clause, e.g. WINDOW TUMBLING (SIZE 1 MINUTE)", at: expression)
            }
            guard context.stage != .row else {
                throw Self.error("\(written) is known only for output rows; it cannot be used in \(context.clause)", at: expression)
            }
            return BoundExpression(pseudo == .windowStart ? .windowStart : .windowEnd, type: .timestamp)
        case .anomaly:
            guard hasDetector else {
                throw Self.error("anomaly needs a detector such as ZSCORE(x) or ANOMALY_SCORE(x) in the query; add one to the select list, e.g. ZSCORE(amount) AS z", at: expression)
            }
            guard context.stage != .row else {
                throw Self.error("anomaly is known only for output rows; it cannot be used in \(context.clause)", at: expression)
            }
            return BoundExpression(.anomaly, type: .boolean)
        case .anomalyGrade, .anomalyExplanation:
            guard hasDetector else {
                throw Self.error("\(written) needs a detector such as ZSCORE(x) or ANOMALY_SCORE(x) in the query; add one to the select list, e.g. ANOMALY_SCORE(amount) AS score", at: expression)
            }
            guard context.stage != .row else {
                throw Self.error("\(written) is known only for output rows; it cannot be used in \(context.clause)", at: expression)
            }
            return pseudo == .anomalyGrade ? BoundExpression(.anomalyGrade, type: .double) : BoundExpression(.anomalyExplanation, type: .string)
        case .arrivalTime:
            guard scope.isStream else {
                throw Self.error("\(written) is the time a record reached a stream; it is known only in a query over a stream", at: expression)
            }
            if context.stage != .row && isAggregating { throw notGrouped(expression) }
            return BoundExpression(.arrivalTime, type: .timestamp)
        }
    }

    // MARK: Group keys

    /// `.groupKey(i)` when `expression`, read per record, is group key i.
    private mutating func matchGroupKey(_ expression: Expression, _ context: Context) -> BoundExpression? {
        guard !groupKeys.isEmpty else { return nil }
        switch expression.kind {
        case .literal, .interval: return nil
        default: break
        }
        guard !mentionsOutputOnly(expression) else { return nil }
        let (savedFields, savedCollector) = (fields, collector)
        defer { (fields, collector) = (savedFields, savedCollector) }
        var probe = context
        probe.stage = .row
        guard let bound = try? bind(expression, probe), let index = groupKeys.firstIndex(of: bound) else { return nil }
        return BoundExpression(.groupKey(index), type: bound.type)
    }

    // MARK: Operators

    private mutating func bindBinary(_ op: BinaryOperator, _ left: Expression, _ right: Expression, _ whole: Expression, _ context: Context) throws(SQLError) -> BoundExpression {
        let l = try bind(left, context)
        let r = try bind(right, context)
        switch op {
        case .and, .or:
            return try logical(op, (l, left), (r, right), whole: whole)
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
            return try comparison(op, (l, left), (r, right), whole: whole)
        case .concat:
            return TypeRules.concatenation(l, r)
        case .add, .subtract, .multiply, .divide, .modulo:
            return try Self.unwrap(TypeRules.arithmetic(op, l, r), left: left, right: right, whole: whole)
        }
    }

    private func logical(_ op: BinaryOperator, _ left: (BoundExpression, Expression), _ right: (BoundExpression, Expression), whole: Expression) throws(SQLError) -> BoundExpression {
        try Self.unwrap(TypeRules.logical(op, left.0, right.0), left: left.1, right: right.1, whole: whole)
    }

    /// A comparison; a string constant compared with a TIMESTAMP is read as a time
    /// ('2024-05-01T12:00:00Z' or '1 hour ago', relative to when the query starts).
    private func comparison(_ op: BinaryOperator, _ left: (BoundExpression, Expression), _ right: (BoundExpression, Expression), whole: Expression) throws(SQLError) -> BoundExpression {
        let l = try timeConstant(left.0, against: right.0, written: left.1)
        let r = try timeConstant(right.0, against: left.0, written: right.1)
        return try Self.unwrap(TypeRules.comparison(op, l, r), left: left.1, right: right.1, whole: whole)
    }

    private func timeConstant(_ value: BoundExpression, against other: BoundExpression, written: Expression) throws(SQLError) -> BoundExpression {
        guard other.type == .timestamp, case .constant(.string(let text)) = value.kind else { return value }
        switch DurationText.parseTimePoint(text) {
        case .success(.absolute(let ms)): return .constant(.timestamp(ms))
        case .success(.ago(let duration)): return .constant(.timestamp(nowMs - duration.milliseconds))
        case .failure(let failure):
            throw SQLError(.invalidValue, "compared with a TIMESTAMP, \(failure.message)", at: written.range.start, suggestion: failure.suggestion)
        }
    }

    private mutating func bindInList(_ operand: Expression, _ list: [Expression], negated: Bool, _ context: Context) throws(SQLError) -> BoundExpression {
        let value = try bind(operand, context)
        var bound: [BoundExpression] = []
        for item in list {
            let element = try timeConstant(try bind(item, context), against: value, written: item)
            if case .failure(let mismatch) = TypeRules.comparison(.equal, value, element) {
                throw Self.error("IN list item \(item): \(mismatch.message)", at: item)
            }
            bound.append(element)
        }
        let type = TypeRules.commonType([value.type] + bound.map(\.type)) ?? value.type
        let operandValue = TypeRules.cast(value, to: type)
        return BoundExpression(.inList(operandValue, bound.map { TypeRules.cast($0, to: type) }, negated: negated), type: .boolean)
    }

    private mutating func bindCase(_ caseExpression: CaseExpression, _ context: Context) throws(SQLError) -> BoundExpression {
        var operand: (BoundExpression, Expression)?
        if let written = caseExpression.operand { operand = (try bind(written, context), written) }
        var conditions: [BoundExpression] = []
        var results: [(BoundExpression, Expression)] = []
        for branch in caseExpression.branches {
            let condition = try bind(branch.condition, context)
            if let operand {
                // Simple CASE: `CASE x WHEN v THEN ...` is `CASE WHEN x = v THEN ...`.
                conditions.append(try comparison(.equal, operand, (condition, branch.condition), whole: branch.condition))
            } else {
                guard condition.type == .boolean || condition.type == .null else {
                    throw Self.error("WHEN needs a BOOLEAN condition, not \(condition.type)", at: branch.condition)
                }
                conditions.append(TypeRules.cast(condition, to: .boolean))
            }
            results.append((try bind(branch.result, context), branch.result))
        }
        if let elseResult = caseExpression.elseResult { results.append((try bind(elseResult, context), elseResult)) }
        guard let type = TypeRules.commonType(results.map(\.0.type)) else {
            let first = results.first { $0.0.type != .null }!
            let other = results.first { $0.0.type != .null && $0.0.type != first.0.type && !($0.0.type.isNumeric && first.0.type.isNumeric) }!
            throw Self.error("CASE results must share one type: \(first.1) is \(first.0.type) but \(other.1) is \(other.0.type); CAST one of them", at: other.1)
        }
        let typed = results.map { TypeRules.cast($0.0, to: type) }
        let arms = zip(conditions, typed).map { BoundExpression.CaseArm(condition: $0, result: $1) }
        let elseBound = caseExpression.elseResult == nil ? nil : typed.last
        return ConstantFolder.fold(BoundExpression(.caseWhen(arms, elseResult: elseBound), type: type))
    }

    private mutating func bindCast(_ operand: Expression, to type: ValueType, _ context: Context) throws(SQLError) -> BoundExpression {
        let value = try bind(operand, context)
        guard TypeRules.canCast(from: value.type, to: type) else {
            throw Self.error("cannot CAST \(value.type) to \(type)", at: operand)
        }
        let cast = TypeRules.cast(value, to: type)
        if type == .timestamp, case .constant(.string(let text)) = value.kind, case .cast = cast.kind {
            // A constant that will never read as a time is a mistake worth reporting now.
            if case .failure(let failure) = DurationText.parseISO8601(text.trimmingSpaces) {
                throw SQLError(.invalidValue, failure.message, at: operand.range.start)
            }
        }
        return cast
    }

    // MARK: Helpers

    static func constant(_ literal: Literal) -> BoundExpression {
        switch literal {
        case .integer(let value): return .constant(.bigint(value))
        case .decimal(let value): return .constant(.double(value))
        case .string(let text): return .constant(.string(text))
        case .boolean(let value): return .constant(.boolean(value))
        case .null: return .constant(.null)
        }
    }

    static func error(_ message: String, at expression: Expression, suggestion: String? = nil) -> SQLError {
        SQLError(.invalidValue, message, at: expression.range.start, suggestion: suggestion)
    }

    private static func unwrap(_ result: Result<BoundExpression, TypeMismatch>, left: Expression, right: Expression, whole: Expression) throws(SQLError) -> BoundExpression {
        switch result {
        case .success(let bound): return bound
        case .failure(let mismatch):
            let at: Expression
            switch mismatch.blame {
            case .left: at = left
            case .right: at = right
            case .whole: at = whole
            }
            throw error(mismatch.message, at: at)
        }
    }
}
