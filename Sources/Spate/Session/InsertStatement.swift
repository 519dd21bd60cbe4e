// INSERT INTO stream [(columns)] VALUES (…), (…): each row becomes one JSON
// record, appended in one batch (all rows or none). Values are checked against
// the stream's declared column types; TIMESTAMP values are stored as epoch
// milliseconds, the form JSON producers use. The partition key is the stream's
// key column when it has one.

import SpateJSON
import SpateLog
import SpateRuntime
import SpateSQL

extension Session {
    func insert(_ statement: InsertStatement, source: String, sink: ResultSink) throws(SpateError) {
        let name = statement.stream.value
        guard database.log.streamExists(name) else {
            let hint = NameSuggester.nearest(to: name, in: (try? database.streamNames()) ?? []).map { " (did you mean \($0)?)" } ?? ""
            throw .sqlMessage("stream '\(name)' does not exist\(hint)", at: statement.stream.range, source: source, kind: .unknownName)
        }
        guard case let .values(rows) = statement.source else {
            throw .sqlMessage("INSERT INTO … SELECT runs as a job: CREATE JOB name AS INSERT INTO \(name) SELECT …",
                              at: statement.stream.range, source: source)
        }
        let definition = try database.streamDefinition(name)
        let declared = definition?.columns ?? []
        let columnNames: [String]
        if statement.columns.isEmpty {
            guard !declared.isEmpty else {
                throw .sqlMessage("name the columns: INSERT INTO \(name) (a, b) VALUES (…) — the stream has no declared columns",
                                  at: statement.stream.range, source: source)
            }
            columnNames = declared.map(\.name)
        } else {
            for column in statement.columns where !declared.isEmpty && !declared.contains(where: { $0.name == column.value }) {
                let hint = NameSuggester.nearest(to: column.value, in: declared.map(\.name)).map { " (did you mean \($0)?)" } ?? ""
                throw .sqlMessage("\(name) has no column '\(column.value)'\(hint)", at: column.range, source: source, kind: .unknownName)
            }
            columnNames = statement.columns.map(\.value)
        }
        let noRelations = SessionSchemas(streams: [:], tables: [:])
        var batch = AppendBatch()
        for row in rows {
            guard row.count == columnNames.count else {
                throw .sqlMessage("\(row.count) values for \(columnNames.count) columns", at: row.first?.range ?? statement.stream.range, source: source)
            }
            // Bind the row as `SELECT v1, v2, …` without FROM: constants only.
            let select = SelectStatement(items: row.map { SelectItem.expression($0, alias: nil) })
            let plan: QueryPlan
            do { plan = try Analyzer.plan(select, schemas: noRelations, nowMs: database.now()) } catch { throw .sql(error, source: source) }
            let values = try evaluateConstants(plan.outputs.map(\.expression))
            var json = "{"
            var key = ""
            for (i, value) in values.enumerated() {
                let column = columnNames[i]
                let type = declared.first(where: { $0.name == column })?.type
                let stored = try coerce(value, to: type, column: column, at: row[i].range, source: source)
                if i > 0 { json += "," }
                json += JSONStringLiteral.quoted(column) + ":" + JSONText.value(stored)
                if column == definition?.keyColumn, !stored.isNull { key = JSONText.plain(stored) }
            }
            json += "}"
            do throws(LogError) { try batch.append(key: key, payload: Array(json.utf8)) } catch { throw .log(error) }
        }
        let stream = try database.stream(name)
        do throws(LogError) { _ = try stream.append(batch) } catch { throw .log(error) }
        sink.message("inserted \(rows.count) record\(rows.count == 1 ? "" : "s") into \(name)")
    }

    /// Checks a value against a declared column type, converting where SQL would.
    private func coerce(_ value: Value, to type: ValueType?, column: String, at range: SourceRange, source: String) throws(SpateError) -> Value {
        guard let type, !value.isNull else { return value }
        switch (value, type) {
        case (.string, .string), (.double, .double), (.bigint, .bigint), (.boolean, .boolean), (.timestamp, .timestamp): return value
        case let (.bigint(i), .double): return .double(Double(i))
        case let (.bigint(i), .timestamp): return .timestamp(i)
        case let (.double(d), .bigint) where d.rounded() == d && Int64(exactly: d) != nil: return .bigint(Int64(exactly: d)!)
        case let (.string(text), .timestamp):
            if let ms = UTCTimestamp.parse(text) { return .timestamp(ms) }
        default: break
        }
        throw .sqlMessage("column \(column) is \(type); \(value) is \(value.type)", at: range, source: source)
    }
}
