// The `spate` command: wiring and presentation only. Each subcommand lives in
// its own file; what they do is in the `Spate` library.
//
// Without a subcommand, `spate` runs SQL: `-c "…"` or `-f file.sql` (`-` for
// standard input) run a script and exit; otherwise statements piped to
// standard input are the script, and a terminal on standard input gets the REPL.
//
// --format defaults to table wherever output goes, as psql and sqlite3 print the
// same thing to a terminal and to a pipe: what a user sees is what a script gets,
// and machine formats are asked for by name (--format csv|json).

import ArgumentParser
import Spate
import SpateLog

#if canImport(Glibc)
import Glibc
#endif

@main
struct SpateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spate",
        abstract: "An embedded, persistent event store that watches its streams.",
        discussion: """
            The data directory is --data DIR, else $SPATE_DATA, else ./spate-data.
            Options may come before or after the subcommand: `spate --data d put tx` = `spate put tx --data d`.
            Without a subcommand: -c runs statements and -f a script file; statements \
            piped in run as a script; a terminal gets the interactive shell (REPL).
            """,
        version: "spate \(SpateVersion.current)",
        subcommands: [PutCommand.self, CatCommand.self, GenerateCommand.self, DemoCommand.self, StreamCommand.self, RunCommand.self, ServeCommand.self, DashboardCommand.self, MetricsCommand.self, ImportCommand.self, ExportCommand.self]
            + [PlanCommand.self, ApplyCommand.self, DestroyCommand.self]  // StackCommands.swift
            + [LogsCommand.self]  // LogsCommand.swift
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: [.customShort("c"), .customLong("command")], parsing: .unconditional,
            help: ArgumentHelp("Run these SQL statements, print their results and exit.", valueName: "sql"))
    var command: String?

    @Option(name: [.customShort("f"), .customLong("file")],
            help: ArgumentHelp("Run the SQL statements in this file ('-': standard input) and exit.", valueName: "file"))
    var file: String?

    @Option(name: .long, help: "How results print: table, csv or json (one object a line).")
    var format: OutputFormat = .table

    @Option(name: .long, help: ArgumentHelp("Threads a bounded query over several shards may use (default: the cores; SET threads = n in SQL).", valueName: "n"))
    var threads: Int?

    func validate() throws {
        if command != nil && file != nil { throw ValidationError("give -c or -f, not both") }
        if let threads, threads < 1 || threads > 64 { throw ValidationError("--threads takes a whole number from 1 to 64") }
    }

    func run() throws {
        StatementRunner.threads = threads
        let status: Int32
        if let command {
            status = ScriptRunner.run(command, origin: nil, format: format, dataDirectory: global.data)
        } else if let file {
            let script = try ScriptInput.read(path: file)
            status = ScriptRunner.run(script, origin: file == "-" ? nil : file, format: format, dataDirectory: global.data)
        } else if isatty(0) == 1 {
            status = REPL(dataDirectory: global.data, format: format).run()
        } else {
            status = ScriptRunner.run(try ScriptInput.read(path: "-"), origin: nil, format: format, dataDirectory: global.data)
        }
        FileOutput.standardOutput.flush()
        Glibc.exit(status)
    }

    /// Options of the root command that take a value: their value is never a subcommand.
    static let optionsTakingValue: Set<String> = ["--data", "--format", "-c", "--command", "-f", "--file"]

    /// Moves options given before the subcommand (`spate --data d put …`) after
    /// it, where ArgumentParser looks for them.
    static func normalizedArguments(_ arguments: [String]) -> [String] {
        let subcommands = Set(configuration.subcommands.map { $0._commandName })
        var leading: [String] = []
        var i = 0
        while i < arguments.count, !subcommands.contains(arguments[i]) {
            leading.append(arguments[i])
            if optionsTakingValue.contains(arguments[i]), i + 1 < arguments.count {
                leading.append(arguments[i + 1])  // `spate -f cat` runs a file called cat
                i += 1
            }
            i += 1
        }
        guard i < arguments.count else { return arguments }
        return [arguments[i]] + arguments[(i + 1)...] + leading
    }

    /// The root takes `-f`/`--file` (a script to run), and ArgumentParser
    /// gives a name that a subcommand also declares to the root — `spate put
    /// tx --file x.jsonl` read standard input. After a subcommand with a file
    /// of its own they are renamed to that subcommand's second name for it.
    static let subcommandFileOptions = ["put": "--input-file", "plan": "--stack-file", "apply": "--stack-file", "destroy": "--stack-file"]

    static func givingFileOptionToSubcommand(_ arguments: [String]) -> [String] {
        guard let first = arguments.first, let name = subcommandFileOptions[first] else { return arguments }
        return arguments.map { argument in
            if argument == "-f" || argument == "--file" { return name }
            if argument.hasPrefix("--file=") { return name + "=" + argument.dropFirst("--file=".count) }
            return argument
        }
    }

    static func main() {
        let arguments = givingFileOptionToSubcommand(normalizedArguments(Array(CommandLine.arguments.dropFirst())))
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let error as SpateError {
            Terminal.fail(error.description)
        } catch let error as LogError {
            Terminal.fail(error.description)
        } catch {
            exit(withError: error)
        }
    }
}

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The data directory (default: $SPATE_DATA, else ./spate-data).")
    var data: String?

    func open() throws -> Database {
        try Database.open(data, options: LogOptions(onRecovery: Terminal.reportRecovery))
    }
}
