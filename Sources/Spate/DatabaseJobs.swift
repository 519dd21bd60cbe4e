// The facade's view of jobs: catalog records, their status as any process can
// see it (checkpoint, lease, lag behind the log head), and the environment a
// JobRunner in this process runs them in.

import SpateAlerts
import SpateCatalog
import SpateLog
import SpateRuntime
import SpateSQL

/// A job's status, read from the catalog and the log.
public struct JobStatus: Sendable {
    public var checkpoint: CheckpointData?
    /// The process holding the job's lease, if it has not expired.
    public var runningIn: String?
    /// Records in the input stream not yet covered by the checkpoint.
    public var lagRecords: Int64?
}

extension Database {
    public func jobRecord(_ name: String) throws(SpateError) -> JobRecord? {
        do { return try catalog.job(named: name) } catch { throw .catalog(error.description) }
    }

    public func jobRecords() throws(SpateError) -> [JobRecord] {
        do { return try catalog.jobs() } catch { throw .catalog(error.description) }
    }

    /// The job's last committed checkpoint (nil before its first).
    public func jobCheckpoint(_ name: String) throws(SpateError) -> CheckpointData? {
        do { return try catalog.checkpoint(job: name) } catch { throw .catalog(error.description) }
    }

    public func jobStatus(_ job: JobRecord) throws(SpateError) -> JobStatus {
        let checkpoint = try jobCheckpoint(job.name)
        var lag: Int64?
        if let checkpoint, let input = checkpoint.inputOffsets.first?.stream, let stream = try? self.stream(input) {
            lag = 0
            for offset in checkpoint.inputOffsets where offset.shard < stream.shards.count {
                if let head = try? stream.shards[offset.shard].describe().nextSequence {
                    lag! += max(0, Int64(head) - offset.nextOffset)
                }
            }
        }
        let live = job.leaseExpiresMs.map { $0 >= now() } ?? false
        return JobStatus(checkpoint: checkpoint, runningIn: live ? job.leaseOwner : nil, lagRecords: lag)
    }

    /// What a JobRunner of this process runs jobs against.
    public func jobEnvironment(options: JobRunnerOptions = JobRunnerOptions()) -> JobEnvironment {
        let session = Session(database: self)
        return JobEnvironment(
            log: log, catalog: catalog,
            schemas: { () throws -> any SchemaProvider in
                do { return try session.schemaProvider() } catch { throw error }
            },
            outputKeyColumn: { [self] name in (try? streamDefinition(name))??.keyColumn },
            nowMs: now, options: options)
    }

    /// Starts the background services of this data directory: its jobs, and
    /// with them alert delivery, alarm evaluation and metrics (SpateAlerts).
    /// Stopping the runner stops them all (jobs first, with final checkpoints).
    public func startJobRunner(options: JobRunnerOptions = JobRunnerOptions(),
                               alerting: AlertingOptions = AlertingOptions()) -> JobRunner {
        let environment = jobEnvironment(options: options)
        let runner = JobRunner(environment: environment)
        var alerting = alerting
        if alerting.logOutput == nil { alerting.logOutput = options.logOutput }  // one --log-level for jobs and services
        let services = AlertingServices(catalog: catalog, log: log, owner: environment.owner, nowMs: now, options: alerting)
        runner.onStop { services.stop() }
        runner.start()
        services.start()
        return runner
    }
}
