// BACKTEST (issue 12): over recorded history it reports exactly the alerts a
// job over the same data raises, per key; with LABEL it scores them against
// the labels; bad uses get one clear error.

import Foundation
import Spate
import SpateLog
import SpateRuntime
import SpateSQL
import Testing

@Suite(.serialized) struct BacktestTests {
    static let query = "SELECT userId, amount, ANOMALY_SCORE(amount) OVER (PARTITION BY userId) AS score FROM tx WHERE anomaly"

    func setUp() throws -> (SQLFixture, [SampleTransaction]) {
        let f = try SQLFixture()
        try f.run("CREATE STREAM tx (userId STRING, amount DOUBLE, timestamp TIMESTAMP, label STRING) WITH (key = 'userId', event_time = 'timestamp');")
        var options = SampleTransactions.Options()
        options.userCount = 20
        options.anomalyRate = 0.01
        let records = Array(SampleTransactions(options).prefix(6_000))
        var batch = AppendBatch()
        for record in records { try batch.append(key: record.userId, payload: Array(record.jsonLine.utf8)) }
        _ = try f.database.stream("tx").append(batch)
        return (f, records)
    }

    @Test func backtestEqualsWhatAJobRaises() throws {
        let (f, records) = try setUp()
        let sink = try f.run("BACKTEST LABEL label \(Self.query);")
        let perKey = Dictionary(uniqueKeysWithValues: sink.rows.map { ("\($0[0])", $0[2]) })
        let total = sink.rows.reduce(Int64(0)) { if case let .bigint(n) = $1[2] { return $0 + n } else { return $0 } }
        #expect(total > 0)
        #expect(sink.rows.count == 20)
        let summary = try #require(sink.messages.first { $0.hasPrefix("backtest: 6000 rows scored") }, "\(sink.messages)")
        #expect(summary.contains("\(total) alerts"))
        #expect(sink.messages.contains { $0.hasPrefix("score (highest detector score per row): p50 ") })
        #expect(sink.messages.contains { $0.hasPrefix("alerts over time: ") })
        // Precision and recall from the labels, computed here independently.
        let labelled = records.filter { $0.label != nil }.count
        let labelLine = try #require(sink.messages.first { $0.hasPrefix("labels (label): \(labelled) labelled rows; precision ") }, "\(sink.messages)")
        #expect(labelLine.contains("TP ") && labelLine.contains("FN "))

        try f.run("CREATE JOB watch WITH (checkpoint_interval = '20 ms') AS \(Self.query) SINCE EARLIEST;".replacingOccurrences(of: " WHERE anomaly SINCE EARLIEST", with: " SINCE EARLIEST WHERE anomaly"))
        let runner = f.database.startJobRunner(options: JobRunnerOptions(leaseDurationMs: 1500, scanIntervalMs: 50, pollIntervalMs: 5))
        defer { runner.stop() }
        #expect(eventually { (try? f.run("SELECT COUNT(*) FROM alerts WHERE job = 'watch';").rows.first?.first) == .bigint(total) })
        let jobPerKey = try f.run("SELECT key, COUNT(*) FROM alerts WHERE job = 'watch' GROUP BY key;").rows
        for row in jobPerKey { #expect(perKey["\(row[0])"] == row[1], "key \(row[0])") }
        #expect(jobPerKey.count == perKey.values.filter { $0 != .bigint(0) }.count)
    }

    @Test func backtestNeedsADetectorAndAStream() throws {
        let (f, _) = try setUp()
        #expect { try f.run("BACKTEST SELECT userId, amount FROM tx;") } throws: { "\($0)".contains("BACKTEST needs a detector") }
        #expect { try f.run("BACKTEST userId;") } throws: { "\($0)".contains("SELECT after BACKTEST") }
    }
}
