// QueryAnalysis: one SELECT, clause by clause, into a QueryPlan.
//
// Layer: SpateSQL analyzer. Called by Analyzer.plan once the source is resolved.
// Order of work (each step may use what earlier steps produced):
//   1. select list: expand `*`, note aliases
//   2. shape: aggregating? detectors? (AST walks)
//   3. schemaless field types (FieldTypeInference)
//   4. event-time field (first field, so it is `.field(0)` when present)
//   5. WHERE routing; the row filter
//   6. GROUP BY keys (columns, expressions, select aliases, ordinals)
//   7. outputs, in select-list order
//   8. the output filter (WHERE on outputs, HAVING)
//   9. ORDER BY, LIMIT, window, emit
// Fields are numbered in the order steps 4–8 first read them.

struct QueryAnalysis {
    /// One output column: a select item, or the whole record (`*` on a schemaless stream).
    enum OutputSlot {
        case item(SelectItemInfo)
        case wholeRecord(SourceRange)
    }

    static let groupKeysMax = 32

    let select: SelectStatement
    let scope: RelationScope
    let nowMs: Int64
    let isBounded: Bool
    let slots: [OutputSlot]
    var binder: ExpressionBinder

    /// `sampledType`: the type a schemaless field's values have (SchemaProvider.sampledType).
    init(select: SelectStatement, scope: RelationScope, nowMs: Int64, isBounded: Bool,
         sampledType: (_ path: [String]) -> ValueType? = { _ in nil }) throws(SQLError) {
        self.select = select
        self.scope = scope
        self.nowMs = nowMs
        self.isBounded = isBounded
        slots = try Self.expandSelectList(select, scope: scope)
        let items = slots.compactMap { slot -> SelectItemInfo? in
            if case .item(let item) = slot { return item }
            return nil
        }

        let clauses = items.map(\.expression) + [select.where, select.postGroupWhere, select.having].compactMap { $0 }
            + select.orderBy.map(\.expression)
        let writesAggregate = clauses.contains { ExpressionBinder.containsCall($0, where: ExpressionBinder.isAggregate) }
        let hasDetector = clauses.contains { ExpressionBinder.containsCall($0, where: ExpressionBinder.isDetector) }
        try Self.checkShape(select, slots: slots, writesAggregate: writesAggregate)
        let isAggregating = select.window != nil || !select.groupBy.isEmpty || select.distinct || writesAggregate

        var inference = FieldTypeInference()
        if scope.isSchemalessStream {
            for item in items { inference.visit(item.expression, expected: nil) }
            for condition in [select.where, select.postGroupWhere, select.having].compactMap({ $0 }) { inference.visit(condition, expected: .boolean) }
            for key in select.groupBy { inference.visit(key, expected: nil) }
            for order in select.orderBy { inference.visit(order.expression, expected: nil) }
            inference.resolveUnhinted(sampledType)
        }
        binder = ExpressionBinder(scope: scope, nowMs: nowMs, foldsNow: isBounded && !scope.isCatalogTable, inference: inference,
                                  isAggregating: isAggregating, isWindowed: select.window != nil, hasDetector: hasDetector, items: items)
    }

    // MARK: Steps

    /// `*` expands to the declared columns; on a schemaless stream it is the whole record.
    private static func expandSelectList(_ select: SelectStatement, scope: RelationScope) throws(SQLError) -> [OutputSlot] {
        var slots: [OutputSlot] = []
        for item in select.items {
            switch item {
            case .expression(let expression, let alias):
                slots.append(.item(SelectItemInfo(outputIndex: slots.count, expression: expression, alias: alias)))
            case .wildcard(let range):
                if scope.isSchemalessStream {
                    slots.append(.wholeRecord(range.wrappedValue))
                    continue
                }
                guard !scope.columns.isEmpty else {
                    throw SQLError(.invalidValue, "SELECT * needs a relation; add FROM <stream>", at: range.wrappedValue.start)
                }
                for column in scope.columns {
                    let name = Identifier(column.name, range: range.wrappedValue)
                    let expression = Expression(.column(ColumnReference(path: [name])), range: range.wrappedValue)
                    slots.append(.item(SelectItemInfo(outputIndex: slots.count, expression: expression, alias: nil, wildcardRange: range.wrappedValue)))
                }
            }
        }
        return slots
    }

    private static func checkShape(_ select: SelectStatement, slots: [OutputSlot], writesAggregate: Bool) throws(SQLError) {
        if select.distinct && (!select.groupBy.isEmpty || writesAggregate) {
            throw SQLError(.invalidValue, "SELECT DISTINCT cannot be combined with GROUP BY or aggregates; remove DISTINCT (GROUP BY already makes rows distinct)", at: select.range.start)
        }
        let groups = !select.groupBy.isEmpty || writesAggregate || (select.window != nil && !select.distinct)
        for case .item(let item) in slots where groups {
            if let range = item.wildcardRange {
                throw SQLError(.invalidValue, "SELECT * cannot be used with GROUP BY, a WINDOW or aggregates; name the columns, e.g. SELECT userId, COUNT(*)", at: range.start)
            }
        }
        for case .wholeRecord(let range) in slots where groups || select.distinct {
            throw SQLError(.invalidValue, "SELECT * cannot be used with GROUP BY, a WINDOW, DISTINCT or aggregates; name the fields, e.g. SELECT userId, COUNT(*)", at: range.start)
        }
    }

    /// The event-time field, added first so that it is `.field(0)`.
    mutating func eventTime() -> EventTimeSource {
        guard case .stream(let schema) = scope.kind, let column = schema.eventTimeColumn else { return .arrival }
        let path = scope.column(named: column).map { [$0.name] } ?? column.split(separator: ".").map(String.init)
        guard let index = binder.fields.index(of: path, type: .timestamp) else { return .arrival }
        return .field(index)
    }

    /// Splits WHERE (before and after GROUP BY) into record conditions and output conditions.
    func routeConditions() -> (row: [Expression], output: [(condition: Expression, clause: String)]) {
        var row: [Expression] = []
        var output: [(condition: Expression, clause: String)] = []
        for condition in [select.where, select.postGroupWhere].compactMap({ $0 }) {
            if binder.mentionsOutputOnly(condition) { output.append((condition, "WHERE")) } else { row.append(condition) }
        }
        if let having = select.having { output.append((having, "HAVING")) }
        return (row, output)
    }

    mutating func rowFilter(_ conditions: [Expression]) throws(SQLError) -> BoundExpression? {
        var bound: [BoundExpression] = []
        for condition in conditions {
            bound.append(try binder.bindCondition(condition, .init(stage: .row, clause: "WHERE")))
        }
        return Self.conjunction(bound)
    }

    mutating func groupKeys() throws(SQLError) {
        var written = select.groupBy
        if select.distinct {
            written = slots.compactMap { if case .item(let item) = $0 { return item.expression } else { return nil } }
        }
        var keys: [BoundExpression] = []
        for expression in written {
            let key = try binder.bind(try groupKeyExpression(expression), .init(stage: .row, clause: "GROUP BY"))
            if case .constant = key.kind, !select.distinct {
                throw ExpressionBinder.error("GROUP BY \(expression) groups by a constant; name a column, an expression of columns, a select alias or a position (GROUP BY 1)", at: expression)
            }
            if !keys.contains(key) { keys.append(key) }
        }
        guard keys.count <= Self.groupKeysMax else {
            throw ExpressionBinder.error("a query may group by at most \(Self.groupKeysMax) keys", at: written[Self.groupKeysMax])
        }
        binder.groupKeys = keys
    }

    /// GROUP BY 2 is the second select item; GROUP BY alias the aliased item (decision 6).
    private func groupKeyExpression(_ expression: Expression) throws(SQLError) -> Expression {
        if case .literal(.integer(let position)) = expression.kind {
            guard position >= 1, position <= slots.count, case .item(let item) = slots[Int(position) - 1] else {
                throw ExpressionBinder.error("GROUP BY \(position) must be the position of a select item, 1 to \(slots.count)", at: expression)
            }
            guard !binder.mentionsOutputOnly(item.expression) else {
                throw ExpressionBinder.error("GROUP BY \(position) names \(item.expression), which is computed per group; group by columns of the input", at: expression)
            }
            return item.expression
        }
        if case .column(let reference) = expression.kind, let item = binder.aliasTarget(of: reference), binder.mentionsOutputOnly(item.expression) {
            throw ExpressionBinder.error("GROUP BY \(reference) names \(item.expression), which is computed per group; group by columns of the input", at: expression)
        }
        return expression
    }

    mutating func outputs() throws(SQLError) -> (columns: [OutputColumn], selectsWholeRecord: Bool) {
        var names: [String] = []
        var expressions: [BoundExpression] = []
        var wholeRecord = false
        for slot in slots {
            switch slot {
            case .item(let item):
                expressions.append(try binder.bindItem(item))
                names.append(OutputNaming.name(of: item.expression, alias: item.alias, position: item.outputIndex + 1, scope: scope))
            case .wholeRecord(let range):
                // The empty path is the whole record (FieldTable).
                guard let index = binder.fields.index(of: [], type: .string) else {
                    throw SQLError(.limitExceeded, "a query may read at most \(FieldTable.fieldsMax) distinct fields", at: range.start)
                }
                expressions.append(BoundExpression(.field(index), type: .string))
                names.append("record")
                wholeRecord = true
            }
        }
        let columns = zip(OutputNaming.deduplicated(names), expressions).map { OutputColumn(name: $0, expression: $1) }
        binder.outputs = columns
        return (columns, wholeRecord)
    }

    mutating func outputFilter(_ conditions: [(condition: Expression, clause: String)]) throws(SQLError) -> BoundExpression? {
        var bound: [BoundExpression] = []
        for (condition, clause) in conditions {
            bound.append(try binder.bindCondition(condition, .init(stage: .outputFilter, clause: clause)))
        }
        return Self.conjunction(bound)
    }

    /// What an ORDER BY item sorts by.
    enum OrderTarget: Equatable {
        case output(Int)
        /// Not an output: only a catalog-table query (sorted by SQLite) may order by it.
        case expression(BoundExpression)
    }

    mutating func orderBy() throws(SQLError) -> [(target: OrderTarget, descending: Bool)] {
        guard let first = select.orderBy.first else { return [] }
        guard isBounded else {
            throw ExpressionBinder.error("ORDER BY needs a bounded query: a query without UNTIL tails the log and never ends, so it cannot sort; add UNTIL NOW", at: first.expression)
        }
        var keys: [(target: OrderTarget, descending: Bool)] = []
        for item in select.orderBy {
            keys.append((try orderTarget(item.expression), item.descending))
        }
        return keys
    }

    /// The output an ORDER BY expression names: by position, by output name, or
    /// by being the same expression as an output (decision 10). On a catalog
    /// table any expression of the rows goes, since SQLite sorts.
    private mutating func orderTarget(_ expression: Expression) throws(SQLError) -> OrderTarget {
        let outputs = binder.outputs
        if case .literal(.integer(let position)) = expression.kind {
            guard position >= 1, position <= outputs.count else {
                throw ExpressionBinder.error("ORDER BY \(position) must be the position of an output column, 1 to \(outputs.count)", at: expression)
            }
            return .output(Int(position) - 1)
        }
        if case .column(let reference) = expression.kind, reference.path.count == 1 {
            let name = reference.name.value
            if let index = outputs.firstIndex(where: { $0.name == name }) ?? outputs.firstIndex(where: { $0.name.lowercased() == name.lowercased() }) {
                return .output(index)
            }
        }
        for case .item(let item) in slots where item.expression == expression { return .output(item.outputIndex) }
        let saved = binder
        let bound = try binder.bind(expression, .init(stage: .outputFilter, clause: "ORDER BY"))
        if case .output(let index) = bound.kind { binder = saved; return .output(index) }
        if let index = outputs.firstIndex(where: { $0.expression == bound }) { binder = saved; return .output(index) }
        if scope.isCatalogTable { return .expression(bound) }
        binder = saved
        throw ExpressionBinder.error("ORDER BY \(expression) is not an output column; add it to the select list, or order by an output's name or position", at: expression)
    }

    // MARK: Helpers

    static func conjunction(_ conditions: [BoundExpression]) -> BoundExpression? {
        guard var result = conditions.first else { return nil }
        for condition in conditions.dropFirst() {
            result = TypeRules.binary(.and, result, condition, type: .boolean)
        }
        return result
    }
}
