@testable import SpateSQL
import Testing

@Suite struct AnalyzerSchemalessTests {
    func types(_ plan: QueryPlan) -> [String: ValueType] {
        Dictionary(uniqueKeysWithValues: plan.fields.map { ($0.dottedPath, $0.type) })
    }

    @Test func typesAreInferredFromUse() throws {
        let plan = try planOf("""
        SELECT device.location.lat, name, payload, SUM(bytes) AS total FROM events UNTIL NOW
        WHERE temp > 20 AND active AND name LIKE 'a%' AND seen > NOW() - INTERVAL '1' HOUR AND ok = TRUE
        GROUP BY device.location.lat, name, payload
        """)
        #expect(types(plan) == ["device.location.lat": .string, "name": .string, "payload": .string, "bytes": .double,
                                "temp": .double, "active": .boolean, "seen": .timestamp, "ok": .boolean])
        #expect(plan.fields.first?.path == ["temp"])
        #expect(plan.eventTime == .arrival)
        #expect(plan.outputs.map(\.name) == ["lat", "name", "payload", "total"])
        #expect(plan.groupKeys.count == 3)
    }

    @Test func aNumericUseWins() throws {
        let plan = try planOf("SELECT code FROM events WHERE code > 5 OR level = 'high' OR lower(level) = 'x'")
        #expect(types(plan) == ["code": .double, "level": .string])
        // After DOUBLE wins, a string use of the same path is a type error that asks for a CAST.
        guard let error = analysisError("SELECT code FROM events WHERE code > 5 OR code = 'x'") else { return }
        #expect(error.message.contains("cannot compare DOUBLE with STRING"))
    }

    @Test func eventTimeFieldOnASchemalessStream() throws {
        let plan = try planOf("SELECT COUNT(*), AVG(reading) FROM sensors WINDOW TUMBLING (SIZE 10 SECONDS)")
        #expect(plan.fields == [FieldExtraction(path: ["ts"], type: .timestamp), FieldExtraction(path: ["reading"], type: .double)])
        #expect(plan.eventTime == .field(0))
        #expect(plan.groupKeys.isEmpty)
    }

    @Test func wildcardIsTheWholeRecord() throws {
        let plan = try planOf("SELECT * FROM events WHERE kind = 'click'")
        #expect(plan.selectsWholeRecord)
        #expect(plan.outputs == [OutputColumn(name: "record", expression: field(1, .string))])
        #expect(plan.fields[1] == FieldExtraction(path: [], type: .string))
        guard let error = analysisError("SELECT *, COUNT(*) FROM events") else { return }
        #expect(error.message.contains("SELECT * cannot be used"))
    }

    @Test func aliasWinsOverAFieldOfTheSameName() throws {
        let plan = try planOf("SELECT upper(name) AS n FROM events UNTIL NOW WHERE n <> 'X' ORDER BY n")
        #expect(plan.fields.map(\.dottedPath) == ["name"])
        #expect(plan.filter == bound(.notEqual, BoundExpression(.call(.upper, [field(0, .string)]), type: .string), constant(.string("X")), .boolean))
        #expect(plan.orderBy == [OrderKey(output: 0, descending: false)])
    }
}

/// TestSchemas, with the types a sample of `events`' records would give.
struct SampledSchemas: SchemaProvider {
    var sampled: [String: ValueType]

    func stream(named name: String) -> StreamSchema? { TestSchemas().stream(named: name) }
    func catalogTable(named name: String) -> CatalogTableSchema? { TestSchemas().catalogTable(named: name) }
    var relationNames: [String] { TestSchemas().relationNames }
    func sampledType(ofField path: [String], inStream stream: String) -> ValueType? {
        stream == "events" ? sampled[path.joined(separator: ".")] : nil
    }
}

extension AnalyzerSchemalessTests {
    @Test func aFieldWhoseUseSaysNothingTakesTheTypeOfItsSampledValues() throws {
        let schemas = SampledSchemas(sampled: ["amount": .double, "name": .double, "ok": .boolean, "device.lat": .double])
        let plan = try Analyzer.plan(try selectOf("""
            SELECT userId, MAX(amount) AS top, MIN(device.lat) AS lat, FIRST(ok) AS ok, name FROM events UNTIL NOW
            WHERE name LIKE 'a%' GROUP BY userId, name
            """), schemas: schemas, nowMs: testNowMs)
        // No sample for userId: STRING; a use that types the field wins over the sample (name LIKE …).
        #expect(types(plan) == ["userId": .string, "amount": .double, "device.lat": .double, "ok": .boolean, "name": .string])
        #expect(plan.outputs.map(\.expression.type) == [.string, .double, .double, .boolean, .string])
        // Without a sample (a provider that cannot tell) MAX of an untyped field is text, as before.
        #expect(types(try planOf("SELECT MAX(amount) AS top FROM events UNTIL NOW")) == ["amount": .string])
    }
}
