// `spate demo`: on an empty data directory it creates the whole pipeline and
// shows alerts for the injected anomalies; run again it keeps what exists; what
// it leaves is an ordinary data directory the REPL queries; Ctrl-C stops it
// cleanly (a final checkpoint: every record sent is read by the job).

import Foundation
import Testing

@Suite struct DemoCommandTests {
    static let quick = ["demo", "--rate", "400", "--duration", "1s", "--anomalies", "0.05"]

    @Test func theDemoStandsUpThePipelineShowsAlertsAndRunsAgainIdempotently() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let first = try Spate.run(Self.quick + ["--data", data])
        #expect(first.status == 0, "\(first.stderr)")
        for created in ["created stream transactions (2 shards)", "created channel demo_alerts_file", "created channel demo_console",
                        "created job demo_spikes", "created alarm demo_anomaly_burst"] {
            #expect(first.stdout.contains(created), "\(created)")
        }
        let alerts = first.lines.filter { $0.contains("  alert ") }
        #expect(!alerts.isEmpty, "\(first.stdout)")
        #expect(alerts.allSatisfy { $0.contains("(injected: amount_spike)") || $0.contains("(injected: micro_charge)") },
                "the detector finds the injected anomalies and nothing else: \(alerts)")
        #expect(first.stdout.contains("Summary: 400 transactions sent"))
        #expect(first.stdout.contains("SHOW JOBS;"))

        let second = try Spate.run(Self.quick + ["--data", data])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.lines.filter { $0.hasSuffix("already exists") }.count == 5, "\(second.stdout)")
        #expect(!second.stdout.contains("created "))

        let count = try Spate.run(["--data", data, "--format", "csv", "-c",
                                   "SELECT COUNT(*) AS n FROM transactions SINCE EARLIEST UNTIL NOW; SELECT name, state FROM jobs;"])
        #expect(count.lines == ["n", "800", "name,state", "demo_spikes,running"], "\(count.stdout) \(count.stderr)")
        let lines = try String(contentsOfFile: data + "/demo-alerts.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(!lines.isEmpty, "the FILE channel got alerts")
    }

    @Test func badOptionsFailInOneLine() throws {
        for arguments in [["--rate", "0"], ["--duration", "soon"], ["--duration", "2d"], ["--anomalies", "2"]] {
            let result = try Spate.run(["demo", "--data", TemporaryDirectory().path] + arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.hasPrefix("spate: ") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        }
    }

    @Test(.enabled(if: PseudoTerminal.isAvailable))
    func controlCStopsTheDemoCleanlyAndTheJobHasReadEveryRecordSent() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let session = try PseudoTerminal.run(["demo", "--rate", "200", "--duration", "10m", "--data", data], history: "", steps: [
            .expect("Alerts as job demo_spikes"), .sleep(1.5), .send("\u{03}"), .expect("Stopping (final checkpoint)"),
            .expect("Summary: "), .expect("SHOW JOBS;"),
        ])
        #expect(session.error == nil, "\(session.transcript)")
        #expect(session.status == 0)
        let summary = try #require(session.transcript.components(separatedBy: .newlines).first { $0.hasPrefix("Summary: ") })
        let sent = String(summary.dropFirst("Summary: ".count).prefix { $0 != " " }).replacingOccurrences(of: ",", with: "")
        let jobs = try Spate.run(["--data", data, "--format", "csv", "-c", "SHOW JOBS;"])
        #expect(jobs.lines.first?.hasPrefix("job,state,output,records_in,records_out,lag_records,") == true, "\(jobs.stdout) \(jobs.stderr)")
        let fields = jobs.lines.dropFirst().first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) ?? []
        #expect(fields.count > 5 && fields[3] == sent && fields[5] == "0", "\(summary) \(jobs.stdout)")
        let count = try Spate.run(["--data", data, "--format", "csv", "-c", "SELECT COUNT(*) AS n FROM transactions SINCE EARLIEST UNTIL NOW;"])
        #expect(count.lines == ["n", sent])
    }
}
