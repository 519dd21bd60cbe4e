// EXPLAIN names what runs: every operator it prints is a type declared in a
// file of that name under Sources/ — except Filter, Project and OutputFilter,
// which are compiled expressions (VectorExpression) held by the Pipeline that
// PipelineBuilder.swift builds; for those the test checks that Pipeline has the
// stage. A renamed or merged operator fails here until EXPLAIN follows.

import Foundation
@testable import SpateRuntime
import SpateSQL
import Testing

@Suite struct PlanExplainerTests {
    struct Schemas: SchemaProvider {
        static let tx = StreamSchema(
            name: "tx",
            columns: [SchemaColumn(name: "key", type: .string), SchemaColumn(name: "amount", type: .double),
                      SchemaColumn(name: "ts", type: .timestamp)],
            keyColumn: "key", eventTimeColumn: "ts")
        static let alerts = CatalogTableSchema(name: "alerts", columns: [SchemaColumn(name: "id", type: .bigint)])
        func stream(named name: String) -> StreamSchema? { name == "tx" ? Self.tx : nil }
        func catalogTable(named name: String) -> CatalogTableSchema? { name == "alerts" ? Self.alerts : nil }
        var relationNames: [String] { ["tx", "alerts"] }
        func sampledType(ofField path: [String], inStream stream: String) -> ValueType? { nil }
    }

    static var sourcesRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            let sources = url.appendingPathComponent("Sources")
            if FileManager.default.fileExists(atPath: sources.path) { return sources }
        }
        return url
    }

    func explain(_ sql: String) throws -> String {
        guard case let .select(select) = try Parser.parseStatement(sql).kind else {
            Issue.record("not a SELECT: \(sql)")
            return ""
        }
        return PlanExplainer.explain(try Analyzer.plan(select, schemas: Schemas(), nowMs: 1_714_521_600_000))
    }

    /// The first word of each operator line (lines starting with a name or `→ name`).
    func operatorNames(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line -> String? in
            var rest = line.drop { $0 == " " }
            if rest.hasPrefix("→ ") { rest = rest.dropFirst(2) } else if line.hasPrefix(" ") { return nil }
            let name = rest.prefix { $0.isLetter }
            return name.isEmpty ? nil : String(name)
        }
    }

    @Test func everyOperatorIsATypeInAFileOfItsName() throws {
        let texts = try [
            explain("SELECT key, count(*) AS n, avg(amount) AS a, ZSCORE(avg(amount)) AS z FROM tx SINCE EARLIEST UNTIL NOW "
                + "WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY key WHERE anomaly ORDER BY z DESC LIMIT 10"),
            explain("SELECT key, amount FROM tx WHERE amount > 10"),
            explain("SELECT 1 + 1 AS two"),
        ]
        let names = Set(texts.flatMap(operatorNames))
        #expect(names.isSuperset(of: ["StreamCursor", "RecordDecoder", "WindowAggregator", "DetectorStage", "OrderLimit",
                                      "ConstantEvaluator", "Filter", "Project", "OutputFilter"]),
                "operators printed: \(names.sorted())")
        #expect(texts[0].contains("Watermark"))
        let expressionStages = ["Filter": "var filter:", "Project": "var outputs:", "OutputFilter": "var outputFilter:"]
        let files = FileManager.default.enumerator(atPath: Self.sourcesRoot.path)?.compactMap { $0 as? String } ?? []
        let pipeline = try String(contentsOf: Self.sourcesRoot.appendingPathComponent("SpateRuntime/Pipeline/PipelineBuilder.swift"),
                                  encoding: .utf8)
        for name in names.union(["Watermark"]) {
            if let field = expressionStages[name] {
                #expect(pipeline.contains(field), "Pipeline has no \(name) stage")
                continue
            }
            guard let file = files.first(where: { $0.hasSuffix("/\(name).swift") }) else {
                Issue.record("EXPLAIN prints \(name), but no Sources/**/\(name).swift exists")
                continue
            }
            let text = try String(contentsOf: Self.sourcesRoot.appendingPathComponent(file), encoding: .utf8)
            let declared = ["class", "struct", "enum"].contains { text.contains("\($0) \(name)") }
            #expect(declared, "\(file) does not declare \(name)")
        }
    }

    @Test func catalogTableQueriesSayTheyRunInSQLite() throws {
        let text = try explain("SELECT id FROM alerts")
        #expect(text.hasPrefix("SQLite (catalog table alerts): SELECT"))
    }
}
