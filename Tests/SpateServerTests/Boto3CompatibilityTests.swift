// The real boto3 client against the built `spate serve`: spawns it on a free
// port over a temporary data directory, runs Tests/compat/kinesis_boto3_test.py
// unsigned, then again with credentials (boto3 signs with SigV4; a wrong secret
// must be refused). Skipped, with a message, only when boto3 is not importable.

import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct Boto3CompatibilityTests {
    static var packageRoot: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }
    static var spate: URL { URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("spate") }

    static let boto3Available: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import boto3"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    /// Starts `spate serve` and returns it with the address it printed.
    func serve(_ arguments: [String]) throws -> (Process, String) {
        let process = Process()
        process.executableURL = Self.spate
        process.arguments = ["serve", "--listen", "127.0.0.1:0"] + arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var printed = Data()
        while !String(decoding: printed, as: UTF8.self).contains("\n") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed.append(chunk)
        }
        let line = String(decoding: printed, as: UTF8.self)
        guard let range = line.range(of: "http://127.0.0.1:[0-9]+", options: .regularExpression) else {
            process.terminate()
            throw HTTPError(description: "spate serve printed no address: \(line)")
        }
        return (process, String(line[range]))
    }

    func runScript(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.packageRoot.appendingPathComponent("Tests/compat/kinesis_boto3_test.py").path] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    func stop(_ process: Process) -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Issue 15: /metrics of `spate serve` is exactly what `spate metrics` prints,
    /// every family once with HELP and TYPE.
    @Test func servedMetricsAreTheCommandsMetrics() throws {
        let directory = TemporaryDirectory()
        let data = directory.path + "/data"
        let (server, endpoint) = try serve(["--data", data])
        defer { _ = stop(server) }
        let port = Int(endpoint.split(separator: ":").last!)!
        let client = try HTTPClient(port: port)
        _ = try client.kinesis("CreateStream", #"{"StreamName":"tx","ShardCount":2}"#)
        _ = try client.kinesis("PutRecords", #"{"StreamName":"tx","Records":[{"PartitionKey":"a","Data":"eA=="},{"PartitionKey":"b","Data":"eA=="}]}"#)
        let served = try client.request("GET", "/metrics").text
        let command = Process()
        command.executableURL = Self.spate
        command.arguments = ["metrics", "--data", data]
        let out = Pipe()
        command.standardOutput = out
        try command.run()
        let printed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        command.waitUntilExit()
        #expect(served == printed)
        #expect(served.contains("spate_stream_shards{stream=\"tx\"} 2\n"))
        let types = served.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        let helps = served.split(separator: "\n").filter { $0.hasPrefix("# HELP ") }.map { $0.split(separator: " ")[2] }
        #expect(Set(types).count == types.count, "a family exported twice")
        #expect(types == helps)
        // Every sample belongs to a family announced before it.
        for line in served.split(separator: "\n") where !line.hasPrefix("#") {
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            #expect(types.contains { name == $0 || name == $0 + "_sum" || name == $0 + "_count" }, "\(name) has no TYPE")
        }
    }

    @Test(.enabled(if: boto3Available, "boto3 is not importable: `pip install boto3` to run the compatibility test"))
    func boto3Unsigned() throws {
        let directory = TemporaryDirectory()
        let (server, endpoint) = try serve(["--data", directory.path + "/data"])
        let (status, output) = try runScript(["--endpoint", endpoint])
        #expect(status == 0, "\(output)")
        #expect(stop(server) == 0)
    }

    @Test(.enabled(if: boto3Available, "boto3 is not importable: `pip install boto3` to run the compatibility test"))
    func boto3SignedWithSigV4() throws {
        let directory = TemporaryDirectory()
        let credentials = directory.path + "/credentials"
        try "[default]\naws_access_key_id = AKIDCOMPAT\naws_secret_access_key = compat/Secret+Key\n".write(toFile: credentials, atomically: true, encoding: .utf8)
        chmod(credentials, 0o600)
        let (server, endpoint) = try serve(["--data", directory.path + "/data", "--credentials", credentials])
        let (status, output) = try runScript(["--endpoint", endpoint, "--access-key", "AKIDCOMPAT", "--secret-key", "compat/Secret+Key"])
        #expect(status == 0, "\(output)")
        #expect(stop(server) == 0)
    }
}
