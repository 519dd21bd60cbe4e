@testable import SpateSQL
import Testing

@Suite struct AnalyzerCatalogTests {
    func sql(_ plan: QueryPlan) -> String? {
        if case .catalogTable(_, let sql) = plan.source { return sql }
        Issue.record("not a catalog plan: \(plan.source)")
        return nil
    }

    @Test func catalogQueryFromTheDesign() throws {
        let plan = try planOf("SELECT * FROM alerts WHERE job = 'fraud_watch' AND created_at > NOW() - INTERVAL '1' HOUR ORDER BY created_at DESC, id LIMIT 20")
        #expect(sql(plan) == """
        SELECT "id" AS "id", "job" AS "job", "created_at" AS "created_at", "score" AS "score", "state" AS "state" FROM "alerts" \
        WHERE (("job" = 'fraud_watch') AND ("created_at" > ((strftime('%s','now') * 1000) - 3600000))) ORDER BY 3 DESC, 1 LIMIT 20
        """)
        #expect(plan.fields.map(\.dottedPath) == ["id", "job", "created_at", "score", "state"])
        #expect(plan.outputs.map(\.type) == [.bigint, .string, .timestamp, .double, .string])
        #expect(plan.outputs[2].expression == field(2, .timestamp))
        #expect(plan.isBounded && plan.filter == nil && plan.orderBy.isEmpty && plan.limit == nil)
    }

    @Test func catalogAggregationWithHavingAndTimeLiteral() throws {
        let plan = try planOf("SELECT job, COUNT(*) AS n, AVG(score) FROM alerts WHERE created_at >= '2024-04-30T00:00:00Z' AND state LIKE 'op_n%' GROUP BY job HAVING n > 2 ORDER BY n DESC")
        #expect(sql(plan) == """
        SELECT "job" AS "job", count(*) AS "n", avg("score") AS "avg_score" FROM "alerts" \
        WHERE (("created_at" >= 1714435200000) AND ("state" GLOB 'op?n*')) GROUP BY "job" HAVING (count(*) > 2) ORDER BY 2 DESC
        """)
        #expect(plan.outputs.map(\.type) == [.string, .bigint, .double])
        #expect(plan.aggregates.isEmpty && plan.groupKeys.isEmpty)
    }

    @Test func catalogQueriesMayOrderByAnyColumn() throws {
        let plan = try planOf("SELECT id, job FROM alerts WHERE job IN ('a', 'b') AND NOT (score BETWEEN 1 AND 2) ORDER BY score DESC LIMIT 3")
        #expect(sql(plan) == """
        SELECT "id" AS "id", "job" AS "job" FROM "alerts" WHERE (("job" IN ('a', 'b')) AND (NOT (("score" >= 1.0) AND ("score" <= 2.0)))) \
        ORDER BY "score" DESC LIMIT 3
        """)
        // A stream query cannot: its sort runs over output rows only.
        guard let error = analysisError("SELECT userId FROM transactions UNTIL NOW ORDER BY amount") else { return }
        #expect(error.message.contains("is not an output column"))
    }

    @Test func catalogDetectorsAndPseudoColumnsAreRefused() {
        #expect(analysisError("SELECT job, _arrival FROM alerts")?.message.contains("known only in a query over a stream") == true)
        #expect(analysisError("SELECT job FROM alerts WHERE anomaly")?.message.contains("anomaly needs a detector") == true)
        #expect(analysisError("SELECT job FROM alerts EMIT CHANGES")?.message.contains("EMIT CHANGES applies to queries over streams") == true)
    }
}
