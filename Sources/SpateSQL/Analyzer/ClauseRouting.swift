// ClauseRouting: questions about an AST expression that decide which stage of
// the plan a clause belongs to.
//
// Layer: SpateSQL analyzer. Read-only walks over the AST, before binding.
//
// DESIGN: "A WHERE condition that names anomaly, a detector or an aggregate
// applies to output rows." So does one that names WINDOW_START / WINDOW_END
// (known only per window), or a select alias of any of these (`WHERE z > 3`
// with `ZSCORE(amount) AS z`). Every other WHERE — before or after GROUP BY —
// filters records (decision 5).

extension ExpressionBinder {
    /// Whether `expression` needs output rows: an aggregate, a detector,
    /// `anomaly`, WINDOW_START / WINDOW_END, or an alias of such an item.
    func mentionsOutputOnly(_ expression: Expression) -> Bool {
        mentionsOutputOnly(expression, visiting: [])
    }

    private func mentionsOutputOnly(_ expression: Expression, visiting: Set<Int>) -> Bool {
        switch expression.kind {
        case .column(let reference):
            if let pseudo = PseudoColumn.referenced(by: reference, in: scope) { return pseudo.isOutputOnly }
            if let item = aliasTarget(of: reference), !visiting.contains(item.outputIndex) {
                return mentionsOutputOnly(item.expression, visiting: visiting.union([item.outputIndex]))
            }
            return false
        case .function(let call) where Self.isAggregate(call) || Self.isDetector(call):
            return true
        default:
            return expression.kind.children.contains { mentionsOutputOnly($0, visiting: visiting) }
        }
    }

    static func isAggregate(_ call: FunctionCall) -> Bool {
        DetectorFunction.named(call.name.value) == nil && AggregateFunction.named(call.name.value) != nil
    }

    static func isDetector(_ call: FunctionCall) -> Bool {
        DetectorFunction.named(call.name.value) != nil
    }

    /// Whether any call in `expression` satisfies `predicate`.
    static func containsCall(_ expression: Expression, where predicate: (FunctionCall) -> Bool) -> Bool {
        if case .function(let call) = expression.kind, predicate(call) { return true }
        return expression.kind.children.contains { containsCall($0, where: predicate) }
    }
}
