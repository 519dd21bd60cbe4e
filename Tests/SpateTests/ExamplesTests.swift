// The scripts in examples/ run, and run again without error (they are
// idempotent), and each defines its job.

import Foundation
import Testing

@Suite struct ExamplesTests {
    static var examples: URL { ReadmeExamplesTests.packageRoot.appendingPathComponent("examples") }

    @Test(arguments: ["anomaly-detection.sql", "per-user-spikes.sql", "volume-anomalies.sql"])
    func exampleScriptsAreIdempotent(name: String) throws {
        let dir = TemporaryDirectory()
        let script = Self.examples.appendingPathComponent(name).path
        for _ in 0..<2 {
            let run = try Spate.run(["--data", dir.path + "/data", "-f", script])
            #expect(run.status == 0, "\(name): \(run.stderr)")
        }
        let jobs = try Spate.run(["--data", dir.path + "/data", "--format", "csv", "-c", "SELECT COUNT(*) FROM jobs;"])
        #expect(jobs.lines.last == "1")
    }
}
