// Owner-only by default (issue 14): under the common umask 022, the data
// directory and every directory in it are 0700 and every file Spate writes —
// catalog.sqlite and its -wal/-shm, catalog.lock, segments, indexes, manifests,
// append locks, the REPL history — is 0600; files an older version left 0644
// are tightened when opened for writing. And channel secrets are not printed
// back: SHOW CHANNELS masks header values, SELECT cannot read them.

import Foundation
import Spate
import Testing
@testable import spate

@Suite struct OwnerOnlyFilesTests {
    /// Runs `spate arguments…` through a shell with umask 022.
    @discardableResult
    func spate(_ arguments: [String], input: String = "") throws -> CommandResult {
        let quoted = ([Spate.executable.path] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        return try Shell.run("umask 022; exec " + quoted.joined(separator: " "), input: input)
    }

    /// Every path under `root` (itself included) with its permission bits.
    func modes(under root: String) throws -> [(String, Int)] {
        var found: [(String, Int)] = []
        let manager = FileManager.default
        func visit(_ path: String) throws {
            let attributes = try manager.attributesOfItem(atPath: path)
            found.append((path, (attributes[.posixPermissions] as? Int) ?? -1))
            if attributes[.type] as? FileAttributeType == .typeDirectory {
                for name in try manager.contentsOfDirectory(atPath: path) { try visit(path + "/" + name) }
            }
        }
        try visit(root)
        return found
    }

    func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }

    @Test func theDataDirectoryAndEveryFileInItAreOwnerOnlyUnderUmask022() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        try spate(["--data", data, "-c", "CREATE STREAM tx (userId STRING) WITH (shards = 2, key = 'userId'); INSERT INTO tx (userId) VALUES ('a');"])
        #expect(try spate(["put", "events", "--data", data], input: #"{"a":1}"# + "\n").status == 0)
        // A follower keeps the catalog open, so its -wal and -shm exist while we look.
        let quoted = "'" + Spate.executable.path + "' cat tx --follow --data '" + data + "'"
        let follower = try Shell.start("umask 022; exec " + quoted)
        defer {
            kill(follower.processIdentifier, SIGKILL)  // our own child; a reader loses nothing
            follower.waitUntilExit()
        }
        try spate(["--data", data, "-c", "INSERT INTO tx (userId) VALUES ('b');"])
        // Look once the follower has the catalog open (it may still be starting).
        _ = eventually(10) { FileManager.default.fileExists(atPath: data + "/catalog.sqlite-shm") }
        let found = try modes(under: data)
        let names = Set(found.map { ($0.0 as NSString).lastPathComponent })
        #expect(names.isSuperset(of: ["catalog.sqlite", "catalog.sqlite-wal", "catalog.sqlite-shm", "catalog.lock", "append.lock"]), "\(names)")
        #expect(found.contains { $0.0.hasSuffix(".log") })
        for (path, mode) in found {
            #expect(mode == (isDirectory(path) ? 0o700 : 0o600), "\(path) is \(String(mode, radix: 8))")
        }
    }

    @Test func filesAnOlderVersionLeftReadableAreTightened() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        #expect(try spate(["put", "events", "--data", data], input: #"{"a":1}"# + "\n").status == 0)
        let segments = try modes(under: data).map(\.0).filter { $0.hasSuffix(".log") }
        for path in segments + [data + "/catalog.sqlite"] { chmod(path, 0o644) }
        chmod(data, 0o755)
        #expect(try spate(["put", "events", "--data", data], input: #"{"a":2}"# + "\n").status == 0)
        for path in segments + [data + "/catalog.sqlite"] {
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(path)")
        }
        #expect(try FileManager.default.attributesOfItem(atPath: data)[.posixPermissions] as? Int == 0o700, "the data directory")
        // So is an empty directory made beforehand and given as --data.
        let chosen = dir.path + "/chosen"
        mkdir(chosen, 0o755)
        chmod(chosen, 0o755)
        #expect(try spate(["put", "events", "--data", chosen], input: #"{"a":1}"# + "\n").status == 0)
        #expect(try FileManager.default.attributesOfItem(atPath: chosen)[.posixPermissions] as? Int == 0o700)
    }

    @Test func theREPLHistoryIsOwnerOnlyWhateverItsModeWas() throws {
        let dir = TemporaryDirectory()
        let path = dir.path + "/history"
        FileManager.default.createFile(atPath: path, contents: Data(), attributes: [.posixPermissions: 0o644])
        var history = History.load(path: path)
        history.add("CREATE CHANNEL ops TYPE WEBHOOK WITH (url = 'http://127.0.0.1:9/x', headers = 'Authorization: Bearer s3cret');")
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
    }

    @Test func channelHeaderValuesAreNeverPrintedBack() throws {
        let f = try SQLFixture()
        try f.run("CREATE CHANNEL ops TYPE WEBHOOK WITH (url = 'http://127.0.0.1:9/alerts', headers = 'Authorization: Bearer abcdef123; X-Team: fraud');")
        let shown = try f.run("SHOW CHANNELS;")
        #expect(shown.columns.last?.name == "headers")
        #expect(shown.rows.first?[9] == .string("json") && shown.rows.first?[10] == .null, "format and ca_file")
        #expect(shown.rows.first?.last == .string("Authorization: ***; X-Team: ***"))
        let everything = try f.run("SELECT * FROM channels;")
        #expect(!"\(everything.rows)".contains("abcdef123"))
        #expect(!everything.columns.map(\.name).contains("headers"))
        #expect(throws: SpateError.self) { try f.run("SELECT headers FROM channels;") }
        #expect(throws: SpateError.self) { try f.run("SELECT name FROM channels WHERE definition LIKE '%Bearer%';") }
    }
}

/// `/bin/sh -c script`, for a command that needs a shell setting such as umask.
enum Shell {
    static func start(_ script: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func run(_ script: String, input: String) throws -> CommandResult {
        try Spate.shell(script, input: input)
    }
}
