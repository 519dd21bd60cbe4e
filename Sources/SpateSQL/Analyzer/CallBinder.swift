// CallBinder: function calls — scalar functions, aggregates and detectors.
//
// Layer: SpateSQL analyzer (an extension of ExpressionBinder). A name is looked
// up as a detector (DetectorCatalog), then an aggregate, then a scalar function
// (Functions.swift); an unknown name is an error suggesting the nearest of all
// three.
//
// Rules:
// - Aggregates: COUNT(*), COUNT(x), COUNT(DISTINCT x) and one argument for the
//   others; APPROX_PERCENTILE(x, p) with p a constant in (0, 1]. The argument is
//   read per record (row stage); an aggregate inside another is an error. Each
//   distinct call is collected once (AggregateCollector).
// - Detectors score output rows: in an aggregating query their inputs are
//   per-group values (aggregates, group keys), otherwise per-record fields.
//   Inputs are CAST to DOUBLE. Named options are constant numbers. State is
//   kept per OVER (PARTITION BY …) key, else per GROUP BY key (`.groupKey(i)`),
//   else globally.
// - Scalar functions: typed by ScalarFunction.resultType; NOW() is folded to
//   the query's start time in a bounded query.

extension ExpressionBinder {
    static let aggregateNames = ["COUNT", "SUM", "AVG", "MIN", "MAX", "STDDEV", "STDDEV_POP", "FIRST", "LAST", "APPROX_PERCENTILE"]

    mutating func bindCall(_ call: FunctionCall, _ expression: Expression, _ context: Context) throws(SQLError) -> BoundExpression {
        let name = call.name.value
        if let detector = DetectorFunction.named(name) { return try bindDetector(detector, call, expression, context) }
        if let aggregate = AggregateFunction.named(name) { return try bindAggregate(aggregate, call, expression, context) }
        if let function = ScalarFunction.named(name) { return try bindScalar(function, call, expression, context) }
        let candidates = ScalarFunction.allCases.map(\.name) + Self.aggregateNames + DetectorFunction.allCases.map(\.name)
        throw SQLError(.unknownName, "unknown function \(name)", at: call.name.range.start,
                       suggestion: NameSuggester.nearest(to: name.uppercased(), in: candidates))
    }

    // MARK: Scalar functions

    private mutating func bindScalar(_ function: ScalarFunction, _ call: FunctionCall, _ expression: Expression, _ context: Context) throws(SQLError) -> BoundExpression {
        try Self.requirePlainCall(call, expression, allowNamed: false, what: function.name)
        if let over = call.over {
            throw SQLError(.invalidValue, "OVER (PARTITION BY ...) applies to detectors such as ZSCORE, not to \(function.name)", at: over.range.start)
        }
        var arguments: [BoundExpression] = []
        for argument in call.arguments { arguments.append(try bind(argument.value, context)) }
        switch function.resultType(arguments.map(\.type)) {
        case .failure(let mismatch):
            throw Self.error(mismatch.message, at: expression)
        case .success(let type):
            if function == .now && foldsNow { return .constant(.timestamp(nowMs)) }
            switch function {
            case .greatest, .least, .coalesce where type.isNumeric:
                // One type among the arguments, as for operators (TypeRules).
                arguments = arguments.map { TypeRules.cast($0, to: type) }
            default:
                break
            }
            return BoundExpression(.call(function, arguments), type: type)
        }
    }

    // MARK: Aggregates

    private mutating func bindAggregate(_ requested: AggregateFunction, _ call: FunctionCall, _ expression: Expression, _ context: Context) throws(SQLError) -> BoundExpression {
        let upper = call.name.value.uppercased()
        var function = requested
        if call.star {
            guard function == .count else { throw Self.error("\(upper)(*) is not valid; only COUNT takes *", at: expression) }
            function = .countStar
        }
        if call.distinct {
            guard function == .count else { throw Self.error("DISTINCT is supported only in COUNT(DISTINCT x), not in \(upper)", at: expression) }
            function = .countDistinct
        }
        if let over = call.over {
            throw SQLError(.invalidValue, "OVER (...) does not apply to the aggregate \(upper); aggregate per group with GROUP BY and a WINDOW", at: over.range.start)
        }
        if let named = call.arguments.first(where: { $0.name != nil })?.name {
            throw SQLError(.invalidValue, "\(upper) takes no named arguments such as \(named.value) => ...", at: named.range.start)
        }
        if let outer = context.enclosingAggregate {
            throw Self.error("aggregate functions cannot be nested: \(expression) is inside \(outer.name.value.uppercased())(...)", at: expression)
        }
        guard context.stage != .row else {
            throw Self.error("the aggregate \(expression) cannot be used in \(context.clause)", at: expression)
        }
        switch scope.kind {
        case .none:
            throw Self.error("\(upper) needs rows to aggregate; add FROM <stream>", at: expression)
        case .catalogTable(let table) where [.stddev, .stddevPop, .first, .last, .approxPercentile].contains(function):
            throw Self.error("\(upper) is not available on the catalog table \(table.name) (answered by SQLite); use COUNT, SUM, AVG, MIN or MAX", at: expression)
        default:
            break
        }
        let positional = call.arguments.map(\.value)
        let arity = function == .countStar ? 0 : (function == .approxPercentile ? 2 : 1)
        guard positional.count == arity else {
            let usage = function == .approxPercentile ? "APPROX_PERCENTILE(x, p) takes a value and a percentile p" : "\(upper) takes one argument"
            throw Self.error("\(usage), not \(positional.count)", at: expression)
        }
        let argumentContext = Context(stage: .row, clause: "the argument of \(upper)", enclosingAggregate: call, aliasesEnabled: context.aliasesEnabled)
        var argument: BoundExpression?
        if let written = positional.first {
            let bound = try bind(written, argumentContext)
            argument = bound
            if case .failure(let mismatch) = function.resultType(argument: bound.type) {
                throw Self.error("\(mismatch.message), not \(bound.type)", at: written)
            }
        }
        var parameter: Double?
        if function == .approxPercentile {
            parameter = try percentile(positional[1], argumentContext)
        }
        guard case .success(let type) = function.resultType(argument: argument?.type) else {
            preconditionFailure("an aggregate's argument type was checked above")
        }
        guard let index = collector.index(of: AggregatePlan(function: function, argument: argument, parameter: parameter, type: type)) else {
            throw SQLError(.limitExceeded, "a query may compute at most \(AggregateCollector.aggregatesMax) distinct aggregates", at: expression.range.start)
        }
        return BoundExpression(.aggregate(index), type: type)
    }

    private mutating func percentile(_ written: Expression, _ context: Context) throws(SQLError) -> Double {
        let bound = try bind(written, context)
        let value: Double
        switch bound.kind {
        case .constant(.double(let v)): value = v
        case .constant(.bigint(let v)): value = Double(v)
        default: throw Self.error("the percentile of APPROX_PERCENTILE must be a constant number such as 0.99", at: written)
        }
        guard value > 0, value <= 1 else {
            throw Self.error("the percentile of APPROX_PERCENTILE must be in (0, 1], e.g. 0.99 for the 99th percentile; found \(written)", at: written)
        }
        return value
    }

    // MARK: Detectors

    private mutating func bindDetector(_ detector: DetectorFunction, _ call: FunctionCall, _ expression: Expression, _ context: Context) throws(SQLError) -> BoundExpression {
        guard scope.isStream else {
            throw Self.error("\(detector.name) scores the records of a stream; it cannot be used without FROM <stream> or on a catalog table", at: expression)
        }
        guard context.stage != .row else {
            throw Self.error("the detector \(detector.name) scores output rows; it cannot be used in \(context.clause)", at: expression)
        }
        guard !context.insideDetector else {
            throw Self.error("detectors cannot be nested: \(expression) is inside another detector", at: expression)
        }
        try Self.requirePlainCall(call, expression, allowNamed: true, what: detector.name)
        let inputsWritten = call.arguments.filter { $0.name == nil }.map(\.value)
        guard detector.inputCount.contains(inputsWritten.count) else {
            let expected = detector.inputCount.count == 1 ? "one input" : "1 to \(detector.inputCount.upperBound) inputs"
            throw Self.error("\(detector.name) takes \(expected), not \(inputsWritten.count)", at: expression)
        }
        let inputContext = Context(stage: .output, clause: "the input of \(detector.name)", insideDetector: true)
        var inputs: [BoundExpression] = []
        for written in inputsWritten {
            let bound = try bind(written, inputContext)
            guard bound.type.isNumeric || bound.type == .null else {
                throw Self.error("\(detector.name) scores numbers; \(written) is \(bound.type)", at: written)
            }
            inputs.append(TypeRules.cast(bound, to: .double))
        }
        let options = try detectorOptions(detector, call, inputContext)
        var partitionBy: [BoundExpression] = []
        if let over = call.over {
            for key in over.partitionBy {
                partitionBy.append(try bind(key, Context(stage: .output, clause: "PARTITION BY", insideDetector: true)))
            }
        } else if isAggregating {
            partitionBy = groupKeys.indices.map { BoundExpression(.groupKey($0), type: groupKeys[$0].type) }
        }
        let plan = DetectorPlan(name: detector.name, arguments: inputs, argumentNames: inputsWritten.map(\.description),
                                options: options, partitionBy: partitionBy)
        guard let index = collector.index(of: plan) else {
            throw SQLError(.limitExceeded, "a query may run at most \(AggregateCollector.detectorsMax) distinct detectors", at: expression.range.start)
        }
        return BoundExpression(.detector(index), type: .double)
    }

    private mutating func detectorOptions(_ detector: DetectorFunction, _ call: FunctionCall, _ context: Context) throws(SQLError) -> [String: Double] {
        var options: [String: Double] = [:]
        for argument in call.arguments {
            guard let name = argument.name else { continue }
            let key = name.value.lowercased()
            guard detector.optionNames.contains(key) else {
                throw SQLError(.unknownName, "\(detector.name) has no option \(name.value) (options: \(detector.optionNames.joined(separator: ", ")))",
                               at: name.range.start, suggestion: NameSuggester.nearest(to: key, in: detector.optionNames))
            }
            let bound = try bind(argument.value, context)
            switch bound.kind {
            case .constant(.double(let value)): options[key] = value
            case .constant(.bigint(let value)): options[key] = Double(value)
            // threshold => 'auto': the calibrated default, as if not given.
            case .constant(.string(let text)) where key == "threshold" && text.lowercased() == "auto": continue
            default: throw Self.error("option \(name.value) of \(detector.name) must be a constant number", at: argument.value)
            }
        }
        return options
    }

    // MARK: Helpers

    /// Rejects the call forms that only aggregates (`*`, DISTINCT) or detectors (named arguments) take.
    private static func requirePlainCall(_ call: FunctionCall, _ expression: Expression, allowNamed: Bool, what: String) throws(SQLError) {
        if call.star { throw error("\(what)(*) is not valid; only COUNT takes *", at: expression) }
        if call.distinct { throw error("DISTINCT is supported only in COUNT(DISTINCT x), not in \(what)", at: expression) }
        if !allowNamed, let named = call.arguments.first(where: { $0.name != nil })?.name {
            throw SQLError(.invalidValue, "\(what) takes no named arguments such as \(named.value) => ...", at: named.range.start)
        }
    }
}
