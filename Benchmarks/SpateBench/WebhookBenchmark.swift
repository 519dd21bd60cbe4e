// `spate-bench webhooks`: what https costs an alert's delivery (issue 18's
// budget: https adds ≤ 5 ms p99 per alert on loopback). The same receiver
// (Tests/compat/https_receiver.py, Python's http.server) serves plain http
// and https with a certificate from a CA made here with the openssl command;
// Spate's sender (ChannelDelivery.send: AsyncHTTPClient, connections kept
// alive) posts the same alert to each, one at a time, alternating, and the
// latency of each send is recorded. Also one send per new connection (the
// first after the receiver started: TCP + TLS handshake). Skipped with a
// message when python3 or openssl is missing. Peak RSS is printed at the end.

import Foundation
import SpateAlerts
import SpateCatalog
import SpateLog

func runWebhookCommand(_ arguments: [String]) -> Never {
    let quick = arguments.contains("--quick")
    guard (try? shellStatus("command -v openssl >/dev/null && command -v python3 >/dev/null")) == 0 else {
        print("skipped: spate-bench webhooks needs openssl and python3")
        exit(0)
    }
    do {
        try runWebhookBenchmark(sends: quick ? 200 : 2_000)
    } catch {
        fail("\(error)")
    }
    printPeakMemory()
    exit(0)
}

private func shellStatus(_ script: String, in directory: String? = nil) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", script]
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

/// A receiver process and where it listens.
private struct Receiver {
    let process: Process
    let url: String

    static func start(_ arguments: [String], https: Bool) throws -> Receiver {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tests/compat/https_receiver.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        let line = String(decoding: stdout.fileHandleForReading.availableData, as: UTF8.self)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else { throw BenchError("the receiver did not start") }
        return Receiver(process: process, url: (https ? "https" : "http") + "://127.0.0.1:\(port)/hook")
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

private func runWebhookBenchmark(sends: Int) throws {
    let directory = NSTemporaryDirectory() + "spate-bench-webhooks-\(getpid())"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    guard try shellStatus("""
        printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > ext.cnf &&
        openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=bench CA' 2>/dev/null &&
        openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=127.0.0.1' 2>/dev/null &&
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext.cnf 2>/dev/null
        """, in: directory) == 0 else { throw BenchError("openssl could not make the test CA") }
    let plain = try Receiver.start(["--plain", "--out", directory + "/plain.jsonl"], https: false)
    defer { plain.stop() }
    let tls = try Receiver.start(["--cert", directory + "/server.pem", "--key", directory + "/server.key",
                                  "--out", directory + "/tls.jsonl"], https: true)
    defer { tls.stop() }

    func channel(_ url: String, caFile: String?) -> ChannelRecord {
        var channel = ChannelRecord(name: "bench", type: .webhook, target: url, timeoutMs: 5_000, rateLimitPerMinute: 100_000,
                                    maxAttempts: 1, definition: "", createdMs: 0)
        channel.caFile = caFile
        return channel
    }
    let targets = [("http", channel(plain.url, caFile: nil)), ("https", channel(tls.url, caFile: directory + "/ca.pem"))]
    let alert = StoredAlert(id: 1, kind: "job", source: "bench", job: "bench", key: "user7", windowStartMs: 0, windowEndMs: 60_000,
                            score: 8.5, rowJSON: #"{"userId":"user7","total":900.0}"#, createdMs: wallClockMs())
    printSection("Webhooks: \(grouped(sends)) alerts each over http and https to a local receiver (one at a time, alternating)")
    var first: [String: UInt64] = [:]
    var samples: [String: [UInt64]] = [:]
    for i in 0...sends {
        for (name, target) in targets {
            let start = monotonicNs()
            guard case .success = ChannelDelivery.send(alert, idempotencyKey: "bench-\(i)", on: target) else {
                throw BenchError("\(name) delivery \(i) failed")
            }
            let ns = monotonicNs() - start
            if i == 0 { first[name] = ns } else { samples[name, default: []].append(ns) }
        }
    }
    let table = Table([Table.Column(title: "", width: 6, leftAligned: true), Table.Column(title: "first (connect)", width: 15),
                       Table.Column(title: "p50", width: 9), Table.Column(title: "p99", width: 9), Table.Column(title: "max", width: 9),
                       Table.Column(title: "alerts/s", width: 9)])
    table.printHeader()
    var p99: [String: UInt64] = [:]
    for (name, _) in targets {
        let p = Percentiles(samples[name]!)
        p99[name] = p.at(0.99)
        let mean = Double(samples[name]!.reduce(0, +)) / Double(p.count)
        table.printRow([name, formatNs(first[name]!), p.text(0.5), p.text(0.99), formatNs(p.at(1)), grouped(Int(1e9 / mean))])
    }
    let added = Int64(p99["https"]!) - Int64(p99["http"]!)
    printLine("  https adds \(formatNs(UInt64(max(0, added)))) at p99 (budget ≤ 5 ms)")
}
