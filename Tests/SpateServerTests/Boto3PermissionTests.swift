// Least privilege end to end (issue 19): the built `spate serve` with a
// credentials file of four principals, driven by real boto3 clients of each
// (Tests/compat/kinesis_permissions_test.py: every Kinesis operation allowed
// for one principal and denied for another with AccessDeniedException, and the
// dashboard's routes over HTTP Basic). Also: `spate serve` refuses a
// credentials file its group may read, and a bad `allow` line, with one line.
// The boto3 test is skipped, with a message, only when boto3 is not importable.

import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(.serialized) struct Boto3PermissionTests {
    static let credentialsFile = """
        # Issue 19's principals: each key may do only what its allow line says.
        [ops]
        aws_access_key_id = AKIDOPS
        aws_secret_access_key = ops/Secret+1
        allow = admin on transactions*

        [producer]
        aws_access_key_id = AKIDPRODUCER
        aws_secret_access_key = producer/Secret+1
        allow = write on transactions*

        [consumer]
        aws_access_key_id = AKIDCONSUMER
        aws_secret_access_key = consumer/Secret+1
        allow = read on transactions*

        [dashboard]
        aws_access_key_id = AKIDDASHBOARD
        aws_secret_access_key = dashboard/Secret+1
        allow = read on *

        """

    /// Runs `spate arguments…` to the end: status and everything it printed (stdout, then stderr).
    func spate(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = Boto3CompatibilityTests.spate
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let printed = out.fileHandleForReading.readDataToEndOfFile()
        let complaint = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: printed, as: UTF8.self), String(decoding: complaint, as: UTF8.self))
    }

    func writeCredentials(_ text: String, to path: String, mode: mode_t) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, mode)
    }

    @Test(.enabled(if: Boto3CompatibilityTests.boto3Available, "boto3 is not importable: `pip install boto3` to run the permission test"))
    func everyOperationAndRouteChecksThePrincipalsGrants() throws {
        let directory = TemporaryDirectory()
        let data = directory.path + "/data"
        let setup = try spate(["--data", data, "-c", """
            CREATE STREAM transactions (userId STRING, amount DOUBLE) WITH (shards = 2, key = 'userId');
            CREATE STREAM orders (id STRING, total DOUBLE);
            CREATE JOB tx_big WITH (alerts = true) AS SELECT userId, amount FROM transactions SINCE EARLIEST WHERE amount > 1000000;
            CREATE JOB orders_big WITH (alerts = true) AS SELECT id, total FROM orders SINCE EARLIEST WHERE total > 1000000;
            INSERT INTO transactions (userId, amount) VALUES ('u9', 2000000);
            INSERT INTO orders (id, total) VALUES ('o1', 3000000);
            """])
        #expect(setup.status == 0, "\(setup.stdout)\(setup.stderr)")
        let credentials = directory.path + "/credentials"
        try writeCredentials(Self.credentialsFile, to: credentials, mode: 0o600)
        let compatibility = Boto3CompatibilityTests()
        let (server, endpoint) = try compatibility.serve(["--data", data, "--credentials", credentials])
        let script = Boto3CompatibilityTests.packageRoot.appendingPathComponent("Tests/compat/kinesis_permissions_test.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "--endpoint", endpoint]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains("ok: every operation and route allowed and denied as granted"), "\(output)")
        #expect(compatibility.stop(server) == 0)
    }

    @Test func serveRefusesACredentialsFileItsGroupMayRead() throws {
        let directory = TemporaryDirectory()
        let credentials = directory.path + "/credentials"
        for mode: mode_t in [0o640, 0o604, 0o620] {
            try writeCredentials(Self.credentialsFile, to: credentials, mode: mode)
            let result = try spate(["serve", "--listen", "127.0.0.1:0", "--data", directory.path + "/data", "--credentials", credentials])
            #expect(result.status != 0)
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(result.stderr)")
            #expect(result.stderr.contains("chmod 600 \(credentials)"), "\(result.stderr)")
            #expect(!result.stdout.contains("listening"))
        }
    }

    @Test func serveRefusesABadAllowLineWithItsLineNumber() throws {
        let directory = TemporaryDirectory()
        let credentials = directory.path + "/credentials"
        let bad = Self.credentialsFile.replacingOccurrences(of: "allow = write on transactions*", with: "allow = append on transactions*")
        try writeCredentials(bad, to: credentials, mode: 0o600)
        let result = try spate(["serve", "--listen", "127.0.0.1:0", "--data", directory.path + "/data", "--credentials", credentials])
        #expect(result.status != 0)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains("\(credentials) line 10: unknown action 'append' (read, write or admin)"), "\(result.stderr)")
    }
}
