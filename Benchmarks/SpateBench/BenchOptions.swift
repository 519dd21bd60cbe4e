// The command line of spate-bench and the sizes of every phase. Full and quick
// runs differ only in the `Scale` they pass down, so a phase reads its sizes in
// one place and a quick run exercises exactly the code a full run does.

#if canImport(Glibc)
import Glibc
#endif

/// An error the benchmark reports as one line (bad arguments, unusable directory).
struct BenchError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Prints `spate-bench: message` to stderr and exits.
func fail(_ message: String, code: Int32 = 1) -> Never {
    fflush(nil)
    var line = "spate-bench: " + message + "\n"
    line.withUTF8 { bytes in _ = write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
    exit(code)
}

/// Sizes and durations of every phase, full or quick.
struct Scale: Sendable {
    var isQuick: Bool

    // Raw disk.
    var rawWriteBytes: Int { isQuick ? 128 << 20 : 1 << 30 }
    var rawWriteRuns: Int { 3 }
    var rawFsyncIterations: Int { isQuick ? 200 : 2_000 }

    // Bulk append: payload bytes per configuration.
    var bulkPayloadBytes: Int { isQuick ? 96 << 20 : 1 << 30 }
    var bulkBatchesInFlightMax: Int { 4 }
    var bulkRuns: Int { isQuick ? 1 : 3 }

    // Small appends: seconds per configuration.
    var smallAppendSeconds: Double { isQuick ? 0.5 : 3 }
    var smallAppendRuns: Int { isQuick ? 1 : 3 }

    // Read.
    var readRecordCount: Int { isQuick ? 1_000_000 : 10_000_000 }
    var readPayloadBytes: Int { 120 }
    var readBatchRecordsMax: Int { 10_000 }

    // Query.
    var queryRecordCount: Int { isQuick ? 1_000_000 : 10_000_000 }

    // Jobs: the parallelism comparison runs long enough (~2–3 s a run) that
    // a run spans checkpoints every second and its start and last commit are
    // a small part of it (at 5 M records a 2-worker run lasted under 0.5 s).
    var parallelJobRecordCount: Int { isQuick ? 1_000_000 : 20_000_000 }
}

/// What the command line asked for.
struct BenchOptions {
    var runsAppend: Bool
    var runsRead: Bool
    var runsQuery = false
    var runsJobs = false
    var runsIngest = false
    var runsSinks = false
    var parentDirectory: String
    var scale: Scale

    static func parse(_ arguments: [String]) throws(BenchError) -> BenchOptions {
        guard let command = arguments.first else { throw BenchError("missing command") }
        var options: BenchOptions
        switch command {
        case "append": options = BenchOptions(runsAppend: true, runsRead: false, parentDirectory: "", scale: Scale(isQuick: false))
        case "read": options = BenchOptions(runsAppend: false, runsRead: true, parentDirectory: "", scale: Scale(isQuick: false))
        case "all": options = BenchOptions(runsAppend: true, runsRead: true, runsQuery: true, parentDirectory: "", scale: Scale(isQuick: false))
        case "query": options = BenchOptions(runsAppend: false, runsRead: false, runsQuery: true, parentDirectory: "", scale: Scale(isQuick: false))
        case "jobs": options = BenchOptions(runsAppend: false, runsRead: false, runsJobs: true, parentDirectory: "", scale: Scale(isQuick: false))
        case "ingest": options = BenchOptions(runsAppend: false, runsRead: false, runsIngest: true, parentDirectory: "", scale: Scale(isQuick: false))
        case "sinks": options = BenchOptions(runsAppend: false, runsRead: false, runsSinks: true, parentDirectory: "", scale: Scale(isQuick: false))
        default: throw BenchError("unknown command '\(command)'")
        }
        options.parentDirectory = "./.bench-data"
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            switch argument {
            case "--quick":
                options.scale.isQuick = true
            case "--dir":
                guard let value = rest.popFirst(), !value.isEmpty else { throw BenchError("--dir needs a directory") }
                options.parentDirectory = value
            default:
                throw BenchError("unknown option '\(argument)'")
            }
        }
        return options
    }
}
