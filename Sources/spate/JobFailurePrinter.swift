// What `spate run` and `spate serve` say about failed jobs, on stderr: the jobs
// already failed when they start (they do not run until RESUME JOB), and each
// job that fails while they run — its error, and that the others run on.
// Presentation only: the runner decides and records; this prints.

import Spate
import SpateRuntime

enum JobFailurePrinter {
    static func attach(to runner: JobRunner, database: Database, prefix: String) {
        for job in (try? database.jobRecords()) ?? [] where job.state == .failed {
            Terminal.error("\(prefix): job \(job.name) is failed, not running: \(explained(job.lastError ?? "no error recorded", job: job.name))")
        }
        runner.onJobFailed { failure in
            Terminal.error("\(prefix): job \(failure.job) failed: \(explained(failure.error, job: failure.job)); the other jobs keep running")
        }
    }

    /// The error, with what to do once it is fixed unless it says so already.
    static func explained(_ error: String, job: String) -> String {
        error.contains("RESUME JOB") ? error : error + " (RESUME JOB \(job) to run it again)"
    }
}
