// FlinkQueryWriter: a job's query as Flink SQL over its source table —
// a window table-valued function (TUMBLE, HOP, SESSION) grouped by
// window_start, window_end and the keys, or a plain filter and projection.
//
// Spate's record filter (WHERE) runs before windows are assigned. It goes
// into a view in front of the window function, so a filtered-out record
// neither counts nor extends a session in Flink either. Spate's output filter
// (HAVING, and a WHERE on aggregates or window bounds) is Flink's HAVING.
//
// What is refused, and why (FlinkExportRefusal):
// - an aggregate without a window: Spate emits its changes as a tailing job;
//   Flink's unbounded GROUP BY emits a changelog (updates and retractions)
//   that append-only sinks — Kinesis, files, a JSON Kafka topic — cannot take;
// - EMIT CHANGES on a window: Flink's window aggregations emit each window
//   once, when the watermark passes its end (Spate's EMIT FINAL);
// - HOPPING whose SIZE is not a whole multiple of ADVANCE BY (Flink's HOP
//   needs it); SESSION grouped by an expression (Flink partitions sessions by
//   columns); LIMIT.

import SpateSQL

struct FlinkQueryWriter {
    let plan: QueryPlan
    let source: FlinkSource
    /// The name of the view that filters records before they enter windows.
    let inputView: String

    /// The statements that define the job's rows (a view over the input if
    /// there is a record filter, then the query), and the query's SELECT.
    func write() throws(FlinkExportRefusal) -> (views: [String], select: String) {
        if plan.selectsWholeRecord {
            throw FlinkExportRefusal("SELECT * of a stream without declared columns reads each record as text; name the fields it reads")
        }
        if plan.limit != nil || !plan.orderBy.isEmpty {
            throw FlinkExportRefusal("a continuous query with ORDER BY or LIMIT has no Flink window equivalent")
        }
        let expressions = FlinkExpressionWriter(plan: plan, fieldColumns: source.fieldColumns, arrivalColumn: source.arrivalColumn)
        var items: [String] = []
        for output in plan.outputs {
            items.append(try expressions.write(output.expression) + " AS " + FlinkSQLText.identifier(output.name))
        }
        let sourceName = FlinkSQLText.identifier(source.table.name)
        let selectList = "SELECT\n  " + items.joined(separator: ",\n  ")
        guard plan.isAggregating else {
            var conditions: [String] = []
            if let filter = plan.filter { conditions.append(try expressions.write(filter)) }
            if let outputFilter = plan.outputFilter { conditions.append(try expressions.write(outputFilter)) }
            let whereClause = conditions.isEmpty ? "" : "\nWHERE " + conditions.joined(separator: " AND ")
            return ([], selectList + "\nFROM \(sourceName)" + whereClause)
        }
        guard let window = plan.window else {
            throw FlinkExportRefusal("an aggregate without a WINDOW updates its rows forever; Flink emits that as a changelog that Kinesis, file and JSON Kafka sinks cannot take (add a WINDOW)")
        }
        if plan.emit == .changes {
            throw FlinkExportRefusal("EMIT CHANGES: Flink's window aggregations emit each window once, when it closes (export the job with EMIT FINAL)")
        }
        guard let time = source.timeColumn else {
            throw FlinkExportRefusal("the window has no time column in the Flink table")
        }
        var views: [String] = []
        var windowed = sourceName
        if let filter = plan.filter {
            views.append("-- Spate's WHERE filters records before they enter windows.\n"
                + "CREATE TEMPORARY VIEW \(FlinkSQLText.identifier(inputView)) AS\nSELECT * FROM \(sourceName)\nWHERE \(try expressions.write(filter));")
            windowed = FlinkSQLText.identifier(inputView)
        }
        var keys: [String] = []
        for key in plan.groupKeys { keys.append(try expressions.write(key)) }
        let descriptor = "DESCRIPTOR(\(FlinkSQLText.identifier(time)))"
        let function: String
        switch window.kind {
        case let .tumbling(sizeMs):
            function = "TUMBLE(TABLE \(windowed), \(descriptor), \(FlinkSQLText.interval(milliseconds: sizeMs)))"
        case let .hopping(sizeMs, advanceMs):
            guard sizeMs % advanceMs == 0 else {
                throw FlinkExportRefusal("Flink's HOP needs SIZE to be a whole multiple of ADVANCE BY (\(sizeMs) ms is not a multiple of \(advanceMs) ms)")
            }
            function = "HOP(TABLE \(windowed), \(descriptor), \(FlinkSQLText.interval(milliseconds: advanceMs)), \(FlinkSQLText.interval(milliseconds: sizeMs)))"
        case let .session(gapMs):
            for key in plan.groupKeys {
                guard case .field = key.kind else {
                    throw FlinkExportRefusal("a SESSION window grouped by an expression: Flink partitions sessions by columns (group by a column)")
                }
            }
            let partition = keys.isEmpty ? "" : " PARTITION BY " + keys.joined(separator: ", ")
            function = "SESSION(TABLE \(windowed)\(partition), \(descriptor), \(FlinkSQLText.interval(milliseconds: gapMs)))"
        }
        var text = selectList + "\nFROM TABLE(\n  \(function))\nGROUP BY " + (["window_start", "window_end"] + keys).joined(separator: ", ")
        if let outputFilter = plan.outputFilter { text += "\nHAVING " + (try expressions.write(outputFilter)) }
        return (views, text)
    }
}
