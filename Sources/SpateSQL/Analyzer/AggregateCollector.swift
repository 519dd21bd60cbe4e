// AggregateCollector: the distinct aggregate and detector calls of a query.
//
// Layer: SpateSQL analyzer. Becomes QueryPlan.aggregates and QueryPlan.detectors;
// `.aggregate(i)` and `.detector(i)` index these lists.
//
// Invariant: each list holds no two equal entries. Equality is structural on the
// bound call (function, bound argument, parameter; for detectors name, bound
// inputs, options and partition keys), so `AVG(amount)` written in the select
// list and again in HAVING is folded once, and `avg(Amount)` on a declared
// stream (the same column) is the same call too.

struct AggregateCollector {
    private(set) var aggregates: [AggregatePlan] = []
    private(set) var detectors: [DetectorPlan] = []

    /// Limits per query: each aggregate is state per group and window, each
    /// detector state per key.
    static let aggregatesMax = 256
    static let detectorsMax = 32

    /// The index of `aggregate`, adding it if it is new; nil when the limit is reached.
    mutating func index(of aggregate: AggregatePlan) -> Int? {
        if let index = aggregates.firstIndex(of: aggregate) { return index }
        guard aggregates.count < Self.aggregatesMax else { return nil }
        aggregates.append(aggregate)
        return aggregates.count - 1
    }

    /// The index of `detector`, adding it if it is new; nil when the limit is reached.
    mutating func index(of detector: DetectorPlan) -> Int? {
        if let index = detectors.firstIndex(of: detector) { return index }
        guard detectors.count < Self.detectorsMax else { return nil }
        detectors.append(detector)
        return detectors.count - 1
    }
}
