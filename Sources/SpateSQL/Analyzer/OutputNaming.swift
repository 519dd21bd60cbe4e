// OutputNaming: the names of result columns.
//
// Layer: SpateSQL analyzer. Pure. The rule (Analyzer.swift, decision 8):
//   1. `expr AS alias`        → alias
//   2. a column or path       → the column's declared name, else the last path
//                               segment as written (`device.location.lat` → lat);
//                               a pseudo-column as written (WINDOW_START)
//   3. f(column) / f(*) / f() → lower-case function name, then `_column` when the
//                               first argument is a column: COUNT(*) → count,
//                               AVG(amount) → avg_amount,
//                               COUNT(DISTINCT u) → count_distinct_u
//   4. CAST(column AS T)      → the column's name
//   5. anything else          → column_<position> (1-based position in the select list)
// Names that repeat (compared ignoring case, as SQLite and JSON consumers
// would) get a suffix: the second `n` becomes `n_2`, the third `n_3`.

enum OutputNaming {
    /// The name of a select item, before de-duplication.
    static func name(of expression: Expression, alias: Identifier?, position: Int, scope: RelationScope) -> String {
        if let alias { return alias.value }
        if let name = columnName(expression, scope: scope) { return name }
        if case .function(let call) = expression.kind {
            var name = call.name.value.lowercased()
            if call.distinct { name += "_distinct" }
            if let first = call.arguments.first(where: { $0.name == nil }), let argument = columnName(first.value, scope: scope) {
                name += "_" + argument
            }
            return name
        }
        return "column_\(position)"
    }

    private static func columnName(_ expression: Expression, scope: RelationScope) -> String? {
        switch expression.kind {
        case .column(let reference):
            if reference.path.count == 1, let column = scope.column(named: reference.name.value) { return column.name }
            return reference.path.last?.value
        case .cast(let operand, _):
            return columnName(operand, scope: scope)
        default:
            return nil
        }
    }

    /// `names` with repeats suffixed `_2`, `_3`, … (a suffix never collides with another name).
    static func deduplicated(_ names: [String]) -> [String] {
        var taken = Set<String>()
        var result: [String] = []
        for name in names {
            var candidate = name
            var counter = 1
            while taken.contains(candidate.lowercased()) {
                counter += 1
                candidate = "\(name)_\(counter)"
            }
            taken.insert(candidate.lowercased())
            result.append(candidate)
        }
        return result
    }
}
