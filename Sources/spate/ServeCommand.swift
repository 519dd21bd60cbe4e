// `spate serve [--listen 127.0.0.1:4567] [--credentials FILE] [--data DIR]`:
// `spate run` plus the HTTP endpoint (Kinesis JSON 1.1 API, /metrics, /healthz)
// and the dashboard at / (SpateDashboard). The credentials file names the
// principals and what each may do (SpateServer's AccessPolicy).
//
// Lifecycle: SIGINT and SIGTERM are blocked in every thread before any starts
// and taken with sigwait on the main thread, so no signal handler runs and no
// worker is interrupted mid-write. On either signal: background services stop,
// the server stops accepting, requests in progress finish, the process exits 0.

import ArgumentParser
import Spate
import SpateLog
import SpateRuntime
import SpateServer

#if canImport(Glibc)
import Glibc
#endif

/// Long-running work that `spate run` does: saved jobs, alarms, deliveries.
/// `spate serve` starts the same services beside the HTTP endpoint. None exist
/// yet: the job runner plugs in by conforming and being listed in
/// `ServeCommand.backgroundServices`.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the Kinesis-compatible HTTP endpoint and everything `spate run` runs, until stopped.",
        discussion: """
            Producers written for Kinesis work unchanged with endpoint_url=http://HOST:PORT (boto3, AWS CLI).
            The dashboard is at http://HOST:PORT/ (JSON behind it under /api/). GET /metrics is Prometheus text, \
            GET /healthz answers ok.
            Only loopback addresses are allowed without --credentials. With --credentials FILE (format of \
            ~/.aws/credentials: aws_access_key_id = …, aws_secret_access_key = …; chmod 600), every request \
            but /healthz must be signed with AWS Signature Version 4 using a key of the file; a browser opens the \
            dashboard with user = the access key id and password = the secret key. The file may hold several \
            principals, one [name] section each, with what they may do:
            allow = write on transactions*, read on *   (actions read, write, admin; patterns with *).
            A file of one key without allow lines is admin on every stream.
            Stops cleanly on Ctrl-C or SIGTERM.
            """
    )

    @Option(help: ArgumentHelp("Address to listen on; port 0 picks a free one.", valueName: "host:port"))
    var listen: String = "127.0.0.1:\(ServerConfiguration.defaultPort)"

    @Option(help: ArgumentHelp("File with the access keys clients must sign with, and what each may do (required off loopback).", valueName: "file"))
    var credentials: String?

    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp("Close a connection with no request for this long (default 60s).", valueName: "duration"))
    var idleTimeout = "60s"

    @Option(name: .customLong("request-timeout"), help: ArgumentHelp("Answer 408 and close when a request's headers and body take longer than this to arrive (default 30s).", valueName: "duration"))
    var requestTimeout = "30s"

    @Option(name: .customLong("max-connections"), help: "Connections open at once; one more is answered 503 (default 1024).")
    var maxConnections = 1024

    @OptionGroup var logging: LogLevelOption

    @OptionGroup var global: GlobalOptions

    /// `250ms`, `30s`, `5m`, or plain seconds.
    static func parseTimeout(_ text: String, option: String) throws(SpateError) -> Int64 {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let n = Int64(text.dropLast(suffix.count)), n > 0, n <= 86_400_000 / scale { return n * scale }
        }
        if let n = Int64(text), n > 0, n <= 86_400 { return n * 1000 }
        throw .invalidArgument("--\(option) '\(text)' is not a duration like 30s, 500ms or 2m (more than 0, at most a day)")
    }

    func run() throws {
        var configuration = ServerConfiguration()
        configuration.idleTimeoutMs = try Self.parseTimeout(idleTimeout, option: "idle-timeout")
        configuration.requestTimeoutMs = try Self.parseTimeout(requestTimeout, option: "request-timeout")
        guard maxConnections >= 1 else { throw SpateError.invalidArgument("--max-connections must be at least 1") }
        configuration.connectionsMax = maxConnections
        configuration.apply(listen: listen, credentialsPath: credentials)
        var signals = StopSignals.block()

        let database = try global.open()
        // What `spate run` runs: jobs, deliveries, alarms, metrics.
        let runner = database.startJobRunner(options: JobRunnerOptions(logOutput: logging.output()))  // the job log on stderr too
        JobFailurePrinter.attach(to: runner, database: database, prefix: "spate serve")
        let server: SpateHTTPServer
        do throws(ServerError) {
            // /metrics: exactly what `spate metrics` prints (the facade's one metrics text).
            server = try SpateHTTPServer.start(configuration, database: database, dashboard: .serving(database))
        } catch {
            runner.stop()
            Terminal.fail(error.description)
        }
        let signed = configuration.access.map { access in
            let names = access.principals.map(\.name)
            return "SigV4-signed requests of \(names.count == 1 ? "principal" : "principals") \(names.joined(separator: ", "))"
        } ?? "unsigned requests (loopback only)"
        print("spate serve: listening on http://\(server.address) (\(signed)), dashboard at http://\(server.address)/; data in \(database.dataDirectory)")
        fflush(nil)

        print("spate serve: \(StopSignals.wait(&signals)) received, stopping")
        fflush(nil)
        server.shutdown()
        runner.stop()
    }
}
