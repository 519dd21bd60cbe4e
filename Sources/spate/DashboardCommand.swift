// `spate dashboard [--listen 127.0.0.1:4568] [--credentials FILE] [--open]`:
// the dashboard alone — no Kinesis API, no jobs run by this process (it shows
// what `spate run` or `spate serve` elsewhere are doing, from the catalog).
// Same rules as `spate serve`: loopback unless credentials are given.
// Stops on Ctrl-C or SIGTERM.

import ArgumentParser
import Spate
import SpateServer

#if canImport(Glibc)
import Glibc
#endif

struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Serve only the dashboard (no Kinesis API, no jobs), until stopped.",
        discussion: """
            Pages: / (streams, jobs, alarms, newest alerts), /jobs/NAME, /alerts, /alarms; JSON under /api/.
            Only loopback addresses are allowed without --credentials; with them the browser asks for \
            user = access key id, password = secret key.
            """
    )

    static let defaultPort = 4568

    @Option(help: ArgumentHelp("Address to listen on; port 0 picks a free one.", valueName: "host:port"))
    var listen: String = "127.0.0.1:\(defaultPort)"

    @Option(help: ArgumentHelp("File with the access key a browser must give (required off loopback).", valueName: "file"))
    var credentials: String?

    @Flag(help: "Open the dashboard in the default browser (xdg-open).")
    var open = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        var configuration = ServerConfiguration(workerThreads: 4)
        configuration.apply(listen: listen, credentialsPath: credentials)
        var signals = StopSignals.block()

        let database = try global.open()
        let server: SpateHTTPServer
        do throws(ServerError) {
            server = try SpateHTTPServer.start(configuration, database: database, dashboard: .serving(database), kinesisEnabled: false)
        } catch {
            Terminal.fail(error.description)
        }
        let url = "http://\(server.address)/"
        print("spate dashboard: \(url); data in \(database.dataDirectory)")
        fflush(nil)
        if open { Self.openInBrowser(url) }

        print("spate dashboard: \(StopSignals.wait(&signals)) received, stopping")
        fflush(nil)
        server.shutdown()
    }

    /// Runs `xdg-open URL` (argv, no shell); a machine without it gets a note, not a failure.
    static func openInBrowser(_ url: String) {
        var pid = pid_t()
        let arguments = ["xdg-open", url]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        if posix_spawnp(&pid, "xdg-open", nil, nil, &argv, environ) != 0 {
            print("spate dashboard: could not run xdg-open; open \(url) yourself")
        }
    }
}
