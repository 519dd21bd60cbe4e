// Runs the saved jobs of a data directory in this process: a supervisor thread
// looks at the catalog every `scanIntervalMs`, takes the lease of each running
// job nobody holds (or whose holder's lease expired), starts a worker for it,
// renews the leases of its workers (heartbeat), and stops workers whose job was
// paused, dropped or restarted. `spate run` runs one in the foreground; the
// REPL runs one in the background. Several processes may run runners on one
// data directory: the leases give each job to exactly one of them.
//
// One job cannot take the others down: a job whose query fails is set failed
// and reported (`onJobFailed`, which `spate run` and `serve` print) while the
// rest run on; a job that crashed its process (JobCrashNote) is counted on
// every scan, and quarantined — failed, with the message below — at
// `crashesInARowMax` crashes in a row, so that the next start runs the rest.
//
// Job logs (JobLogEvents): the runner logs the leases it takes and the crashes
// it counts, its workers the rest; the supervisor writes this process's
// buffered entries into the catalog every scan (Catalog.flushJobLog), and once
// more when the runner and the services it stops have stopped.

import SpateCatalog
import SpateLog
import SpateSQL
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Tunables of a runner.
public struct JobRunnerOptions: Sendable {
    /// A lease lasts this long unless renewed.
    public var leaseDurationMs: Int64 = 10_000
    /// How often the supervisor renews leases and looks for jobs.
    public var scanIntervalMs: Int = 500
    /// How long an idle job waits before polling its stream again.
    public var pollIntervalMs: Int = 20
    /// A job logs a summary of its checkpoints this often (0: every checkpoint).
    /// Checkpoints come every second or faster: one entry each would push the
    /// rest of a job's log out of its 10,000 kept entries within hours.
    public var checkpointLogIntervalMs: Int64 = 60_000
    /// Where the job log goes besides the catalog (`spate run`/`serve`: stderr).
    public var logOutput: JobLogOutput?

    public init(leaseDurationMs: Int64 = 10_000, scanIntervalMs: Int = 500, pollIntervalMs: Int = 20,
                checkpointLogIntervalMs: Int64 = 60_000, logOutput: JobLogOutput? = nil) {
        self.leaseDurationMs = leaseDurationMs
        self.scanIntervalMs = scanIntervalMs
        self.pollIntervalMs = pollIntervalMs
        self.checkpointLogIntervalMs = checkpointLogIntervalMs
        self.logOutput = logOutput
    }
}

/// What jobs run against.
public struct JobEnvironment: @unchecked Sendable {
    public var log: LogStore
    public var catalog: Catalog
    /// The relations SQL sees now (streams come and go).
    public var schemas: () throws -> any SchemaProvider
    /// The key column of a stream, if it declares one (for jobs writing it).
    public var outputKeyColumn: (String) -> String?
    public var nowMs: @Sendable () -> Int64
    /// This process's identity in leases.
    public var owner: String
    public var options: JobRunnerOptions

    public init(log: LogStore, catalog: Catalog, schemas: @escaping () throws -> any SchemaProvider,
                outputKeyColumn: @escaping (String) -> String?, nowMs: @escaping @Sendable () -> Int64,
                owner: String = JobEnvironment.processOwner(), options: JobRunnerOptions = JobRunnerOptions()) {
        self.log = log
        self.catalog = catalog
        self.schemas = schemas
        self.outputKeyColumn = outputKeyColumn
        self.nowMs = nowMs
        self.owner = owner
        self.options = options
    }

    /// "host:pid:random": unique per process run.
    public static func processOwner() -> String {
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count)
        let name = host.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return "\(name):\(getpid()):\(UInt32.random(in: 0...UInt32.max))"
    }
}

/// A job that failed while this runner supervised it.
public struct JobFailureReport: Sendable, Equatable {
    public var job: String
    public var error: String
}

/// Supervises the jobs this process runs.
public final class JobRunner: @unchecked Sendable {
    /// Crashes in a row after which a job is quarantined.
    public static let crashesInARowMax: Int64 = 3
    public static let quarantineMessage = "the process died \(crashesInARowMax) times while running this job (RESUME JOB to try again)"

    public let environment: JobEnvironment
    private let mutex = Mutex<[String: JobWorker]>([:])
    /// The supervisor: counts crashes, starts and stops workers, every scan interval.
    private let supervisor = ServiceLoop()
    private let stopHooks = Mutex<[@Sendable () -> Void]>([])
    /// Failures not yet handed to a hook, and the hook.
    private let failures = Mutex<(pending: [JobFailureReport], hook: (@Sendable (JobFailureReport) -> Void)?)>(([], nil))

    public init(environment: JobEnvironment) {
        self.environment = environment
    }

    /// Names of the jobs this process is running now.
    public var runningJobs: [String] { mutex.withLock { $0.filter { !$1.isFinished }.keys.sorted() } }

    /// Calls `hook` for each job that fails from now on, and at once for those
    /// that already failed (so a hook set just after `start` misses none).
    public func onJobFailed(_ hook: @escaping @Sendable (JobFailureReport) -> Void) {
        let missed = failures.withLock { state in
            defer { state = ([], hook) }
            return state.pending
        }
        for report in missed { hook(report) }
    }

    private func report(_ failure: JobFailureReport) {
        let hook = failures.withLock { state in
            if state.hook == nil { state.pending.append(failure) }
            return state.hook
        }
        hook?(failure)
    }

    /// Starts supervising on a background thread.
    public func start() {
        JobCrashNote.install()
        supervisor.start(intervalMs: environment.options.scanIntervalMs, stepMs: 10, round: { [self] in
            countCrashes()
            scan()
            flushJobLog()
        }, closing: { [self] in
            stopWorkers()
        })
    }

    /// Stops every job (each with a final checkpoint) and waits for them; then
    /// runs the stop hooks (the background services started with the runner)
    /// and writes the last job log entries.
    public func stop() {
        supervisor.stop()
        for hook in stopHooks.withLock({ hooks in defer { hooks.removeAll() }; return hooks }) { hook() }
        flushJobLog()
    }

    /// Writes this process's buffered job log entries (a failed write keeps them for the next).
    func flushJobLog() {
        try? environment.catalog.flushJobLog(nowMs: environment.nowMs())
    }

    /// Runs `hook` once when the runner stops, after its jobs' final checkpoints
    /// (the facade stops the delivery, alarm and metrics services this way).
    public func onStop(_ hook: @escaping @Sendable () -> Void) {
        stopHooks.withLock { $0.append(hook) }
    }

    /// Counts the crashes dead processes noted; quarantines a job at `crashesInARowMax`.
    func countCrashes() {
        for job in JobCrashNote.take(dataDirectory: environment.log.dataDirectory) {
            guard let count = try? environment.catalog.recordJobCrash(job, quarantineAfter: Self.crashesInARowMax,
                                                                      message: Self.quarantineMessage, nowMs: environment.nowMs())
            else { continue }
            JobLogEvents(job: job, environment: environment)
                .crashed(count: count, quarantined: count == Self.crashesInARowMax, message: Self.quarantineMessage)
            if count == Self.crashesInARowMax { report(JobFailureReport(job: job, error: Self.quarantineMessage)) }
        }
    }

    /// One supervision round: take free jobs, renew leases, stop what must stop.
    func scan() {
        guard let jobs = try? environment.catalog.jobs() else { return }
        let now = environment.nowMs()
        var workers = mutex.withLock { $0 }
        for (name, worker) in workers where worker.isFinished { workers[name] = nil }
        for job in jobs {
            let mine = workers[job.name]
            if job.state != .running || (job.leaseOwner != nil && job.leaseOwner != environment.owner && mine != nil) {
                mine?.stop()
                continue
            }
            if mine != nil && job.leaseOwner == nil {
                mine?.stop()  // restarted (RESTART JOB releases the lease): start over
                continue
            }
            // Take (or renew) the lease; a worker only for jobs we hold.
            guard (try? environment.catalog.acquireLease(job: job.name, owner: environment.owner, nowMs: now,
                                                          durationMs: environment.options.leaseDurationMs)) == true
            else {
                mine?.stop()
                continue
            }
            if mine == nil {
                let name = job.name
                JobLogEvents(job: name, environment: environment)
                    .leaseTaken(owner: environment.owner, previousOwner: job.leaseOwner)
                let worker = JobWorker(name: name, environment: environment) { [weak self] error in
                    self?.report(JobFailureReport(job: name, error: error))
                }
                workers[job.name] = worker
                worker.start()
            }
        }
        let known = Set(jobs.map(\.name))
        for (name, worker) in workers where !known.contains(name) { worker.stop() }
        mutex.withLock { $0 = workers }
    }

    private func stopWorkers() {
        let workers = mutex.withLock { $0 }
        for worker in workers.values { worker.stop() }
        while workers.values.contains(where: { !$0.isFinished }) { usleep(5_000) }
    }
}
