// The README's SQL examples must run: every ```sql block of README.md, in
// order, in one fresh database. A tailing query (no UNTIL) is cancelled after a
// moment, as a user would with Ctrl-C.

import Foundation
import Spate
import SpateSQL
import Testing

@Suite struct ReadmeExamplesTests {
    static var packageRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return url
    }

    static func sqlBlocks() throws -> [String] {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        var blocks: [String] = []
        var current: [Substring]?
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.hasPrefix("```sql") { current = []; continue }
            if current != nil, line.hasPrefix("```") { blocks.append(current!.joined(separator: "\n")); current = nil; continue }
            current?.append(line)
        }
        return blocks
    }

    @Test func everySQLExampleRuns() throws {
        let blocks = try Self.sqlBlocks()
        #expect(blocks.count >= 2)
        let f = try SQLFixture()
        var statementsRun = 0
        for block in blocks {
            for statement in try Parser.parseScript(block) {
                let sink = CollectingSink()
                let cancel = CancellationFlag()
                let tailing: Bool
                if case let .select(select) = statement.kind, select.until == nil, select.from != nil,
                   !["streams", "jobs", "alerts", "job_results", "channels", "deliveries", "alarms", "alarm_history", "metrics", "detector_scores",
                      "sinks", "sink_files", "job_log"]
                    .contains(select.from!.value.lowercased()) {
                    tailing = true
                    DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { cancel.cancel() }
                } else {
                    tailing = false
                }
                do {
                    try f.session.execute(statement, source: block, sink: sink, cancel: cancel)
                } catch {
                    Issue.record("README example failed: \(statement)\n\(error)")
                }
                if tailing { #expect(sink.summaries.last?.cancelled == true) }
                statementsRun += 1
            }
        }
        #expect(statementsRun >= 12)
        // The examples' data really flows through: the windowed query saw the inserted rows.
        let check = try f.run("SELECT COUNT(*) AS n FROM transactions SINCE EARLIEST UNTIL NOW;")
        #expect(check.rows == [[.bigint(4)]])
    }
}
