// Analyzer: a parsed SELECT to a QueryPlan — names resolved against the stream's
// schema, every expression typed, aggregates and detectors collected, clauses
// placed in the plan's stages.
//
// Layer: SpateSQL analyzer. Input: SelectStatement (AST) and a SchemaProvider;
// output: QueryPlan (plain data, nothing executes). Errors are SQLErrors at the
// offending node's position, saying what is wrong and what to do.
// Files: QueryAnalysis (clause order), ExpressionBinder (+ CallBinder,
// ClauseRouting), TypeRules, ConstantFolder, FieldTypeInference, FieldTable,
// AggregateCollector, DetectorCatalog, OutputNaming, StreamClauses,
// CatalogSQLWriter, RelationScope.
//
// Decisions (what a user of the dialect can observe):
//  1. Source. FROM names a stream, else a catalog table (exact name; a near miss
//     is an error with "did you mean"). A catalog-table query is checked like a
//     stream query, then written as SQLite SQL (CatalogSQLWriter); its plan has
//     `.catalogTable(name, sql:)`, one field per result column (path = [output
//     name]) and outputs `.field(i)` — SQLite does filtering, grouping and
//     ordering. WINDOW, SINCE, UNTIL, EMIT, detectors, anomaly and _arrival are
//     errors there. SELECT without FROM has source `.none`, constants only.
//  2. Columns. A declared column is found by exact name, then ignoring case. On
//     a declared stream a dotted path is an error (declared columns are scalars,
//     a STRING column is not parsed as JSON); on a schemaless stream any path
//     is a JSON path. Each distinct path is one FieldExtraction.
//  3. Schemaless types are inferred from use (FieldTypeInference): numeric use →
//     DOUBLE (wins over any other use), time use → TIMESTAMP, only boolean use →
//     BOOLEAN, string use → STRING; a field whose use says nothing takes the type
//     the SchemaProvider samples from the records, else STRING.
//     Pseudo-columns: WINDOW_START / WINDOW_END (TIMESTAMP, windowed queries,
//     output stage), anomaly (BOOLEAN, `.anomaly`: true where any detector of
//     the query flags the row by its own threshold — the runtime decides, the
//     plan does not spell thresholds), _arrival / ARRIVAL_TIME (`.arrivalTime`).
//     A declared column spelled exactly like a pseudo-column shadows it.
//     Name order: pseudo-column, declared column, select alias, JSON path — so
//     on a schemaless stream a select alias wins over a field of that name.
//  4. Event time: the stream's event_time column is field 0 (TIMESTAMP, also
//     when declared otherwise: the runtime reads epoch ms or ISO-8601) and
//     `.field(0)`; otherwise `.arrival`. Range: UNTIL makes a query bounded;
//     without SINCE a bounded query starts at EARLIEST and a tailing one at
//     LATEST (ksqlDB's auto.offset.reset=latest).
//  5. WHERE (before or after GROUP BY) filters records unless it names an
//     aggregate, a detector, anomaly, WINDOW_START/END, or an alias of one;
//     then it filters output rows, AND-ed with HAVING. Conditions are BOOLEAN.
//  6. Aggregation: COUNT(*), COUNT(x), COUNT(DISTINCT x), SUM, AVG, MIN, MAX,
//     STDDEV, STDDEV_POP, FIRST, LAST, APPROX_PERCENTILE(x, p), each distinct
//     call collected once. GROUP BY takes expressions, select aliases and
//     positions (GROUP BY 1, as PostgreSQL); a column is preferred over an alias
//     on declared relations. In an aggregating query a column outside GROUP BY
//     and outside an aggregate is an error. A window without GROUP BY has one
//     group per window; a window without aggregates is allowed.
//  7. Emit: FINAL by default with a window; without a window, FINAL when
//     bounded and CHANGES when tailing (StreamClauses).
//  8. Output names: alias; column name (last path segment); function name in
//     lower case plus `_column` (COUNT(*) → count, AVG(amount) → avg_amount);
//     else column_<position>. Repeats get _2, _3. `*` on a declared relation is
//     its columns; on a schemaless stream the whole record, one STRING column
//     "record" (`.field(i)` with the empty path) and selectsWholeRecord; `*` is
//     an error in an aggregating query. Aliases are visible in WHERE/HAVING on
//     outputs and ORDER BY (`.output(i)`) and, inlined, in other select items,
//     in GROUP BY and in the record filter.
//  9. Expressions: integer literal BIGINT, decimal DOUBLE; BIGINT / BIGINT is
//     integer division (SQL standard, SQLite, PostgreSQL); mixed numbers are
//     CAST to DOUBLE explicitly; an INTERVAL is BIGINT milliseconds; TIMESTAMP ±
//     ms → TIMESTAMP, TIMESTAMP − TIMESTAMP → BIGINT ms; a string constant
//     compared with a TIMESTAMP is read as a time at analysis ('…Z' or '1 hour
//     ago', relative to the query start); BETWEEN becomes two comparisons;
//     simple CASE becomes searched CASE; NOW() is folded to the start time in a
//     bounded query and stays a call in a tailing one; constant subtrees are
//     folded where safe (ConstantFolder).
// 10. ORDER BY names outputs (alias/name, position, or an expression equal to
//     an output; on a catalog table any expression, SQLite sorts) and needs a
//     bounded query. DISTINCT is GROUP BY all outputs
//     (it cannot be combined with GROUP BY or aggregates).

/// Turns a parsed SELECT into a QueryPlan.
public struct Analyzer {
    /// Plans `select` against the relations `schemas` knows.
    ///
    /// - Parameters:
    ///   - select: a parsed SELECT (Parser.parseStatement).
    ///   - schemas: streams and catalog tables, for names and types.
    ///   - nowMs: the query's start time (epoch ms); NOW() in a bounded query
    ///     and times compared as '1 hour ago' resolve to it. The analyzer never
    ///     reads the clock.
    /// - Returns: the plan; see QueryPlan for its stages.
    /// - Throws: `SQLError` at the offending node for unknown names (with a
    ///   suggestion), type errors, misplaced aggregates/detectors/pseudo-columns
    ///   and clauses that do not fit the source.
    /// - Complexity: linear in the statement, except group-key matching, which
    ///   re-reads an output expression's subtrees (bounded by SQLLimits' depth).
    public static func plan(_ select: SelectStatement, schemas: some SchemaProvider, nowMs: Int64) throws(SQLError) -> QueryPlan {
        let scope = try resolveSource(select, schemas: schemas)
        try StreamClauses.requireStream(select, scope: scope)
        var start = RangeStart.earliest
        var end: RangeEnd? = .now
        if scope.isStream { (start, end) = try StreamClauses.range(select, nowMs: nowMs) }

        let streamName: String? = if case .stream(let schema) = scope.kind { schema.name } else { nil }
        var analysis = try QueryAnalysis(select: select, scope: scope, nowMs: nowMs, isBounded: end != nil) { path in
            streamName.flatMap { schemas.sampledType(ofField: path, inStream: $0) }
        }
        let eventTime = analysis.eventTime()
        let conditions = analysis.routeConditions()
        let filter = try analysis.rowFilter(conditions.row)
        try analysis.groupKeys()
        let (outputs, selectsWholeRecord) = try analysis.outputs()
        let outputFilter = try analysis.outputFilter(conditions.output)
        let ordering = try analysis.orderBy()
        let emit = try StreamClauses.emit(select, isAggregating: analysis.binder.isAggregating, isBounded: end != nil)
        let binder = analysis.binder

        switch scope.kind {
        case .catalogTable(let table):
            let writer = CatalogSQLWriter(table: table.name, fields: binder.fields.fields, groupKeys: binder.groupKeys,
                                          aggregates: binder.collector.aggregates, outputs: outputs)
            let sql: String
            do {
                sql = try writer.statement(filter: filter, outputFilter: outputFilter, isAggregating: binder.isAggregating,
                                           orderBy: ordering, limit: select.limit)
            } catch {
                throw SQLError(.invalidValue, error.message, at: select.range.start)
            }
            let resultFields = outputs.map { FieldExtraction(path: [$0.name], type: $0.type) }
            let resultOutputs = outputs.enumerated().map { OutputColumn(name: $1.name, expression: BoundExpression(.field($0), type: $1.type)) }
            return QueryPlan(source: .catalogTable(table.name, sql: sql), fields: resultFields, start: .earliest, end: .now,
                             outputs: resultOutputs, emit: .final)
        case .none, .stream:
            let orderBy = ordering.compactMap { key -> OrderKey? in
                guard case .output(let index) = key.target else { preconditionFailure("only catalog queries order by non-outputs") }
                return OrderKey(output: index, descending: key.descending)
            }
            let source: QuerySource
            if case .stream(let schema) = scope.kind { source = .stream(schema.name) } else { source = .none }
            return QueryPlan(source: source, fields: binder.fields.fields, eventTime: eventTime, start: start, end: end,
                             filter: filter, window: StreamClauses.window(select.window), groupKeys: binder.groupKeys,
                             aggregates: binder.collector.aggregates, detectors: binder.collector.detectors,
                             outputs: outputs, outputFilter: outputFilter, emit: emit, orderBy: orderBy,
                             limit: select.limit, selectsWholeRecord: selectsWholeRecord)
        }
    }

    private static func resolveSource(_ select: SelectStatement, schemas: some SchemaProvider) throws(SQLError) -> RelationScope {
        guard let name = select.from else { return RelationScope(kind: .none) }
        if let stream = schemas.stream(named: name.value) { return RelationScope(kind: .stream(stream)) }
        if let table = schemas.catalogTable(named: name.value) { return RelationScope(kind: .catalogTable(table)) }
        throw SQLError(.unknownName, "unknown stream or table \(name.value); SHOW STREAMS lists the streams",
                       at: name.range.start, suggestion: NameSuggester.nearest(to: name.value, in: schemas.relationNames))
    }
}
