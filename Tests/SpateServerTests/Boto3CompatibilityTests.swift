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
