// The dashboard in headless chromium: runs Tests/browser/dashboard_browser_test.py
// against the built `spate` (it starts `spate serve` on 127.0.0.1 over a scratch
// directory with a stream, a scoring job and generated anomalies, and checks the
// overview, live alerts, Acknowledge and the charts; screenshots stay in the
// scratch directory, whose path the test prints). Skipped, with the reason,
// when chromium is not installed; .ci/run installs it, so CI always runs it.

import Foundation
import Testing

@Suite struct DashboardBrowserTests {
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: chromium != nil, "chromium is not installed: `apt-get install -y chromium` to run the browser test"),
          .timeLimit(.minutes(5)))
    func dashboardInHeadlessChromium() throws {
        let scratch = NSTemporaryDirectory() + "spate-dashboard-browser-" + UUID().uuidString
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Boto3CompatibilityTests.packageRoot.appendingPathComponent("Tests/browser/dashboard_browser_test.py").path,
                             "--spate", Boto3CompatibilityTests.spate.path, "--scratch", scratch, "--chromium", Self.chromium!]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        print(output)
        #expect(process.terminationStatus == 0, "\(output)")
        // Screenshots are kept for a person to look at; the rest of the scratch directory goes.
        for made in ["data", "chromium-profile", "chromium-dump-profile", "chromium-shot-profile"] {
            try? FileManager.default.removeItem(atPath: scratch + "/" + made)
        }
    }
}
