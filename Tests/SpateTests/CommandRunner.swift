// Runs the built `spate` executable as a user would, through pipes.

import Foundation
import Testing

struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
}

enum Spate {
    static var productsDirectory: URL { URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent() }
    static var executable: URL { productsDirectory.appendingPathComponent("spate") }

    /// Starts `spate arguments…`, with `input` on standard input and
    /// `environment` added to this process's.
    static func start(_ arguments: [String], input: Data? = nil, inputFile: String? = nil,
                      environment: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if let inputFile {
            process.standardInput = FileHandle(forReadingAtPath: inputFile)
        } else if let input {
            let pipe = Pipe()
            process.standardInput = pipe
            try process.run()
            pipe.fileHandleForWriting.write(input)
            try pipe.fileHandleForWriting.close()
            return (process, out, err)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        return (process, out, err)
    }

    /// Runs `spate arguments…` to completion.
    @discardableResult
    static func run(_ arguments: [String], input: String? = nil, inputFile: String? = nil,
                    environment: [String: String] = [:]) throws -> CommandResult {
        let (process, out, err) = try start(arguments, input: input.map { Data($0.utf8) }, inputFile: inputFile, environment: environment)
        return collect(process, out: out, err: err)
    }

    /// Runs `script` with /bin/sh (in `directory`, with `environment` when given), `input` on standard input.
    static func shell(_ script: String, input: String, in directory: String? = nil,
                      environment: [String: String]? = nil) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment { process.environment = environment }
        let inputPipe = Pipe(), out = Pipe(), err = Pipe()
        process.standardInput = inputPipe
        process.standardOutput = out
        process.standardError = err
        try process.run()
        inputPipe.fileHandleForWriting.write(Data(input.utf8))
        try inputPipe.fileHandleForWriting.close()
        return collect(process, out: out, err: err)
    }

    /// Reads both pipes to their end (so a full pipe cannot block the child), then waits for it.
    static func collect(_ process: Process, out: Pipe, err: Pipe) -> CommandResult {
        nonisolated(unsafe) var errData = Data()
        let errReader = Thread { errData = err.fileHandleForReading.readDataToEndOfFile() }
        errReader.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errReader.isFinished { usleep(1000) }
        return CommandResult(status: process.terminationStatus,
                             stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// A fresh directory, removed on deinit.
final class TemporaryDirectory: Sendable {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "/spate-cli-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ name: String, _ text: String) -> String {
        let file = path + "/" + name
        _ = FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
        return file
    }
}
