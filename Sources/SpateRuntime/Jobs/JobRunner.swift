// Runs the saved jobs of a data directory in this process: a supervisor thread
// looks at the catalog every `scanIntervalMs`, takes the lease of each running
// job nobody holds (or whose holder's lease expired), starts a worker for it,
// renews the leases of its workers (heartbeat), and stops workers whose job was
// paused, dropped or restarted. `spate run` runs one in the foreground; the
// REPL runs one in the background. Several processes may run runners on one
// data directory: the leases give each job to exactly one of them.

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

    public init(leaseDurationMs: Int64 = 10_000, scanIntervalMs: Int = 500, pollIntervalMs: Int = 20) {
        self.leaseDurationMs = leaseDurationMs
        self.scanIntervalMs = scanIntervalMs
        self.pollIntervalMs = pollIntervalMs
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

/// Supervises the jobs this process runs.
public final class JobRunner: @unchecked Sendable {
    public let environment: JobEnvironment
    private let stopRequested = Atomic<Bool>(false)
    private let mutex = Mutex<[String: JobWorker]>([:])
    private let supervising = Atomic<Bool>(false)
    private let supervisorDone = Atomic<Bool>(false)
    private let stopHooks = Mutex<[@Sendable () -> Void]>([])

    public init(environment: JobEnvironment) {
        self.environment = environment
    }

    /// Names of the jobs this process is running now.
    public var runningJobs: [String] { mutex.withLock { $0.filter { !$1.isFinished }.keys.sorted() } }

    /// Starts supervising on a background thread.
    public func start() {
        supervising.store(true, ordering: .relaxed)
        BackgroundThread.start { [self] in
            while !stopRequested.load(ordering: .relaxed) {
                scan()
                var slept = 0
                while slept < environment.options.scanIntervalMs && !stopRequested.load(ordering: .relaxed) {
                    usleep(10_000)
                    slept += 10
                }
            }
            stopWorkers()
            supervisorDone.store(true, ordering: .releasing)
        }
    }

    /// Stops every job (each with a final checkpoint) and waits for them; then
    /// runs the stop hooks (the background services started with the runner).
    public func stop() {
        stopRequested.store(true, ordering: .relaxed)
        while supervising.load(ordering: .relaxed) && !supervisorDone.load(ordering: .acquiring) { usleep(5_000) }
        for hook in stopHooks.withLock({ hooks in defer { hooks.removeAll() }; return hooks }) { hook() }
    }

    /// Runs `hook` once when the runner stops, after its jobs' final checkpoints
    /// (the facade stops the delivery, alarm and metrics services this way).
    public func onStop(_ hook: @escaping @Sendable () -> Void) {
        stopHooks.withLock { $0.append(hook) }
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
                let worker = JobWorker(name: job.name, environment: environment)
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
