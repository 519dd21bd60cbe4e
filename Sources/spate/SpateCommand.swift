// The `spate` command: wiring and presentation only. Each subcommand lives in
// its own file; what they do is in the `Spate` library.

import ArgumentParser
import Spate

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
            """,
        subcommands: [PutCommand.self, CatCommand.self, StreamCommand.self]
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        print(SpateCommand.helpMessage())
    }

    /// Moves options given before the subcommand (`spate --data d put …`) after
    /// it, where ArgumentParser looks for them.
    static func normalizedArguments(_ arguments: [String]) -> [String] {
        let subcommands = Set(configuration.subcommands.map { $0._commandName })
        var leading: [String] = []
        var i = 0
        while i < arguments.count, !subcommands.contains(arguments[i]) {
            leading.append(arguments[i])
            i += 1
        }
        guard i < arguments.count else { return arguments }
        return [arguments[i]] + arguments[(i + 1)...] + leading
    }

    static func main() {
        let arguments = normalizedArguments(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let error as SpateError {
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
        try Database.open(data)
    }
}
