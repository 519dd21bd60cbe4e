// StreamClauses: the clauses that only a stream has — SINCE / UNTIL (the range),
// WINDOW, and EMIT — turned into plan values.
//
// Layer: SpateSQL analyzer. Pure functions of the statement and the clock value
// the caller passes (the analyzer never reads the clock).
//
// Rules (decisions 4 and 7 in Analyzer.swift):
// - A query with UNTIL ends; one without tails the log. Without SINCE a tailing
//   query starts at LATEST (new records only, like ksqlDB's
//   auto.offset.reset=latest) and a bounded one at EARLIEST.
// - '<time>' is `.time(ms)`, '<d> ago' is `.ago(ms)` (resolved when the query
//   starts). A range whose start is after its end, both known now, is an error.
// - EMIT FINAL is the default with a window. A grouped query without a window
//   emits at the end when bounded (FINAL) and on every change when tailing
//   (CHANGES, ksqlDB's push-query behaviour); EMIT FINAL on a tailing query
//   without a window is an error (its groups never close). EMIT FINAL on a
//   query that does not aggregate is an error; EMIT CHANGES there is accepted
//   (ksqlDB users write it on every push query) and rows stream as they come.

enum StreamClauses {
    /// Rejects stream-only clauses on a catalog table or a SELECT without FROM.
    static func requireStream(_ select: SelectStatement, scope: RelationScope) throws(SQLError) {
        let relation: String
        switch scope.kind {
        case .stream: return
        case .none: relation = "a SELECT without FROM"
        case .catalogTable(let table): relation = "the catalog table \(table.name), which is answered by SQLite from its current contents"
        }
        if let window = select.window {
            throw SQLError(.invalidValue, "WINDOW applies to streams, not to \(relation)", at: window.range.start)
        }
        if case .time(let time)? = select.since {
            throw SQLError(.invalidValue, "SINCE applies to streams, not to \(relation)", at: time.range.start)
        }
        if case .time(let time)? = select.until {
            throw SQLError(.invalidValue, "UNTIL applies to streams, not to \(relation)", at: time.range.start)
        }
        if select.since != nil || select.until != nil {
            throw SQLError(.invalidValue, "SINCE and UNTIL apply to streams, not to \(relation)", at: (select.from?.range ?? select.range).start)
        }
        if let emit = select.emit {
            throw SQLError(.invalidValue, "EMIT \(emit.rawValue) applies to queries over streams, not to \(relation)", at: select.range.start)
        }
    }

    /// The range a stream query reads.
    static func range(_ select: SelectStatement, nowMs: Int64) throws(SQLError) -> (start: RangeStart, end: RangeEnd?) {
        var end: RangeEnd?
        var endMs: Int64?
        switch select.until {
        case nil: break
        case .now?: (end, endMs) = (.now, nowMs)
        case .time(let time)?:
            switch time.point {
            case .absolute(let ms): (end, endMs) = (.time(ms), ms)
            case .ago(let duration): (end, endMs) = (.ago(duration.milliseconds), nowMs - duration.milliseconds)
            }
        }
        let start: RangeStart
        var startMs: Int64?
        switch select.since {
        case nil: start = end == nil ? .latest : .earliest
        case .earliest?: start = .earliest
        case .latest?: (start, startMs) = (.latest, nowMs)
        case .time(let time)?:
            switch time.point {
            case .absolute(let ms): (start, startMs) = (.time(ms), ms)
            case .ago(let duration): (start, startMs) = (.ago(duration.milliseconds), nowMs - duration.milliseconds)
            }
        }
        if let startMs, let endMs, startMs > endMs, case .time(let untilTime)? = select.until {
            throw SQLError(.invalidValue, "UNTIL \(untilTime) is before SINCE \(select.since!); the range would be empty", at: untilTime.range.start)
        }
        return (start, end)
    }

    static func window(_ spec: WindowSpec?) -> WindowPlan? {
        guard let spec else { return nil }
        let kind: WindowPlan.Kind
        switch spec.kind {
        case .tumbling(let size): kind = .tumbling(sizeMs: size.milliseconds)
        case .hopping(let size, let advance): kind = .hopping(sizeMs: size.milliseconds, advanceMs: advance.milliseconds)
        case .session(let gap): kind = .session(gapMs: gap.milliseconds)
        }
        return WindowPlan(kind: kind, graceMs: spec.grace?.milliseconds ?? 0)
    }

    static func emit(_ select: SelectStatement, isAggregating: Bool, isBounded: Bool) throws(SQLError) -> EmitPolicy {
        if select.window != nil { return select.emit == .changes ? .changes : .final }
        guard isAggregating else {
            if select.emit == .final {
                throw SQLError(.invalidValue, "EMIT FINAL applies to queries with GROUP BY, a WINDOW or aggregates; this query returns records as they come", at: select.range.start)
            }
            return .changes
        }
        if isBounded { return select.emit == .changes ? .changes : .final }
        if select.emit == .final {
            throw SQLError(.invalidValue, "EMIT FINAL on a tailing query without a WINDOW would never emit (its groups never close); add a WINDOW, add UNTIL NOW, or use EMIT CHANGES", at: select.range.start)
        }
        return .changes
    }
}
