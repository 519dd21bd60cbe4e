// spate-bench: figures for the log, the query runtime and the detectors on this machine.
//
//   spate-bench append [--dir DIR] [--quick]   raw disk, bulk appends, small appends
//   spate-bench read   [--dir DIR] [--quick]   sequential read and seek of one shard
//   spate-bench query  [--dir DIR] [--quick]   the reference windowed query (issue 3)
//   spate-bench jobs   [--dir DIR] [--quick]   job throughput, checkpoint cost, alert latency (issue 4)
//   spate-bench ingest [--dir DIR] [--quick]   spate put of JSON lines vs a copy of the file + fdatasync (issue 17)
//   spate-bench sinks  [--dir DIR] [--quick]   a job's rows into JSONL, CSV and Parquet files (issue 18)
//   spate-bench all    [--dir DIR] [--quick]   append, read and query
//   spate-bench detectors [--quick]             detector throughput and state per key (no disk)
//   spate-bench dashboard [--dir DIR] [--quick] dashboard pages and JSON endpoints, server time (issue 16)
//   spate-bench webhooks [--quick]              alert delivery over http and https to a local receiver (issue 18)
//
// Data goes to a fresh directory under DIR (default ./.bench-data), which must be
// on a real disk, and is removed at the end. `--quick` shrinks every phase about
// tenfold for a smoke run. Benchmarks print figures; nothing here is a test.

import SpateLog

#if canImport(Glibc)
import Glibc
#endif

let usage = """
    usage: spate-bench append|read|query|jobs|ingest|sinks|all [--dir DIR] [--quick]
           spate-bench detectors [--quick]
           spate-bench dashboard [--dir DIR] [--quick]
           spate-bench webhooks [--quick]
      --dir DIR   parent of the scratch data directory (default ./.bench-data); must be a disk, not tmpfs
      --quick     every phase about 10x smaller (smoke run, under ~20 s)
    """

if CommandLine.arguments.dropFirst().first == "detectors" {
    runDetectorsCommand(Array(CommandLine.arguments.dropFirst(2)))
}
if CommandLine.arguments.dropFirst().first == "webhooks" {
    runWebhookCommand(Array(CommandLine.arguments.dropFirst(2)))
}
if CommandLine.arguments.dropFirst().first == "dashboard" {
    runDashboardCommand(Array(CommandLine.arguments.dropFirst(2)))
}

let options: BenchOptions
do {
    options = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    fail("\(error.message)\n\(usage)", code: 2)
}

let directory: BenchDirectory
do {
    directory = try BenchDirectory.create(under: options.parentDirectory)
} catch {
    fail(error.message)
}

printMachineFacts(directory: directory)
do {
    if options.runsAppend {
        let raw = try runRawDisk(in: directory.path, scale: options.scale)
        try runBulkAppend(in: directory.path, scale: options.scale, raw: raw)
        try runSmallAppends(in: directory.path, scale: options.scale, raw: raw)
    }
    if options.runsRead {
        try runRead(in: directory.path, scale: options.scale)
    }
    if options.runsQuery {
        try runQueryBenchmark(in: directory.path, scale: options.scale)
    }
    if options.runsJobs {
        try runJobBenchmark(in: directory.path, scale: options.scale)
    }
    if options.runsIngest {
        try runIngestBenchmark(in: directory.path, scale: options.scale)
    }
    if options.runsSinks {
        try runSinkBenchmark(in: directory.path, scale: options.scale)
    }
} catch let error as LogError {
    directory.remove()
    fail("\(error)")
} catch let error as BenchError {
    directory.remove()
    fail(error.message)
} catch {
    directory.remove()
    fail("\(error)")
}
directory.remove()
printPeakMemory()
