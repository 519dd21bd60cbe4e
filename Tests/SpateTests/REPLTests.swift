// The SQL front of the `spate` command as a user drives it: `-c`, `-f`, a
// script on standard input, and the REPL on a pseudo-terminal (typed keys,
// .help, Ctrl-C, Ctrl-D, history across sessions).
//
// The pseudo-terminal is driven by a small Python script (the `pty` module):
// it starts `spate` on a new terminal, types, waits for expected text and
// reports the transcript and exit status. Waits have generous timeouts and
// tests never check how long anything took.

import Foundation
import Spate
import Testing

@Suite struct REPLTests {
    // MARK: scripts

    @Test func commandWithAParseErrorPrintsTheCaretOnStderrAndExits1() throws {
        let dir = TemporaryDirectory()
        let result = try Spate.run(["--data", dir.path + "/data", "-c", "SHOW STREAMS; SELEC 1;"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == """
            spate: error: line 1, column 15: expected a statement (SELECT, INSERT, CREATE, SHOW, ...), found 'SELEC'
            SHOW STREAMS; SELEC 1;
                          ^
            hint: did you mean SELECT?

            """)
        // A script that does not parse runs nothing, so it creates no data directory.
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/data"))
    }

    @Test func fileWithABadStatementNamesTheFileAndLine() throws {
        let dir = TemporaryDirectory()
        let file = dir.write("setup.sql", "-- set up\nSHOW STREAMS;\n\n  DESCRIBE;\n")
        let result = try Spate.run(["-f", file, "--data", dir.path + "/data"])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("spate: \(file): error: line 4, column 11: ") == true)
        #expect(lines.dropFirst().first == "  DESCRIBE;")
        #expect(lines.dropFirst(2).first == "          ^")
    }

    @Test func fileDashAndPipedStatementsReadStandardInput() throws {
        let dir = TemporaryDirectory()
        let dashed = try Spate.run(["--data", dir.path, "-f", "-"], input: "\nSELEC 1;\n")
        #expect(dashed.status == 1)
        #expect(dashed.stderr.hasPrefix("spate: error: line 2, column 1: "))
        let piped = try Spate.run(["--data", dir.path], input: "SHOW STREAMS;\n  SELEC 1;")
        #expect(piped.status == 1)
        #expect(piped.stderr.hasPrefix("spate: error: line 2, column 3: "))
    }

    @Test func blankScriptsSucceedWithoutCreatingADataDirectory() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        #expect(try Spate.run(["--data", data], input: "\n-- nothing to do\n/* still nothing */\n").status == 0)
        #expect(try Spate.run(["--data", data]).status == 0)  // standard input is /dev/null
        #expect(try Spate.run(["--data", data, "-c", " ;; "]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: data))
    }

    @Test func badInvocationsFailWithOneLine() throws {
        let dir = TemporaryDirectory()
        let missing = try Spate.run(["--data", dir.path, "-f", dir.path + "/nope.sql"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "spate: cannot open \(dir.path)/nope.sql: No such file or directory\n")
        // A file called like a subcommand is still a file.
        let named = try Spate.run(["--data", dir.path, "-f", "cat"])
        #expect(named.stderr.contains("cannot open cat"))
        #expect(try Spate.run(["-c", "SHOW STREAMS;", "-f", "x.sql"]).status != 0)
        let format = try Spate.run(["--format", "xml", "-c", "SHOW STREAMS;"])
        #expect(format.status != 0)
        #expect(format.stderr.contains("xml"))
    }

    @Test func versionPrintsOneLineAndAPipeGetsNoBanner() throws {
        let version = try Spate.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout == "spate \(SpateVersion.current)\n")
        let dir = TemporaryDirectory()
        let piped = try Spate.run(["--data", dir.path + "/data", "--format", "csv"], input: "SHOW STREAMS;\n")
        #expect(piped.status == 0)
        #expect(piped.lines.count == 1 && piped.lines[0].hasPrefix("stream,"), "\(piped.stdout)")
        #expect(piped.stderr.isEmpty)
    }

    // MARK: the REPL on a terminal

    @Test(.enabled(if: PseudoTerminal.isAvailable))
    func anInteractiveStartPrintsABannerWithVersionDataDirectoryAndHelp() throws {
        let dir = TemporaryDirectory()
        let session = try PseudoTerminal.run(["--data", dir.path + "/data"], history: "", steps: [
            .expect("Spate \(SpateVersion.current) on \(dir.path)/data. "), .expect(".help"), .expect("spate> "), .send("\u{04}"),
        ])
        #expect(session.error == nil, "\(session.transcript)")
        #expect(session.status == 0)
        #expect(session.transcript.components(separatedBy: "Spate \(SpateVersion.current)").count == 2, "one banner")
    }

    @Test(.enabled(if: PseudoTerminal.isAvailable))
    func helpListsStatementsAndCommandsAndControlDExits() throws {
        let dir = TemporaryDirectory()
        let session = try PseudoTerminal.run(["--data", dir.path + "/data"], history: dir.path + "/history", steps: [
            .expect("spate> "), .send(".help\r"), .expect("\\q"), .expect("spate> "), .send("\u{04}"),
        ])
        #expect(session.error == nil, "\(session.transcript)")
        #expect(session.status == 0)
        for text in ["CREATE STREAM", "INSERT INTO", "WINDOW TUMBLING", "EXPLAIN", "SHOW STREAMS", ".quit", ".format table|csv|json", "(now: table)"] {
            #expect(session.transcript.contains(text), "help lists \(text)")
        }
        // Nothing ran, so the data directory was never opened.
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/data"))
        #expect(try String(contentsOfFile: dir.path + "/history", encoding: .utf8) == ".help\n")
    }

    @Test(.enabled(if: PseudoTerminal.isAvailable))
    func controlCAtThePromptClearsTheLineAndDoesNotExit() throws {
        let dir = TemporaryDirectory()
        let session = try PseudoTerminal.run(["--data", dir.path], history: "", steps: [
            .expect("spate> "), .send("SELECT 1"), .send("\u{03}"), .expect("^C"),
            .expect("spate> "), .send("SELECT\r"), .expect("   ...> "), .send("\u{03}"), .expect("^C"),
            // Both the typed line and the unfinished statement are gone: this line stands alone.
            .expect("spate> "), .send(".format\r"), .expect("format: table"),
            .expect("spate> "), .send("\\q\r"),
        ])
        #expect(session.error == nil, "\(session.transcript)")
        #expect(session.status == 0)
    }

    @Test(.enabled(if: PseudoTerminal.isAvailable))
    func statementsSpanLinesAndErrorsReturnToThePrompt() throws {
        let dir = TemporaryDirectory()
        let session = try PseudoTerminal.run(["--data", dir.path + "/data"], history: "", steps: [
            .expect("spate> "), .send("SHOW STREAMS\r"), .expect("   ...> "), .send("-- not yet\r"),
            .expect("   ...> "), .send("; SELEC 1;\r"),
            .expect("error: line 3, column 3: "), .expect("hint: did you mean SELECT?"),
            .expect("spate> "), .send(".bogus\r"), .expect("unknown command '.bogus'"),
            .expect("spate> "), .send(".exit\r"),
        ])
        #expect(session.error == nil, "\(session.transcript)")
        #expect(session.status == 0)
    }

    @Test(.enabled(if: PseudoTerminal.isAvailable))
    func lineEditingKeysAndHistoryAcrossSessions() throws {
        let dir = TemporaryDirectory()
        let history = dir.path + "/history"
        // "format jxon", ← ←, ⌫, "s", Ctrl-A, "." → ".format json"
        let first = try PseudoTerminal.run(["--data", dir.path], history: history, steps: [
            .expect("spate> "), .send("format jxon\u{1B}[D\u{1B}[D\u{7F}s\u{01}.\r"),
            .expect("spate> "), .send(".format\r"), .expect("format: json"),
            .expect("spate> "), .send("\u{04}"),
        ])
        #expect(first.error == nil, "\(first.transcript)")
        #expect(first.status == 0)
        // A new session recalls it with Up (past the later `.format`).
        let second = try PseudoTerminal.run(["--data", dir.path], history: history, steps: [
            .expect("spate> "), .send("\u{1B}[A\u{1B}[A\r"),
            .expect("spate> "), .send(".format\r"), .expect("format: json"),
            .expect("spate> "), .send("\u{04}"),
        ])
        #expect(second.error == nil, "\(second.transcript)")
        #expect(second.status == 0)
    }

    @Test(.enabled(if: PseudoTerminal.isAvailable))
    func controlCCancelsARunningQueryAndTheREPLGoesOn() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let put = try Spate.run(["put", "tx", "--key", "userId", "--data", data], input: #"{"userId":"a","amount":1}"# + "\n")
        #expect(put.status == 0)
        let session = try PseudoTerminal.run(["--data", data], history: "", steps: [
            // No UNTIL: the query follows the live stream until cancelled.
            .expect("spate> "), .send("SELECT userId, amount FROM tx SINCE EARLIEST;\r"), .expect("userId"),
            .sleep(0.5), .send("\u{03}"), .expect("cancelled"),
            .expect("spate> "), .send(".format\r"), .expect("format: table"),
            .expect("spate> "), .send("\u{04}"),
        ])
        #expect(session.error == nil, "\(session.transcript)")
        #expect(session.status == 0)
    }
}

extension REPLTests {
    @Test(.enabled(if: PseudoTerminal.isAvailable))
    func controlCStopsAScriptWithItsSummaryAndStatus130() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let put = try Spate.run(["put", "tx", "--key", "userId", "--data", data], input: #"{"userId":"a","amount":1}"# + "\n")
        #expect(put.status == 0)
        let session = try PseudoTerminal.run(["--data", data, "--format", "csv", "-c", "SELECT userId FROM tx SINCE EARLIEST; SHOW STREAMS;"],
                                             history: "", steps: [.expect("userId"), .sleep(0.5), .send("\u{03}"), .expect("(cancelled: ")])
        #expect(session.error == nil, "\(session.transcript)")
        #expect(session.status == 130)
    }
}

/// Runs `spate` on a pseudo-terminal through python3's `pty` module.
enum PseudoTerminal {
    enum Step {
        case send(String)
        /// Waits for text after the previous match.
        case expect(String)
        case sleep(Double)

        var json: [String: Any] {
            switch self {
            case let .send(text): return ["send": text]
            case let .expect(text): return ["expect": text, "timeout": 20]
            case let .sleep(seconds): return ["sleep": seconds]
            }
        }
    }

    struct Session {
        var transcript: String
        /// Exit status; nil when the process had to be killed.
        var status: Int32?
        /// The first expectation that was not met.
        var error: String?
    }

    static let isAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
        || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/python3")
        || ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/python3")
        } == true

    /// Runs `spate arguments…` on a new terminal; `history` is $SPATE_HISTORY ("" for none).
    static func run(_ arguments: [String], history: String, steps: [Step]) throws -> Session {
        let dir = TemporaryDirectory()
        let script = dir.write("drive.py", driver)
        let config: [String: Any] = [
            "exe": Spate.executable.path, "args": arguments, "cwd": dir.path,
            "env": ["SPATE_HISTORY": history, "TERM": "xterm"], "steps": steps.map(\.json),
        ]
        let configText = String(decoding: try JSONSerialization.data(withJSONObject: config), as: UTF8.self)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, configText]
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let report = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any],
                                  "driver printed: \(String(decoding: data, as: UTF8.self))")
        return Session(transcript: report["transcript"] as? String ?? "",
                       status: (report["status"] as? NSNumber).map { Int32(truncating: $0) },
                       error: report["error"] as? String)
    }

    static let driver = #"""
        import json, os, pty, select, signal, struct, sys, time, fcntl, termios
        cfg = json.loads(sys.argv[1])
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(cfg["cwd"])
            env = dict(os.environ)
            env.update(cfg["env"])
            os.execve(cfg["exe"], [cfg["exe"]] + cfg["args"], env)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        buf, pos, error = b"", 0, None

        def pump(timeout):
            """Reads what is there; False on timeout, None once the terminal closed."""
            global buf
            ready, _, _ = select.select([fd], [], [], max(0, timeout))
            if not ready:
                return False
            try:
                data = os.read(fd, 65536)
            except OSError:
                return None
            if not data:
                return None
            buf += data
            return True

        for step in cfg["steps"]:
            if "send" in step:
                os.write(fd, step["send"].encode())
            elif "sleep" in step:
                time.sleep(step["sleep"])
            else:
                needle = step["expect"].encode()
                deadline = time.time() + step["timeout"]
                found = buf.find(needle, pos)
                while found < 0 and time.time() < deadline and pump(deadline - time.time()) is not None:
                    found = buf.find(needle, pos)
                if found < 0:
                    error = "timed out waiting for %r" % step["expect"]
                    break
                pos = found + len(needle)

        status = None
        deadline = time.time() + 20
        while time.time() < deadline:
            wpid, wstatus = os.waitpid(pid, os.WNOHANG)
            if wpid == pid:
                status = os.waitstatus_to_exitcode(wstatus)
                break
            if pump(0.05) is None:
                time.sleep(0.01)
        if status is None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        while pump(0.1) is True:
            pass
        print(json.dumps({"transcript": buf.decode("utf-8", "replace"), "status": status, "error": error}))
        """#
}
