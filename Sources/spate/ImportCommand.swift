// `spate import kda app.sql [--input-stream NAME] [--since earliest] [--apply]`:
// translates a Kinesis Data Analytics SQL application into Spate statements
// (KDATranslator, in the facade) and prints them, with a comment for every
// construct it could not translate and why; `--apply` then runs them against
// the data directory. The input stream's declared columns, when it exists,
// tell RANDOM_CUT_FOREST over `SELECT *` which columns are numeric.

import ArgumentParser
import Spate
import SpateSQL

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Translate an application from another engine into Spate statements.",
        subcommands: [ImportKDACommand.self]
    )
}

struct ImportKDACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kda",
        abstract: "Translate a Kinesis Data Analytics SQL application (streams, pumps, windows, RANDOM_CUT_FOREST).",
        discussion: """
            Prints the Spate statements; a construct without a Spate counterpart (sliding windows, HOTSPOTS, \
            reference tables) becomes a comment saying why. SOURCE_SQL_STREAM_001 becomes --input-stream.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The application's SQL file.") var file: String
    @ArgumentParser.Option(name: .long, help: "The Spate stream that receives SOURCE_SQL_STREAM_001's records.") var inputStream = "source_sql_stream_001"
    @ArgumentParser.Option(name: .long, help: "Where the jobs start: earliest (KDA's TRIM_HORIZON) or a time; by default the end of the stream (NOW).")
    var since: String?
    @Flag(name: .long, help: "Create the translated streams and jobs in the data directory.") var apply = false

    func run() throws {
        let source = try ScriptInput.read(path: file)
        let database = try global.open()
        let columns = (try? database.streamDefinition(inputStream))??.columns.map { ($0.name, $0.type.rawValue) } ?? []
        var translator = KDATranslator(inputStream: inputStream, inputColumns: columns,
                                       since: since.map { $0.lowercased() == "earliest" ? "EARLIEST" : "'\($0)'" })
        let translation: KDATranslation
        do { translation = try translator.translate(source) } catch { throw ValidationError("\(file): \(error.description)") }
        FileOutput.standardOutput.write(translation.script)
        FileOutput.standardOutput.flush()
        guard apply else { return }
        guard (try? database.stream(inputStream)) != nil else {
            throw ValidationError("stream '\(inputStream)' (the application's SOURCE_SQL_STREAM_001) does not exist; create it first (CREATE STREAM \(inputStream) (…) or spate stream create \(inputStream)), then run again with --apply")
        }
        let session = Session(database: database)
        let messages = AppliedMessages()
        for statement in translation.statements {
            try session.execute(script: statement, sink: messages)
        }
        FileOutput.standardError.write(messages.lines.map { $0 + "\n" }.joined())
        FileOutput.standardError.flush()
    }
}

/// Collects what the applied statements say (created stream …, created job …).
private final class AppliedMessages: ResultSink {
    var lines: [String] = []
    func begin(columns: [ResultColumn]) {}
    func row(_ values: [Value]) {}
    func end(_ summary: QuerySummary) {}
    func message(_ text: String) { lines.append(text) }
}
