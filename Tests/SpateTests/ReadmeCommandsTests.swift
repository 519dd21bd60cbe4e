// The README works from a fresh clone, with nothing beside it: no line of
// README.md or of a file in examples/ reaches outside the repository (a `../`
// path, the development workspace's shared directory), and the commands of
// "A first session" run, in order, in a new empty directory, against the
// built `spate` — the sample data made by `spate generate` (at a smaller count,
// to stay fast), put into a stream, and the query the README shows, piped to
// `spate` as a user would type it at the prompt.

import Foundation
import Testing

@Suite struct ReadmeCommandsTests {
    static let outsideReferences = ["../", "/work/shared", "shared/data"]
    /// `--count` of the first session's `spate generate`, at most.
    static let sampleCountMax = 20_000

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: ReadmeExamplesTests.packageRoot.appendingPathComponent(relativePath), encoding: .utf8)
    }

    @Test func noLineOfTheReadmeOrTheExamplesReachesOutsideTheRepository() throws {
        let examples = ReadmeExamplesTests.packageRoot.appendingPathComponent("examples")
        let names = try FileManager.default.subpathsOfDirectory(atPath: examples.path).sorted()
        var files = ["README.md"]
        for name in names {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: examples.path + "/" + name, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append("examples/" + name)
            }
        }
        #expect(files.count >= 4, "README.md and the examples: \(files)")
        for file in files {
            for (index, line) in try Self.text(file).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                for reference in Self.outsideReferences where line.contains(reference) {
                    Issue.record("\(file):\(index + 1) reaches outside the repository (\(reference)): \(line)")
                }
            }
        }
    }

    /// The section `## A first session`: its shell lines and the statements its transcript types.
    struct FirstSession {
        var commands: [String] = []
        var statements: [String] = []
        /// The header row the transcript shows, as column names.
        var headerColumns: [String] = []
    }

    static func firstSession() throws -> FirstSession {
        let readme = try text("README.md")
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex(of: "## A first session"), "README has a first session")
        var session = FirstSession()
        var block: String?  // the info string of the fenced block we are in
        var statement: [String] = []
        for line in lines[(start + 1)...] {
            if block == nil, line.hasPrefix("## ") { break }
            if line.hasPrefix("```") {
                block = block == nil ? String(line.dropFirst(3)) : nil
                continue
            }
            guard let kind = block else { continue }
            if kind == "sh" {
                let command = line.split(separator: "#", maxSplits: 1).first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
                if !command.isEmpty { session.commands.append(command) }
            } else if kind.isEmpty {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("spate> ") || trimmed.hasPrefix("...> ") {
                    statement.append(String(trimmed.drop { $0 != ">" }.dropFirst()))
                    if trimmed.hasSuffix(";") { session.statements.append(statement.joined(separator: "\n")); statement = [] }
                } else if session.headerColumns.isEmpty, trimmed.contains("|") {
                    session.headerColumns = trimmed.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                }
            }
        }
        return session
    }

    @Test func theFirstSessionRunsInAFreshDirectory() throws {
        let session = try Self.firstSession()
        #expect(session.commands.count >= 3, "\(session.commands)")
        #expect(!session.statements.isEmpty)
        #expect(!session.headerColumns.isEmpty)
        let dir = TemporaryDirectory()
        let spate = "'" + Spate.executable.path + "'"
        for command in session.commands {
            #expect(command.hasPrefix("swift run spate"), "a first-session command runs spate: \(command)")
            var shell = spate + command.dropFirst("swift run spate".count)
            if let count = shell.firstMatch(of: /--count (\d+)/), let n = Int(count.1), n > Self.sampleCountMax {
                shell.replaceSubrange(count.range, with: "--count \(Self.sampleCountMax)")
            }
            // `spate` alone is the REPL: given the transcript's statements, as typed at its prompt.
            let isREPL = command == "swift run spate"
            let result = try Self.shell(shell, in: dir.path, input: isREPL ? session.statements.joined(separator: "\n") + "\n" : "")
            #expect(result.status == 0, "`\(command)` failed: \(result.stderr)")
            if isREPL {
                let lines = result.stdout.split(separator: "\n").map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
                #expect(lines.contains(session.headerColumns), "the header the README shows: \(result.stdout)")
                #expect(result.stdout.contains(" rows, ") || result.stdout.contains(" row, "), "\(result.stdout)")
            }
        }
        #expect(session.commands.contains("swift run spate"), "the session opens the REPL")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/spate-data"), "in ./spate-data")
    }

    /// Runs `command` with /bin/sh in `directory`, without $SPATE_DATA.
    static func shell(_ command: String, in directory: String, input: String) throws -> CommandResult {
        var environment = ProcessInfo.processInfo.environment
        environment["SPATE_DATA"] = nil
        environment["HOME"] = directory
        return try Spate.shell(command, input: input, in: directory, environment: environment)
    }
}
