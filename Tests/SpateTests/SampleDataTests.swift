// The sample data of `spate generate`: the same seed gives the same records,
// the anomalies are where their labels say and as frequent as asked, and the
// command prints what the library makes, end to end into a stream and a query.

import Foundation
import Spate
import Testing

@Suite struct SampleDataTests {
    func transactions(_ count: Int, _ configure: (inout SampleTransactions.Options) -> Void = { _ in }) -> [SampleTransaction] {
        var options = SampleTransactions.Options()
        configure(&options)
        return Array(SampleTransactions(options).prefix(count))
    }

    func series(_ shape: SeriesShape, count: Int = 4032, spikeRate: Double? = nil) -> [SamplePoint] {
        var options = SampleSeries.Options()
        options.shape = shape
        options.count = count
        options.spikeRate = spikeRate
        return Array(SampleSeries(options))
    }

    @Test func aSeedGivesTheSameRecordsAndAnotherSeedOthers() {
        #expect(transactions(500).map(\.jsonLine) == transactions(500).map(\.jsonLine))
        #expect(transactions(500).map(\.jsonLine) != transactions(500) { $0.seed = 43 }.map(\.jsonLine))
        #expect(series(.varianceBurst) == series(.varianceBurst))
        var other = SampleSeries.Options()
        other.seed = 2
        #expect(series(.spikes) != Array(SampleSeries(other)))
    }

    @Test func transactionsLookLikeTheKinesisProducer() throws {
        let records = transactions(20_000) { $0.userCount = 10; $0.startMs = 1_000 }
        #expect(Set(records.map(\.userId)) == Set((1...10).map { "user\($0)" }))
        let merchants = Set(records.map(\.merchantId))
        #expect(merchants == Set((1...50).map { "merchant_\($0)" }))
        #expect(records.first!.timestampMs >= 1_000)
        #expect(zip(records, records.dropFirst()).allSatisfy { $0.timestampMs <= $1.timestampMs })
        #expect(Set(records.map(\.transactionId)).count == records.count)
        #expect(records.allSatisfy { $0.amount >= 0.01 && abs($0.amount * 100 - ($0.amount * 100).rounded()) < 1e-6 })
        // Each line is one JSON object with the documented fields.
        let object = try JSONSerialization.jsonObject(with: Data(records[0].jsonLine.utf8)) as! [String: Any]
        #expect(Set(object.keys) == ["userId", "amount", "merchantId", "timestamp", "transactionId", "label"])
        #expect(object["label"] is NSNull)
    }

    @Test func anomaliesAreAsFrequentAsAskedAndStandOutFromTheirUser() {
        let records = transactions(100_000) { $0.anomalyRate = 0.01; $0.userCount = 20 }
        let spikes = records.filter { $0.label == .amountSpike }
        let micro = records.filter { $0.label == .microCharge }
        // 1,000 expected: 833 spikes and 167 micro charges, within a few standard deviations.
        #expect((700...970).contains(spikes.count), "\(spikes.count) spikes")
        #expect((100...240).contains(micro.count), "\(micro.count) micro charges")
        #expect(micro.allSatisfy { (0.01...0.05).contains($0.amount) })
        var ordinaryMax: [String: Double] = [:]
        for record in records where record.label == nil { ordinaryMax[record.userId] = max(ordinaryMax[record.userId] ?? 0, record.amount) }
        // ×20 at least, against a spread of 20 %: a spike is above everything ordinary of its user.
        #expect(spikes.allSatisfy { $0.amount > ordinaryMax[$0.userId]! })
        #expect(transactions(10_000) { $0.anomalyRate = 0 }.allSatisfy { $0.label == nil })
    }

    @Test func seriesArePointsEveryFiveMinutesWithADailyCycle() {
        let points = series(.cleanNoise)
        #expect(points.count == 4032)
        #expect(zip(points, points.dropFirst()).allSatisfy { $1.timestampMs - $0.timestampMs == 300_000 })
        #expect(points.allSatisfy { $0.label == nil })
        // Peak at 6 h into the day (sin = 1), trough at 18 h.
        func mean(atPointOfDay point: Int) -> Double {
            let values = stride(from: point, to: points.count, by: 288).map { points[$0].value }
            return values.reduce(0, +) / Double(values.count)
        }
        let peak = mean(atPointOfDay: 72), trough = mean(atPointOfDay: 216)
        #expect(peak - trough > 15)
    }

    @Test(arguments: SeriesShape.allCases.filter { $0 != .cleanNoise })
    func eachAnomalyIsInsideItsLabelledWindow(shape: SeriesShape) {
        let noisy = series(shape)
        let clean = series(.cleanNoise)  // the same seed: the same season and noise
        let labelled = noisy.indices.filter { noisy[$0].label != nil }
        #expect(!labelled.isEmpty)
        #expect(noisy.allSatisfy { $0.label == nil || $0.label == shape.rawValue })
        // Where the series departs from its clean twin, it is labelled, except
        // for the long tails of a level shift and a drift (after and before the window).
        let departed = noisy.indices.filter { abs(noisy[$0].value - clean[$0].value) > 8 }
        #expect(!departed.isEmpty)
        if shape != .levelShift && shape != .slowDriftThenDrop {
            #expect(departed.allSatisfy { noisy[$0].label != nil }, "\(shape): a change outside the labels")
        }
        #expect(departed.contains { noisy[$0].label != nil })
    }

    @Test func spikesScaleWithTheSeriesAndFollowARate() {
        let short = series(.spikes, count: 1008)
        let spikes = short.indices.filter { short[$0].value > 50 + 10 + 30 }
        #expect(spikes == [300, 625, 900])
        let frequent = series(.spikes, count: 20_000, spikeRate: 0.005)
        let clean = series(.cleanNoise, count: 20_000)
        let count = frequent.indices.filter { frequent[$0].value - clean[$0].value > 30 }.count
        #expect((60...140).contains(count), "\(count) spikes for 100 expected")
    }

    @Test func generateCommandPrintsTheLibrarysRecords() throws {
        let out = try Spate.run(["generate", "transactions", "--count", "50", "--seed", "7", "--users", "3"])
        #expect(out.status == 0)
        #expect(out.stderr.isEmpty)
        #expect(out.lines == transactions(50) { $0.seed = 7; $0.userCount = 3 }.map(\.jsonLine))
        let again = try Spate.run(["generate", "transactions", "--count", "50", "--seed", "7", "--users", "3"])
        #expect(again.stdout == out.stdout)
        let points = try Spate.run(["generate", "series", "--shape", "level_shift", "--count", "10", "--start", "2026-02-01T00:00:00Z"])
        #expect(points.lines.count == 10)
        #expect(points.lines[0].hasPrefix(#"{"timestamp":1769904000000,"series":"level_shift","value":"#))
    }

    @Test func generateCommandRejectsBadOptionsInOneLine() throws {
        for arguments in [["series", "--shape", "wobble"], ["transactions", "--anomalies", "5"],
                          ["series", "--shape", "level_shift", "--anomalies", "0.1"], ["transactions", "--start", "soon"],
                          ["transactions", "--count=-1"]] {
            let result = try Spate.run(["generate"] + arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.hasPrefix("spate: ") && result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
        }
    }

    @Test func generatedTransactionsLoadAndQueryByLabel() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let generated = try Spate.run(["generate", "transactions", "--count", "5000", "--anomalies", "0.02"])
        let put = try Spate.run(["put", "tx", "--key", "userId", "--data", data], input: generated.stdout)
        #expect(put.status == 0)
        let query = try Spate.run(["--data", data, "--format", "csv", "-c",
                                   "SELECT label, COUNT(*) AS n FROM tx SINCE EARLIEST UNTIL NOW GROUP BY label;"])
        #expect(query.status == 0, "\(query.stderr)")
        let expected = Dictionary(grouping: transactions(5000) { $0.anomalyRate = 0.02 }, by: { $0.label?.rawValue ?? "" }).mapValues(\.count)
        #expect(Set(query.lines.dropFirst()) == Set(expected.keys.map { "\($0),\(expected[$0]!)" }))
        #expect(expected.count == 3)
    }
}
