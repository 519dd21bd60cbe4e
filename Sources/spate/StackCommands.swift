// `spate plan`, `spate apply` and `spate destroy`: a stack file (CREATE
// statements) deployed the way a CDK or Terraform user deploys one — diffed
// against the data directory, applied after a confirmation, torn down. The
// facade (Sources/Spate/Stack) plans and applies; this prints and asks.
//
// Exit status: plan 0 when there is nothing to change, 2 when there is
// (terraform plan -detailed-exitcode), 1 on an error; apply and destroy 0 when
// done (or nothing to do), 1 on an error, a refusal, or a "no" at the prompt.
// Apply and destroy ask on a terminal unless --yes, and refuse without --yes
// when standard input is not a terminal (nobody could have read the plan).

import ArgumentParser
import Spate
import SpateLog

#if canImport(Glibc)
import Glibc
#endif

/// The options naming a stack: its file and its name.
struct StackOptions: ParsableArguments {
    @Option(name: [.customShort("f"), .customLong("file"), .customLong("stack-file")],
            help: ArgumentHelp("The stack file: CREATE STREAM, SINK, CHANNEL, JOB and ALARM statements.", valueName: "file"))
    var file: String

    @Option(name: .customLong("stack"),
            help: ArgumentHelp("The stack's name (default: the file's name without .sql); apply records its objects in <data>/stacks/NAME.objects.", valueName: "name"))
    var stackName: String?

    var name: String { stackName ?? (file == "-" ? "stdin" : StackRecord.stackName(forFile: file)) }

    func validate() throws {
        if let stackName, let problem = StackRecord.problem(withName: stackName) { throw ValidationError("--stack: \(problem)") }
    }

    /// Reads and parses the file; its errors (and the plan's, which point into it) name it.
    func read() throws -> StackFile {
        let text = try ScriptInput.read(path: file)
        return try named { () throws(SpateError) in try StackFile.parse(text) }
    }

    /// Runs `body`, prefixing a SQL error (which points into the file) with the file's name.
    func named<T>(_ body: () throws(SpateError) -> T) throws -> T {
        do throws(SpateError) {
            return try body()
        } catch {
            if case .sql = error { Terminal.fail("\(file == "-" ? "standard input" : file): \(error.description)") }
            throw error
        }
    }

    /// Asks `question` on a terminal; refuses without one. Returns whether the answer was `yes`.
    static func confirm(_ question: String, action: String) -> Bool {
        guard isatty(0) == 1 else {
            Terminal.fail("\(action) changes the data directory: give --yes to \(action) without a terminal to confirm on")
        }
        Terminal.error("\(question) Only 'yes' is accepted: ", newline: false)
        return readLine().map { String($0.filter { $0 != " " && $0 != "\t" }) } == "yes"
    }
}

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what apply would change to make the data directory match a stack file.",
        discussion: """
            One line per change: + create, ~ alter (with the settings that differ), -/+ replace \
            (a job whose query changed: what state it loses), - drop (with --prune: objects an \
            earlier apply of this stack made that the file no longer declares), then a summary. \
            Changes nothing (a data directory that does not exist is not created). \
            Exit status: 0 no changes, 2 changes, 1 error.
            """
    )

    @OptionGroup var stack: StackOptions
    @Flag(help: "Also drop the stack's objects that the file no longer declares.") var prune = false
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let file = try stack.read()
        let plan = try stack.named { () throws(SpateError) in
            try StackPlan.make(file, dataDirectory: global.data, stack: stack.name, prune: prune,
                               options: LogOptions(onRecovery: Terminal.reportRecovery))
        }
        print(plan.text, terminator: "")
        if !plan.isEmpty { throw ExitCode(2) }
    }
}

struct ApplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply",
        abstract: "Make the data directory match a stack file (prints the plan, asks, applies).",
        discussion: """
            Makes exactly the changes `spate plan` prints: drops first (reverse dependency order), \
            then creates and alters. A plan that would replace a stream (deleting its records) is \
            refused: drop the stream yourself, then apply. Asks on a terminal unless --yes; \
            without a terminal, --yes is required. Exit status: 0 done, 1 error or refused.
            """
    )

    @OptionGroup var stack: StackOptions
    @Flag(help: "Also drop the stack's objects that the file no longer declares.") var prune = false
    @Flag(name: [.customShort("y"), .long], help: "Do not ask.") var yes = false
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let file = try stack.read()
        let options = LogOptions(onRecovery: Terminal.reportRecovery)
        // Planned without opening (a directory that does not exist is not
        // made for a plan the user then turns down), planned again once open.
        let plan = try stack.named { () throws(SpateError) in
            try StackPlan.make(file, dataDirectory: global.data, stack: stack.name, prune: prune, options: options)
        }
        print(plan.text, terminator: "")
        if !plan.refusals.isEmpty {
            Terminal.fail("apply refuses this plan (see the lines starting with !); nothing changed")
        }
        if !plan.isEmpty && !yes {
            guard StackOptions.confirm("Apply these changes to \(global.data ?? Database.defaultDataDirectory())?", action: "apply") else {
                Terminal.fail("apply cancelled; nothing changed")
            }
        }
        let database = try Database.open(global.data, options: options)
        let current = try stack.named { () throws(SpateError) in try database.planStack(file, stack: stack.name, prune: prune) }
        guard current.text == plan.text else {
            Terminal.fail("the data directory changed while you were reading the plan; nothing changed: run apply again")
        }
        try apply(current, file: file, database: database)
    }

    private func apply(_ plan: StackPlan, file: StackFile, database: Database) throws {
        do {
            let result = try database.applyStack(plan, file: file, stack: stack.name) { print("  " + $0) }
            if !plan.isEmpty { print(result.summary) }
        } catch {
            print("apply stopped at an error: the changes above were made; `spate plan` shows what is left")
            throw error
        }
    }
}

struct DestroyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destroy",
        abstract: "Drop every object of a stack (asks first), jobs before what they use.",
        discussion: """
            Drops what the file declares and what earlier applies of the stack recorded, in reverse \
            dependency order: alarms, jobs, channels, sinks, then streams (with their records). \
            Asks on a terminal unless --yes; without a terminal, --yes is required.
            """
    )

    @OptionGroup var stack: StackOptions
    @Flag(name: [.customShort("y"), .long], help: "Do not ask.") var yes = false
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let file = try stack.read()
        let directory = global.data ?? Database.defaultDataDirectory()
        guard access(directory, F_OK) == 0 else {
            print("Nothing to destroy: \(directory) does not exist.")
            return
        }
        let database = try global.open()
        let plan = try database.planStackDestroy(file, stack: stack.name)
        guard !plan.isEmpty else {
            try database.applyStack(plan, file: file, stack: stack.name) { _ in }  // forgets the record
            print("Nothing to destroy: no object of the stack exists.")
            return
        }
        print(plan.text, terminator: "")
        if !plan.refusals.isEmpty {
            Terminal.fail("destroy refuses (see the lines starting with !); nothing changed")
        }
        if !yes {
            guard StackOptions.confirm("Destroy these objects of \(database.dataDirectory)?", action: "destroy") else {
                Terminal.fail("destroy cancelled; nothing changed")
            }
        }
        do {
            let result = try database.applyStack(plan, file: file, stack: stack.name) { print("  " + $0) }
            print("Destroy complete: \(result.dropped) dropped.")
        } catch {
            print("destroy stopped at an error: the drops above were made; run destroy again after fixing it")
            throw error
        }
    }
}
