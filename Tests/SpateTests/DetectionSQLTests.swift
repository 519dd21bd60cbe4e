// Calibrated detection through SQL and jobs (issue 12): anomaly_grade and
// anomaly_explanation read in a query, and a job's alert carrying the
// explanation in `alerts` — the same one the query printed.

import Foundation
import Spate
import SpateLog
import SpateRuntime
import SpateSQL
import Testing

@Suite(.serialized) struct DetectionSQLTests {
    let t0: Int64 = 1_732_399_980_000

    /// Three sensors a second with small noise; at `spikeAt` the pressure jumps.
    func sensorRecords(count: Int, spikeAt: Int) -> [String] {
        var noise = UInt64(17)
        func next() -> Double {
            noise = noise &* 6364136223846793005 &+ 1442695040888963407
            return Double(noise >> 11) / Double(1 << 53) - 0.5
        }
        return (0..<count).map { i in
            let temperature = 20 + next(), pressure = (i == spikeAt ? 9.0 : 5.0) + 0.2 * next(), flow = 32 + 2 * next()
            return #"{"site":"s1","t":\#(t0 + Int64(i) * 1_000),"temperature":\#(temperature),"pressure":\#(pressure),"flow":\#(flow)}"#
        }
    }

    func setUp() throws -> SQLFixture {
        let f = try SQLFixture()
        try f.run("CREATE STREAM sensors (site STRING, t TIMESTAMP, temperature DOUBLE, pressure DOUBLE, flow DOUBLE) WITH (key = 'site', event_time = 't');")
        try f.append("sensors", sensorRecords(count: 700, spikeAt: 650), key: "s1")
        return f
    }

    static let query = """
        SELECT site, t, ANOMALY_SCORE(temperature, pressure, flow) OVER (PARTITION BY site) AS score,
               anomaly_grade AS grade, anomaly_explanation AS why
        FROM sensors SINCE EARLIEST UNTIL NOW WHERE anomaly
        """

    @Test func queryReadsGradeAndExplanation() throws {
        let f = try setUp()
        let rows = try f.run(Self.query + ";").rows
        let spike = try #require(rows.first { $0[1] == .timestamp(t0 + 650_000) }, "the pressure jump is not flagged: \(rows)")
        guard case let .double(grade) = spike[3], case let .string(why) = spike[4] else { Issue.record("grade/why: \(spike)"); return }
        #expect(grade >= 1 - DetectorConfiguration.riskDefault && grade <= 1)
        #expect(why.hasPrefix(#"{"detector":"ANOMALY_SCORE","grade":"#))
        #expect(why.contains(#""inputs":[{"input":"pressure","observed":"#) && why.contains(#""direction":"high""#))
    }

    @Test func gradeIsNullOnlyBeforeCalibration() throws {
        let f = try setUp()
        let rows = try f.run("SELECT t, ANOMALY_SCORE(temperature, pressure, flow) OVER (PARTITION BY site) AS score, anomaly_grade AS g FROM sensors SINCE EARLIEST UNTIL NOW;").rows
        #expect(rows.count == 700)
        // Warm-up (256) scores NULL, calibration takes the next 64 scores; from then on every row has a grade.
        #expect(rows.prefix(256).allSatisfy { $0[1] == .null && $0[2] == .null })
        #expect(rows.suffix(from: 320).allSatisfy { if case .double = $0[2] { return true } else { return false } })
    }

    @Test func gradeOrExplanationWithoutADetectorIsAnError() throws {
        let f = try setUp()
        #expect { try f.run("SELECT site, anomaly_grade FROM sensors SINCE EARLIEST UNTIL NOW;") } throws: { error in
            "\(error)".contains("anomaly_grade needs a detector")
        }
    }

    @Test func jobAlertCarriesTheExplanation() throws {
        let f = try setUp()
        let printed = try f.run(Self.query + ";").rows.map { "\($0[4])" }
        try f.run("CREATE JOB watch WITH (checkpoint_interval = '20 ms') AS \(Self.query.replacingOccurrences(of: " UNTIL NOW", with: ""));")
        let runner = f.database.startJobRunner(options: JobRunnerOptions(leaseDurationMs: 1500, scanIntervalMs: 50, pollIntervalMs: 5))
        defer { runner.stop() }
        #expect(eventually { (try? f.run("SELECT COUNT(*) FROM alerts WHERE job = 'watch';").rows.first?.first) == .bigint(Int64(printed.count)) })
        let stored = try f.run("SELECT explanation FROM alerts WHERE job = 'watch' ORDER BY id;").rows.map { "\($0[0])" }
        #expect(stored == printed)
    }
}
