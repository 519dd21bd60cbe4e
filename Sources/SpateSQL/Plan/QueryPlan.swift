// The plan of a query: what the analyzer hands the runtime. Plain data — which
// fields to extract from each record, the row filter, the window, the grouping,
// the aggregates, the output columns and the filter on output rows. The runtime
// compiles it into a pipeline of operators over batches; `SpateRuntime`'s
// EXPLAIN prints that pipeline.
//
// Stages, in order:
//   scan (stream, range) → extract `fields` → `filter` (row level)
//   → [aggregating] assign windows, group by `groupKeys`, fold `aggregates`,
//     emit groups when final (or on change)
//   → `outputs` → `outputFilter` → ORDER BY / LIMIT
// For a non-aggregating query, `outputs` refer to fields directly.

/// Where a query's rows come from.
public enum QuerySource: Hashable, Sendable {
    /// No relation: `SELECT 1 + 1, NOW()` yields one row of constants.
    case none
    case stream(String)
    /// A catalog table, answered by SQLite with the given SQL text. The plan's
    /// `fields` are the columns of that SQL's result, in order, and `outputs[i]`
    /// is `.field(i)`: SQLite filters, groups, sorts and limits.
    case catalogTable(String, sql: String)
}

/// A field extracted from each record's JSON payload.
public struct FieldExtraction: Hashable, Sendable {
    /// Dot path in the JSON object, e.g. ["device", "location", "lat"]; empty
    /// for the whole record (`SELECT *` on a schemaless stream).
    public var path: [String]
    /// The type the query reads it as (declared, or inferred from use).
    public var type: ValueType

    public init(path: [String], type: ValueType) {
        self.path = path
        self.type = type
    }

    public var dottedPath: String { path.joined(separator: ".") }
}

/// Where event time comes from.
public enum EventTimeSource: Hashable, Sendable {
    /// The record's arrival time in the log.
    case arrival
    /// Extracted field i (TIMESTAMP: epoch ms, or an ISO 8601 string).
    case field(Int)
}

/// Start of the range a query reads.
public enum RangeStart: Hashable, Sendable {
    case earliest
    case latest
    /// Epoch milliseconds.
    case time(Int64)
    /// Now minus this many milliseconds, when the query starts.
    case ago(Int64)
}

/// End of the range a query reads (a query with an end is bounded).
public enum RangeEnd: Hashable, Sendable {
    /// The log's end when the query starts.
    case now
    case time(Int64)
    case ago(Int64)
}

/// The window of an aggregating query. Durations in milliseconds.
public struct WindowPlan: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        case tumbling(sizeMs: Int64)
        case hopping(sizeMs: Int64, advanceMs: Int64)
        case session(gapMs: Int64)
    }

    public var kind: Kind
    /// How long after a window's end late records are still accepted.
    public var graceMs: Int64

    public init(kind: Kind, graceMs: Int64) {
        self.kind = kind
        self.graceMs = graceMs
    }
}

/// One aggregate call of the query.
public struct AggregatePlan: Hashable, Sendable {
    public var function: AggregateFunction
    /// The argument, over input fields (nil for COUNT(*)).
    public var argument: BoundExpression?
    /// Constant parameter, e.g. the percentile of APPROX_PERCENTILE.
    public var parameter: Double?
    public var type: ValueType

    public init(function: AggregateFunction, argument: BoundExpression?, parameter: Double? = nil, type: ValueType) {
        self.function = function
        self.argument = argument
        self.parameter = parameter
        self.type = type
    }
}

/// One column of the result.
public struct OutputColumn: Hashable, Sendable {
    public var name: String
    public var expression: BoundExpression

    public init(name: String, expression: BoundExpression) {
        self.name = name
        self.expression = expression
    }

    public var type: ValueType { expression.type }
}

/// When an aggregating query emits a group.
public enum EmitPolicy: Hashable, Sendable {
    /// Once, when its window is final (the default for windowed queries).
    case final
    /// Every time it changes.
    case changes
}

/// ORDER BY on output columns.
public struct OrderKey: Hashable, Sendable {
    public var output: Int
    public var descending: Bool

    public init(output: Int, descending: Bool) {
        self.output = output
        self.descending = descending
    }
}

/// A detector call (ZSCORE, ROBUST_SCORE, RCF, MAHALANOBIS, ANOMALY_SCORE):
/// the plan carries it so that jobs and EXPLAIN can see it.
public struct DetectorPlan: Hashable, Sendable {
    public var name: String
    public var arguments: [BoundExpression]
    /// The inputs as the user wrote them (`amount`, `a1`): explanations name them.
    public var argumentNames: [String]
    public var options: [String: Double]
    /// Keys whose state is kept apart (PARTITION BY, or the GROUP BY keys).
    public var partitionBy: [BoundExpression]

    public init(name: String, arguments: [BoundExpression], argumentNames: [String]? = nil, options: [String: Double],
                partitionBy: [BoundExpression]) {
        self.name = name
        self.arguments = arguments
        self.argumentNames = argumentNames ?? arguments.indices.map { "input_\($0 + 1)" }
        self.options = options
        self.partitionBy = partitionBy
    }

    /// Two calls are the same detector whatever their inputs are called.
    public static func == (a: DetectorPlan, b: DetectorPlan) -> Bool {
        a.name == b.name && a.arguments == b.arguments && a.options == b.options && a.partitionBy == b.partitionBy
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(arguments)
        hasher.combine(options)
        hasher.combine(partitionBy)
    }
}

/// A compiled-to-data SELECT.
public struct QueryPlan: Hashable, Sendable {
    public var source: QuerySource
    public var fields: [FieldExtraction]
    public var eventTime: EventTimeSource
    public var start: RangeStart
    /// nil: the query tails the log until cancelled.
    public var end: RangeEnd?
    /// Row filter over input fields.
    public var filter: BoundExpression?
    public var window: WindowPlan?
    /// Over input fields.
    public var groupKeys: [BoundExpression]
    public var aggregates: [AggregatePlan]
    public var detectors: [DetectorPlan]
    public var outputs: [OutputColumn]
    /// Filter over output rows (HAVING, and a WHERE on `anomaly`, detectors or aggregates).
    public var outputFilter: BoundExpression?
    public var emit: EmitPolicy
    public var orderBy: [OrderKey]
    public var limit: Int64?
    /// `SELECT *` over a schemaless stream: the whole record is the one output column.
    public var selectsWholeRecord: Bool

    public init(source: QuerySource, fields: [FieldExtraction] = [], eventTime: EventTimeSource = .arrival,
                start: RangeStart = .earliest, end: RangeEnd? = nil, filter: BoundExpression? = nil,
                window: WindowPlan? = nil, groupKeys: [BoundExpression] = [], aggregates: [AggregatePlan] = [],
                detectors: [DetectorPlan] = [], outputs: [OutputColumn] = [], outputFilter: BoundExpression? = nil,
                emit: EmitPolicy = .final, orderBy: [OrderKey] = [], limit: Int64? = nil, selectsWholeRecord: Bool = false) {
        self.source = source
        self.fields = fields
        self.eventTime = eventTime
        self.start = start
        self.end = end
        self.filter = filter
        self.window = window
        self.groupKeys = groupKeys
        self.aggregates = aggregates
        self.detectors = detectors
        self.outputs = outputs
        self.outputFilter = outputFilter
        self.emit = emit
        self.orderBy = orderBy
        self.limit = limit
        self.selectsWholeRecord = selectsWholeRecord
    }

    /// Whether rows are folded into groups (GROUP BY, a window or an aggregate).
    public var isAggregating: Bool { window != nil || !groupKeys.isEmpty || !aggregates.isEmpty }
    /// Whether the query ends by itself.
    public var isBounded: Bool { end != nil }
}
