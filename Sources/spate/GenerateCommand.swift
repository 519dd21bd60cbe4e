// `spate generate transactions|series`: deterministic, labelled sample data as
// JSON lines on standard output, for the README's examples, `spate put`, tests
// and benchmarks. The generators are the facade's (SampleTransactions,
// SampleSeries); this parses options and prints. Standard output carries data
// only: no progress, no summary.

import ArgumentParser
import Spate
import SpateLog

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write deterministic, labelled sample data as JSON lines.",
        discussion: """
            transactions: card transactions like the classic Kinesis test producer:
            {"userId":"user7","amount":42.17,"merchantId":"merchant_3",
             "timestamp":<epoch ms>,"transactionId":"txn_0","label":null}
            label is "amount_spike" (amount x20-50) or "micro_charge" (0.01-0.05)
            on the injected anomalies, a fraction --anomalies of all records.

            series: a point every 5 minutes, a daily sine, noise, one anomaly:
            {"timestamp":<epoch ms>,"series":"spikes","value":51.234,"label":null}
            label is the shape's name on the points where a detector should fire.

            The same options print the same lines on every run.
            """
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case transactions, series
    }

    static let countMax = 100_000_000

    @Argument(help: "transactions | series")
    var kind: Kind

    @Option(help: "How many records (default: 1000 transactions, 4032 points = two weeks of series).")
    var count: Int?

    @Option(help: "The seed: another seed, other data (default 42 for transactions, 1 for series).")
    var seed: UInt64?

    @Option(help: "The fraction of anomalous records, 0–1 (transactions, default 0.001; series --shape spikes: each point's chance of a spike).")
    var anomalies: Double?

    @Option(help: "The first timestamp: ISO 8601, epoch ms, or 'now'.")
    var start: String?

    @Option(help: "transactions: users user1…userN (default 500).")
    var users: Int?

    @Option(help: "series: \(SeriesShape.allCases.map(\.rawValue).joined(separator: " | ")) (default spikes).")
    var shape: String?

    func run() throws {
        if let count, !(0...Self.countMax).contains(count) {
            throw SpateError.invalidArgument("--count must be 0 to \(Self.countMax), not \(count)")
        }
        if let anomalies, !(0...1).contains(anomalies) {
            throw SpateError.invalidArgument("--anomalies is a fraction from 0 to 1 (0.01 = 1 %), not \(anomalies)")
        }
        let startMs = try start.map(Self.parseStart)
        let output = FileOutput.standardOutput
        switch kind {
        case .transactions:
            if shape != nil { throw SpateError.invalidArgument("--shape is for series; transactions take --users") }
            var options = SampleTransactions.Options()
            if let seed { options.seed = seed }
            if let anomalies { options.anomalyRate = anomalies }
            if let startMs { options.startMs = startMs }
            if let users {
                guard users >= 1 else { throw SpateError.invalidArgument("--users must be at least 1") }
                options.userCount = users
            }
            for record in SampleTransactions(options).prefix(count ?? 1000) { output.write(record.jsonLine + "\n") }
        case .series:
            if users != nil { throw SpateError.invalidArgument("--users is for transactions; series take --shape") }
            var options = SampleSeries.Options()
            if let shape {
                guard let chosen = SeriesShape(rawValue: shape) else {
                    throw SpateError.invalidArgument("unknown --shape '\(shape)'; use one of \(SeriesShape.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                options.shape = chosen
            }
            if anomalies != nil && options.shape != .spikes {
                throw SpateError.invalidArgument("--anomalies sets the spike rate of --shape spikes; \(options.shape.rawValue) has one anomaly")
            }
            if let seed { options.seed = seed }
            if let count { options.count = count }
            options.spikeRate = anomalies
            if let startMs { options.startMs = startMs }
            for point in SampleSeries(options) { output.write(point.jsonLine + "\n") }
        }
        output.flush()
    }

    static func parseStart(_ text: String) throws(SpateError) -> Int64 {
        if text.lowercased() == "now" { return wallClockMs() }
        guard let ms = UTCTimestamp.parse(text) else {
            throw .invalidArgument("--start '\(text)' is not a time; give ISO 8601 (2026-01-01T00:00:00Z), epoch ms or 'now'")
        }
        return ms
    }
}
