// `--log-level` of `spate run` and `spate serve`: the job log (what jobs and
// services write to `job_log`) also goes to standard error, one line an entry
// (JobLogLine.text), from this level up. The default, info, shows each job's
// start and stop, lease changes, a checkpoint summary a minute, and every
// warning and error; debug adds a line per checkpoint. The catalog keeps info
// and up whatever this says.

import ArgumentParser
import Logging
import SpateCatalog

#if canImport(Glibc)
import Glibc
#endif

struct LogLevelOption: ParsableArguments {
    enum Level: String, CaseIterable, ExpressibleByArgument {
        case trace, debug, info, notice, warning, error

        var level: Logger.Level { Logger.Level(rawValue: rawValue)! }
    }

    @Option(name: .customLong("log-level"),
            help: ArgumentHelp("Print the job log on stderr from this level up.",
                               valueName: "level"))
    var logLevel: Level = .info

    /// Standard error, one line an entry, from `logLevel` up.
    func output() -> JobLogOutput {
        JobLogOutput(level: logLevel.level) { entry in Terminal.error(JobLogLine.text(entry)) }
    }
}
