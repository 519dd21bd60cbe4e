// `spate export job NAME --to flink [--source kinesis|kafka|filesystem]`:
// prints a Flink SQL script that runs the job on Apache Flink (the
// translation is FlinkSQLExporter, in the facade). A job that uses something
// Flink has no equivalent for is refused with one line saying what.

import ArgumentParser
import Spate

#if canImport(Glibc)
import Glibc
#endif

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a Spate job for another engine.",
        subcommands: [ExportJobCommand.self]
    )
}

struct ExportJobCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Print a Flink SQL script that runs the job on Apache Flink.",
        discussion: """
            The script creates the input table (the chosen connector, JSON, event time and a watermark with the \
            window's GRACE), the job's query with Flink's window functions (TUMBLE, HOP, SESSION), the output \
            table and INSERT INTO. Refused: detectors and `anomaly`, alert jobs, EMIT CHANGES, aggregates \
            without a window.
            Example: spate export job per_minute --to flink --source kinesis --region eu-west-1 > per_minute.sql
            """
    )

    enum Engine: String, ExpressibleByArgument, CaseIterable { case flink }
    enum Source: String, ExpressibleByArgument, CaseIterable { case kinesis, kafka, filesystem }
    enum Timestamps: String, ExpressibleByArgument, CaseIterable {
        case epochMs = "epoch-ms", iso8601 = "iso-8601"
    }

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The job.") var name: String
    @Option(name: .long, help: "The engine to write for: flink.") var to: Engine
    @Option(name: .long, help: "The connector of the input (and of an output stream): kinesis, kafka or filesystem.")
    var source: Source = .kinesis
    @Option(name: .long, help: "Kinesis: the AWS region (default: $AWS_REGION, else $AWS_DEFAULT_REGION, else us-east-1).")
    var region: String?
    @Option(name: .long, help: "Kinesis: the AWS account in the stream ARNs (default: 000000000000, Spate's endpoint's).")
    var account = "000000000000"
    @Option(name: .long, help: "Kinesis: an endpoint URL other than AWS's, e.g. a `spate serve` address.")
    var endpoint: String?
    @Option(name: .long, help: "Kafka: the bootstrap servers.")
    var bootstrapServers = "localhost:9092"
    @Option(name: .long, help: ArgumentHelp("Filesystem: the directory holding a directory of JSON lines per stream (a path or a URI).", valueName: "dir"))
    var path = "flink-data"
    @Option(name: .long, help: "How the records' JSON holds TIMESTAMPs: epoch-ms (numbers, as Spate writes them) or iso-8601 (text ending in Z).")
    var timestamps: Timestamps = .epochMs

    func run() throws {
        let database = try global.open()
        var options = FlinkExportOptions(connector: FlinkConnector(rawValue: source.rawValue) ?? .kinesis)
        options.region = region ?? environment("AWS_REGION") ?? environment("AWS_DEFAULT_REGION") ?? "us-east-1"
        options.account = account
        options.endpoint = endpoint
        options.bootstrapServers = bootstrapServers
        options.directory = Self.directoryURI(path)
        options.timestamps = timestamps == .iso8601 ? .iso8601 : .epochMilliseconds
        let script = try database.exportJobToFlink(name, options: options)
        FileOutput.standardOutput.write(script)
        FileOutput.standardOutput.flush()
    }

    private func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    /// A URI as given; a path as an absolute `file://` URI (Flink resolves a relative one against its own directory).
    static func directoryURI(_ path: String) -> String {
        if path.contains("://") { return path }
        if path.hasPrefix("/") { return "file://" + path }
        var buffer = [CChar](repeating: 0, count: 4096)
        let current = getcwd(&buffer, buffer.count) != nil ? buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } : "."
        let relative = path.hasPrefix("./") ? String(path.dropFirst(2)) : path
        return "file://" + current + "/" + relative
    }
}
