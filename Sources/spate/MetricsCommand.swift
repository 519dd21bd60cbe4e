// `spate metrics`: prints the data directory's metrics in the Prometheus text
// format (the same text the HTTP endpoint serves at /metrics), then exits.
// The text is made by the facade (Database.prometheusText); this only prints.

import ArgumentParser
import Spate

struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print the metrics in Prometheus text format (streams, jobs, channels)."
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let database = try global.open()
        FileOutput.standardOutput.write(try database.prometheusText())
        FileOutput.standardOutput.flush()
    }
}
