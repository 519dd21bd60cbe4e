// A resolved, typed expression: names replaced by slots, every node typed,
// functions bound. The runtime compiles it into vectorized evaluators; nothing
// walks it per row.
//
// Slots by stage:
// - `.field(i)`: input stage, the plan's extracted field i of a record.
// - `.groupKey(i)`, `.aggregate(i)`, `.windowStart`, `.windowEnd`: output stage
//   of an aggregating query.
// - `.output(i)`: output column i (in HAVING / a WHERE on output rows / ORDER BY).
// - `.arrivalTime`: the record's arrival time (input stage).
// - `.detector(i)`: the score of detector i (see QueryPlan.detectors).
// - `.anomaly`: whether any detector flags the row (output stage).

/// A typed, resolved expression.
public struct BoundExpression: Hashable, Sendable, CustomStringConvertible {
    public indirect enum Kind: Hashable, Sendable {
        case constant(Value)
        case field(Int)
        case arrivalTime
        case groupKey(Int)
        case aggregate(Int)
        case windowStart
        case windowEnd
        case output(Int)
        case detector(Int)
        /// The `anomaly` pseudo-column: true where any detector of the query
        /// (QueryPlan.detectors) flags the row by its own threshold; BOOLEAN.
        case anomaly
        /// `anomaly_grade`: the highest calibrated grade in [0, 1] any detector
        /// gave the row (NULL before calibration); DOUBLE.
        case anomalyGrade
        /// `anomaly_explanation`: why the row was flagged (JSON; NULL when it
        /// was not); STRING.
        case anomalyExplanation
        case negate(BoundExpression)
        case not(BoundExpression)
        /// Arithmetic, comparison, AND/OR and || between operands of compatible types.
        case binary(BinaryOperator, BoundExpression, BoundExpression)
        case isNull(BoundExpression, negated: Bool)
        case inList(BoundExpression, [BoundExpression], negated: Bool)
        case like(BoundExpression, pattern: BoundExpression, negated: Bool)
        /// WHEN condition THEN result … ELSE result (a simple CASE is rewritten to this form).
        case caseWhen([CaseArm], elseResult: BoundExpression?)
        case cast(BoundExpression, ValueType)
        case call(ScalarFunction, [BoundExpression])
    }

    public struct CaseArm: Hashable, Sendable {
        public var condition: BoundExpression
        public var result: BoundExpression

        public init(condition: BoundExpression, result: BoundExpression) {
            self.condition = condition
            self.result = result
        }
    }

    public var kind: Kind
    public var type: ValueType

    public init(_ kind: Kind, type: ValueType) {
        self.kind = kind
        self.type = type
    }

    public static func constant(_ value: Value) -> BoundExpression { BoundExpression(.constant(value), type: value.type) }

    public var children: [BoundExpression] {
        switch kind {
        case .constant, .field, .arrivalTime, .groupKey, .aggregate, .windowStart, .windowEnd, .output, .detector, .anomaly,
             .anomalyGrade, .anomalyExplanation: return []
        case let .negate(e), let .not(e), let .isNull(e, _), let .cast(e, _): return [e]
        case let .binary(_, l, r): return [l, r]
        case let .inList(e, items, _): return [e] + items
        case let .like(e, p, _): return [e, p]
        case let .caseWhen(arms, elseResult): return arms.flatMap { [$0.condition, $0.result] } + (elseResult.map { [$0] } ?? [])
        case let .call(_, arguments): return arguments
        }
    }

    /// Compact text for EXPLAIN: `($2 + 1.5)`, `field#0`, `agg#1`.
    public var description: String {
        switch kind {
        case let .constant(v): return v.description
        case let .field(i): return "field#\(i)"
        case .arrivalTime: return "arrival_time"
        case let .groupKey(i): return "key#\(i)"
        case let .aggregate(i): return "agg#\(i)"
        case .windowStart: return "WINDOW_START"
        case .windowEnd: return "WINDOW_END"
        case let .output(i): return "out#\(i)"
        case let .detector(i): return "detector#\(i)"
        case .anomaly: return "anomaly"
        case .anomalyGrade: return "anomaly_grade"
        case .anomalyExplanation: return "anomaly_explanation"
        case let .negate(e): return "-\(e)"
        case let .not(e): return "NOT \(e)"
        case let .binary(op, l, r): return "(\(l) \(op.rawValue) \(r))"
        case let .isNull(e, negated): return "(\(e) IS \(negated ? "NOT " : "")NULL)"
        case let .inList(e, items, negated): return "(\(e) \(negated ? "NOT " : "")IN (\(items.map(\.description).joined(separator: ", "))))"
        case let .like(e, p, negated): return "(\(e) \(negated ? "NOT " : "")LIKE \(p))"
        case let .caseWhen(arms, elseResult):
            return "CASE " + arms.map { "WHEN \($0.condition) THEN \($0.result)" }.joined(separator: " ")
                + (elseResult.map { " ELSE \($0)" } ?? "") + " END"
        case let .cast(e, t): return "CAST(\(e) AS \(t))"
        case let .call(f, args): return "\(f.name)(\(args.map(\.description).joined(separator: ", ")))"
        }
    }
}
