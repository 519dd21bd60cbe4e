// Helpers for the analyzer tests: a small SchemaProvider with a declared stream,
// schemaless streams and a catalog table, and shortcuts to plan SQL text and to
// catch the error it raises.

@testable import SpateSQL
import Testing

struct TestSchemas: SchemaProvider {
    static let transactions = StreamSchema(
        name: "transactions",
        columns: [
            SchemaColumn(name: "userId", type: .string), SchemaColumn(name: "amount", type: .double),
            SchemaColumn(name: "merchantId", type: .string), SchemaColumn(name: "transactionId", type: .string),
            SchemaColumn(name: "timestamp", type: .timestamp),
        ],
        keyColumn: "userId", eventTimeColumn: "timestamp")
    /// Schemaless, arrival time.
    static let events = StreamSchema(name: "events")
    /// Schemaless, event time in the JSON field `ts`.
    static let sensors = StreamSchema(name: "sensors", eventTimeColumn: "ts")
    static let alerts = CatalogTableSchema(name: "alerts", columns: [
        SchemaColumn(name: "id", type: .bigint), SchemaColumn(name: "job", type: .string),
        SchemaColumn(name: "created_at", type: .timestamp), SchemaColumn(name: "score", type: .double),
        SchemaColumn(name: "state", type: .string),
    ])

    func stream(named name: String) -> StreamSchema? {
        [Self.transactions, Self.events, Self.sensors].first { $0.name == name }
    }

    func catalogTable(named name: String) -> CatalogTableSchema? {
        name == Self.alerts.name ? Self.alerts : nil
    }

    var relationNames: [String] { ["transactions", "events", "sensors", "alerts"] }
}

/// 2024-05-01T00:00:00Z.
let testNowMs: Int64 = 1_714_521_600_000

func planOf(_ sql: String) throws -> QueryPlan {
    try Analyzer.plan(try selectOf(sql), schemas: TestSchemas(), nowMs: testNowMs)
}

/// Plans `sql` (which must parse), expecting an analysis error, and returns it.
func analysisError(_ sql: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> SQLError? {
    let select: SelectStatement
    do {
        select = try selectOf(sql)
    } catch {
        Issue.record("does not parse: \(error)", sourceLocation: sourceLocation)
        return nil
    }
    do {
        let plan = try Analyzer.plan(select, schemas: TestSchemas(), nowMs: testNowMs)
        Issue.record("expected an error, got a plan with outputs \(plan.outputs.map(\.name))", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// The 1-based column (in Unicode scalars) of the `occurrence`th `needle` in one-line `sql`; -1 if absent.
func column(of needle: String, in sql: String, occurrence: Int = 1) -> Int {
    let text = Array(sql.unicodeScalars)
    let pattern = Array(needle.unicodeScalars)
    var seen = 0
    var index = 0
    while index + pattern.count <= text.count {
        if Array(text[index..<index + pattern.count]) == pattern {
            seen += 1
            if seen == occurrence { return index + 1 }
        }
        index += 1
    }
    return -1
}

func field(_ index: Int, _ type: ValueType) -> BoundExpression { BoundExpression(.field(index), type: type) }
func constant(_ value: Value) -> BoundExpression { .constant(value) }
func bound(_ op: BinaryOperator, _ left: BoundExpression, _ right: BoundExpression, _ type: ValueType) -> BoundExpression {
    BoundExpression(.binary(op, left, right), type: type)
}
