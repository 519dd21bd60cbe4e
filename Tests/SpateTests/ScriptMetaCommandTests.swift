// Meta-commands in scripts: `.quit`, `.exit`, `\q`, `.format`, `.help`, `\?`
// work through a pipe, `-f` and `-c` exactly as typed in the REPL; a line that
// starts with `.` inside a statement or a string stays SQL; errors keep the
// script's line numbers.

import Foundation
import Testing
@testable import spate

@Suite struct ScriptMetaCommandTests {
    @Test func quitEndsAPipedScriptWithStatusZero() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let piped = try Spate.run(["--data", data], input: "SHOW STREAMS;\n.quit\nSELEC 1;\n")
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stderr.isEmpty)
        #expect(piped.lines.first?.hasPrefix(" stream ") == true)
        for spelling in [".exit", "\\q", ".quit;", "   .QUIT", "\\quit\r"] {
            let result = try Spate.run(["--data", data], input: "\(spelling)\nCREATE STREAM after_quit (a BIGINT);\n")
            #expect(result.status == 0, "\(spelling): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(spelling)")
        }
        #expect(!(try Spate.run(["--data", data, "-c", "SHOW STREAMS;"]).stdout.contains("after_quit")))
    }

    @Test func formatSwitchesTheResultsAfterItInAFile() throws {
        let dir = TemporaryDirectory()
        let file = dir.write("script.sql", """
            CREATE STREAM s (a BIGINT, b STRING);
            INSERT INTO s (a, b) VALUES (1, 'x');
            .format csv
            SELECT a, b FROM s SINCE EARLIEST UNTIL NOW;
            .format json
            .format
            SELECT a, b FROM s SINCE EARLIEST UNTIL NOW;
            \\q
            """)
        let result = try Spate.run(["--data", dir.path + "/data", "-f", file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines == ["created stream s (1 shard)", "inserted 1 record into s", "a,b", "1,x",
                                 "format: json", #"{"a":1,"b":"x"}"#])
    }

    @Test func helpInACommandShowsTheCurrentFormat() throws {
        let dir = TemporaryDirectory()
        let result = try Spate.run(["--data", dir.path + "/data", "-c", ".format csv\n\\?"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("CREATE STREAM"))
        #expect(result.stdout.contains(".format table|csv|json     how results print (now: csv)"))
        #expect(!result.stdout.contains("(now: .format)"))
        // Commands alone never open the data directory.
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/data"))
    }

    @Test func anUnknownCommandFailsTheScriptBeforeAnythingRuns() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let piped = try Spate.run(["--data", data], input: "CREATE STREAM s (a BIGINT);\n.frobnicate\n")
        #expect(piped.status == 1)
        #expect(piped.stderr == "spate: error: line 2: unknown command '.frobnicate'; .help lists the commands\n")
        #expect(!FileManager.default.fileExists(atPath: data))
        let file = dir.write("bad.sql", "\n.format xml\n")
        let named = try Spate.run(["--data", data, "-f", file])
        #expect(named.stderr == "spate: \(file): error: line 2: usage: .format table|csv|json\n")
    }

    @Test func aDotLineInsideAStatementOrStringIsSQLAndLinesKeepTheirNumbers() throws {
        let dir = TemporaryDirectory()
        let data = dir.path + "/data"
        let inString = try Spate.run(["--data", data, "--format", "csv", "-c", "SELECT 'a\n.quit\n' AS t;\n.quit"])
        #expect(inString.status == 0, "\(inString.stderr)")
        #expect(inString.stdout == "t\n\"a\n.quit\n\"\n")
        let inStatement = try Spate.run(["--data", data], input: "SELECT 1\n.5 AS x;\n")
        #expect(inStatement.status == 1)
        #expect(inStatement.stderr.hasPrefix("spate: error: line 2, column "), "\(inStatement.stderr)")
        let afterCommand = try Spate.run(["--data", data], input: ".format csv\n\n  SELEC 1;\n")
        #expect(afterCommand.stderr.hasPrefix("spate: error: line 3, column 3: "), "\(afterCommand.stderr)")
    }

    @Test func scriptPartsCutAtCommandsBetweenStatementsOnly() {
        #expect(ScriptParts.split("SHOW STREAMS;\r\n.format csv\r\nSHOW JOBS;\r\n") == [
            .sql("SHOW STREAMS;\r"), .command(.format(.csv), line: 2), .sql("\n\nSHOW JOBS;\r\n"),
        ])
        #expect(ScriptParts.split("/* a\n.quit */ SHOW STREAMS;") == [.sql("/* a\n.quit */ SHOW STREAMS;")])
        #expect(ScriptParts.split("-- note\n\\q") == [.command(.quit, line: 2)])
    }
}
