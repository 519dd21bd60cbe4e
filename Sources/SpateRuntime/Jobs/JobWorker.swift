// Runs one job in this process, on its own thread, while this process holds the
// job's lease: compile the definition, resume from the checkpoint (or start),
// then step the query, hand its rows to the output, and checkpoint — every
// `checkpoint_interval`, and at once when alerts or results are waiting (the
// latency from an append to its alert is one step plus one commit). The query's
// workers run the next step in the background while this thread hands on the
// last step's rows and commits (`ParallelQueryExecution.launchStep`; with at
// least as many workers as cores this thread then reads one part itself for
// the rest of the step), a step that runs until this thread collects it,
// within JobStepSizer's bounds; a checkpoint is the snapshot taken when that
// last step ended, with exactly the rows of the steps up to it, so
// overlapping changes nothing a crash can see. A stop request ends with a
// final checkpoint. Any error marks the job FAILED with a one-line reason,
// reported to the runner (which `spate run` prints) — the other jobs keep
// running; a lost lease (another process took over, the job was paused or
// dropped) ends the worker without writing anything. While it works (all but
// its idle waits) its thread is marked in JobCrashNote, so a trap is blamed
// on this job; once it has caught up with its stream, its count of crashes
// in a row goes back to 0. It logs (JobLogEvents) when it starts, a summary
// of its checkpoints per interval, and how it ended: stopped, lease lost,
// restarted, failed — never per record.

import SpateCatalog
import SpateLog
import SpateSQL
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

final class JobWorker: @unchecked Sendable {
    let name: String
    private let environment: JobEnvironment
    private let stopRequested = Atomic<Bool>(false)
    private let finishedFlag = Atomic<Bool>(false)
    /// Called with the reason when the job fails.
    private let onFailure: @Sendable (String) -> Void
    /// This worker's slot in the crash-note table (nil: the table is full).
    private var crashSlot: Int?
    /// The job's log.
    private let events: JobLogEvents
    /// For the log of how the worker ended: whether it got as far as running,
    /// what it was doing, and the input offsets and records read at its last checkpoint.
    private var hasStarted = false
    private var phase = "starting"
    private var committedOffsets: [UInt64] = []
    private var committedRecordsIn: Int64 = 0

    init(name: String, environment: JobEnvironment, onFailure: @escaping @Sendable (String) -> Void = { _ in }) {
        self.name = name
        self.environment = environment
        self.onFailure = onFailure
        self.events = JobLogEvents(job: name, environment: environment)
    }

    var isFinished: Bool { finishedFlag.load(ordering: .acquiring) }

    func start() {
        BackgroundThread.start { [self] in
            run()
            finishedFlag.store(true, ordering: .releasing)
        }
    }

    /// Asks the worker to checkpoint and stop.
    func stop() { stopRequested.store(true, ordering: .relaxed) }

    private var shouldStop: Bool { stopRequested.load(ordering: .relaxed) }

    private func run() {
        let catalog = environment.catalog
        crashSlot = JobCrashNote.claim(job: name, dataDirectory: environment.log.dataDirectory)
        JobCrashNote.enterStep(crashSlot)
        defer { JobCrashNote.release(crashSlot) }
        var failure: String?
        do {
            try execute()
        } catch let error as JobFailure {
            switch error {
            case .leaseLost:
                if hasStarted { events.leaseGone(try? catalog.job(named: name), owner: environment.owner, offsets: committedOffsets) }
            case let .failed(message): failure = message
            }
        } catch {
            failure = "\(error)"
        }
        if let failure {
            events.failed(failure, offsets: committedOffsets, recordsIn: committedRecordsIn, phase: phase)
            _ = try? catalog.setJobState(name, .failed, error: failure, nowMs: environment.nowMs())
            onFailure(failure)
        }
        try? catalog.releaseLease(job: name, owner: environment.owner)
    }

    private func execute() throws {
        let catalog = environment.catalog
        guard let record = try catalog.job(named: name), record.state == .running else { throw JobFailure.leaseLost }
        let definition: JobDefinition
        do {
            definition = try JobDefinition.compile(record.definition, schemas: try environment.schemas(), nowMs: environment.nowMs())
        } catch let error as SQLError {
            throw JobFailure.failed("the job's query no longer compiles: \(error.description)")
        }
        let input: LogStream
        do { input = try environment.log.stream(definition.inputStream) } catch { throw JobFailure.failed("\(error)") }
        let checkpoint = try catalog.checkpoint(job: name)

        let execution: ParallelQueryExecution
        var resumeOffsets: [UInt64]?
        do {
            if let checkpoint {
                var resume = [UInt64](repeating: 0, count: input.shards.count)
                for offset in checkpoint.inputOffsets where offset.stream == definition.inputStream && offset.shard < resume.count {
                    resume[offset.shard] = UInt64(offset.nextOffset)
                }
                resumeOffsets = resume
                execution = try ParallelQueryExecution(plan: definition.plan, stream: input, parallelism: definition.parallelism,
                                                       nowMs: environment.nowMs, resumeAt: resume, recordsScores: true)
                if let state = checkpoint.operatorStates[Self.queryOperator] { try execution.restoreState(state) }
            } else {
                execution = try ParallelQueryExecution(plan: definition.plan, stream: input, parallelism: definition.parallelism,
                                                       nowMs: environment.nowMs, start: Self.start(record.startFrom), recordsScores: true)
            }
        } catch let error as RuntimeError {
            throw JobFailure.failed(error.description)
        } catch let error as StateError {
            throw JobFailure.failed(error.description)
        }

        let outputStream = try definition.outputStream.map { name throws in try environment.log.stream(name) }
        if let outputStream, execution.workerCount > 1, outputStream.shards.count != input.shards.count {
            throw JobFailure.failed("parallelism \(definition.parallelism) with INSERT INTO \(outputStream.name) needs as many shards as \(input.name) "
                + "(\(outputStream.shards.count) against \(input.shards.count)), so that each output shard takes the rows of one worker; use parallelism = 1")
        }
        let keyColumn = definition.outputStream.flatMap { environment.outputKeyColumn($0) }
            .flatMap { key in definition.plan.outputs.firstIndex { $0.name == key } }
        let checkpointedOutput: [Int64]? = checkpoint.map { c in
            var next = [Int64](repeating: 0, count: outputStream?.shards.count ?? 0)
            for offset in c.outputOffsets where offset.stream == definition.outputStream && offset.shard < next.count { next[offset.shard] = offset.nextOffset }
            return next
        }
        let sink = try definition.outputSink.map { sinkName throws in
            guard let record = try catalog.sink(named: sinkName) else {
                throw JobFailure.failed("sink '\(sinkName)' does not exist; create it (CREATE SINK \(sinkName) TO FILES …) or drop the job")
            }
            return try FileSinkWriter(configuration: FileSinkConfiguration(record), job: name,
                                      columns: definition.plan.outputs.map { ($0.name, $0.type) },
                                      state: checkpoint?.operatorStates[Self.sinkOperator], nowMs: environment.nowMs)
        }
        let output = try JobOutput(job: name, kind: definition.outputKind, columnNames: definition.plan.outputs.map(\.name),
                                   stream: outputStream, keyColumn: keyColumn, recordsOut: checkpoint?.recordsOut ?? 0,
                                   checkpointed: checkpointedOutput, sink: sink, nowMs: environment.nowMs)
        hasStarted = true
        // Where the job resumes (a new execution's readers report their positions once they read).
        committedOffsets = resumeOffsets ?? execution.nextSequences
        committedRecordsIn = Int64(execution.currentStatistics.recordsRead)
        events.started(from: JobLogEvents.startText(record.startFrom), checkpointSequence: checkpoint?.sequence,
                       offsets: committedOffsets, parallelism: definition.parallelism, input: definition.inputStream,
                       output: Self.outputText(definition), crashesInARow: record.crashesInARow)

        // Metrics: what each checkpoint covered (deltas), recorded once it commits.
        let metrics = catalog.metricsRecorder
        var recordedIn = Int64(execution.currentStatistics.recordsRead), recordedOut = output.recordsOut
        var recordedLate = Int64(execution.currentStatistics.lateRecords)
        var recordedBad = Int64(execution.currentStatistics.badRecords), recordedMissing = Int64(execution.currentStatistics.missingRecords)
        // The log: a summary of the checkpoints every checkpointLogIntervalMs.
        var tally = CheckpointTally()
        var tallySinceNs = monotonicNs()
        let tallyIntervalNs = UInt64(max(0, environment.options.checkpointLogIntervalMs)) * 1_000_000
        func logSummary(offsets: [UInt64], nowNs: UInt64) {
            if tally.isBusy { events.checkpointSummary(tally, offsets: offsets, elapsedMs: Double(nowNs - tallySinceNs) / 1_000_000) }
            tally = CheckpointTally()
            tallySinceNs = nowNs
        }

        // A checkpoint's input offsets never move back (TigerStyle: asserted in debug builds and tests).
        var committedOffsets = [UInt64](repeating: 0, count: execution.nextSequences.count)
        /// Commits `snapshot` (taken when the last step handed on ended) with the rows waiting.
        func commit(_ snapshot: ParallelQueryExecution.Snapshot) throws {
            let offsets = snapshot.nextSequences
            assert(offsets.count == committedOffsets.count && zip(offsets, committedOffsets).allSatisfy { $0 >= $1 },
                   "job \(name): checkpoint offsets moved back from \(committedOffsets) to \(offsets)")
            let anomalies = output.pendingAlerts.count
            phase = "checkpointing"
            let startNs = monotonicNs()
            // A file sink's staging file made durable, and the files it sealed, in this same transaction.
            let sinkCheckpoint = try output.sink?.prepareCheckpoint()
            if sinkCheckpoint != nil { FaultInjection.point("after a sink's files are synced, before the checkpoint") }
            var operatorStates = [Self.queryOperator: snapshot.state]
            operatorStates[Self.sinkOperator] = sinkCheckpoint?.state
            let data = CheckpointData(
                recordsIn: Int64(snapshot.statistics.recordsRead), recordsOut: output.recordsOut,
                inputOffsets: offsets.enumerated().map {
                    ShardOffset(stream: definition.inputStream, shard: $0.offset, nextOffset: Int64($0.element))
                },
                outputOffsets: definition.outputStream.map { output.outputOffsets(stream: $0) } ?? [],
                operatorStates: operatorStates)
            let held = try catalog.commitCheckpoint(job: name, owner: environment.owner, nowMs: environment.nowMs(),
                                                    leaseDurationMs: environment.options.leaseDurationMs,
                                                    checkpoint: data, alerts: output.pendingAlerts, results: output.pendingResults,
                                                    scores: snapshot.scores, sealedFiles: sinkCheckpoint?.sealed ?? [])
            guard held else { throw JobFailure.leaseLost }
            committedOffsets = offsets
            self.committedOffsets = offsets
            self.committedRecordsIn = data.recordsIn
            FaultInjection.point("after checkpoint")
            try output.sink?.committed()
            output.committed()
            let nowMs = environment.nowMs(), late = Int64(snapshot.statistics.lateRecords)
            let endNs = monotonicNs(), durationMs = Double(endNs - startNs) / 1_000_000
            metrics.record(BuiltinMetric.jobRecordsIn.name, "job", name, Double(data.recordsIn - recordedIn), atMs: nowMs)
            metrics.record(BuiltinMetric.jobRecordsOut.name, "job", name, Double(data.recordsOut - recordedOut), atMs: nowMs)
            metrics.record(BuiltinMetric.jobAnomalies.name, "job", name, Double(anomalies), atMs: nowMs)
            metrics.record(BuiltinMetric.jobLateRecords.name, "job", name, Double(max(0, late - recordedLate)), atMs: nowMs)
            metrics.record(BuiltinMetric.jobCheckpointMs.name, "job", name, durationMs, atMs: nowMs)
            let bad = Int64(snapshot.statistics.badRecords), missing = Int64(snapshot.statistics.missingRecords)
            events.committed(durationMs: durationMs, offsets: offsets)
            tally.add(durationMs: durationMs, recordsIn: data.recordsIn - recordedIn, recordsOut: data.recordsOut - recordedOut,
                      late: max(0, late - recordedLate), bad: max(0, bad - recordedBad), missing: max(0, missing - recordedMissing))
            if endNs - tallySinceNs >= tallyIntervalNs { logSummary(offsets: offsets, nowNs: endNs) }
            (recordedIn, recordedOut, recordedLate) = (data.recordsIn, data.recordsOut, late)
            (recordedBad, recordedMissing) = (bad, missing)
        }
        /// Hands `rows` to the output and appends the stream rows among them.
        func handOn(_ rows: StepRows) throws {
            phase = "writing the output"
            do { try output.add(rows) } catch { throw JobFailure.failed("writing the output: \(error)") }
            FaultInjection.point("after a step, before its output is appended")
            do { try output.flushStream() } catch { throw JobFailure.failed("writing the output stream: \(error)") }
            FaultInjection.point("after output is appended, before the checkpoint")
        }

        // The first checkpoint pins where the job starts (and the output stream's
        // position), so a crash before the next one resumes from the same place.
        if checkpoint == nil { try commit(execution.snapshot()) }
        var lastCommitNs = monotonicNs()
        var recordsAtLastCommit = Int64(execution.currentStatistics.recordsRead)
        var crashCountCleared = record.crashesInARow == 0
        let dueNs = UInt64(definition.checkpointIntervalMs) * 1_000_000
        // Leaving on an error: wait for the workers before their state goes.
        defer { execution.abandonStep() }
        FaultInjection.trapIfChosen(job: name)
        var sizer = JobStepSizer()
        let rowEncoding = output.rowEncoding(workers: execution.workerCount)
        /// Starts the workers' next step, as long as the rows seen so far allow.
        func launchStep() { execution.launchStep(batchesMax: sizer.batchesLimit(workers: execution.workerCount), rows: rowEncoding) }
        launchStep()
        while !shouldStop {
            let (outcome, rows): (QueryExecution.StepOutcome, StepRows)
            phase = "reading the input"
            do { (outcome, rows) = try execution.collectStep() } catch { throw JobFailure.failed(error.description) }
            if case let .progressed(records) = outcome { sizer.observeStep(records: records, rows: rows.count) }
            // The workers are quiet: decide on a checkpoint and take it now.
            // Checkpoint when the interval is up, at once when alerts wait (their
            // latency matters), and when the job has caught up with its stream
            // (a quiet moment: its state is saved before it waits), and when
            // the rows held reach their bound (in rows or result bytes).
            let read = Int64(execution.currentStatistics.recordsRead)
            let alertsWait = output.hasPendingAlerts || (definition.outputKind == .alerts && !rows.isEmpty)
            let caughtUp = outcome == .idle && (read > recordsAtLastCommit || output.hasPendingRows || !rows.isEmpty)
            let rowsFull = output.isFull(adding: rows.count)
            let snapshot = alertsWait || caughtUp || rowsFull || outcome == .finished || monotonicNs() - lastCommitNs >= dueNs
                ? execution.snapshot() : nil
            // The workers read on while this thread hands on and commits, until it collects.
            if case .progressed = outcome, !shouldStop {
                FaultInjection.trapIfChosen(job: name)
                launchStep()
            }
            try handOn(rows)
            if let snapshot { try commit(snapshot) }
            if let snapshot {
                lastCommitNs = monotonicNs()
                recordsAtLastCommit = Int64(snapshot.statistics.recordsRead)
            }
            switch outcome {
            case .progressed: continue
            case .idle:
                if !crashCountCleared {
                    // Caught up after a start: whatever crashed before, it was not this input.
                    try catalog.resetJobCrashes(name)
                    crashCountCleared = true
                }
                JobCrashNote.leaveStep(crashSlot)
                usleep(useconds_t(environment.options.pollIntervalMs * 1000))
                JobCrashNote.enterStep(crashSlot)
                if !shouldStop { launchStep() }
            case .finished:
                throw JobFailure.failed("the job's query ended (it should tail its stream)")
            }
        }
        if execution.stepInFlight {
            do { try handOn(try execution.collectStep().rows) } catch let error as RuntimeError { throw JobFailure.failed(error.description) }
        }
        try output.sink?.sealForStop()
        try commit(execution.snapshot())
        logSummary(offsets: committedOffsets, nowNs: monotonicNs())
        events.stopped(offsets: committedOffsets, recordsIn: self.committedRecordsIn)
    }

    /// Where the job's rows go, for its log: alerts, results, stream s, sink s.
    static func outputText(_ definition: JobDefinition) -> String {
        switch definition.outputKind {
        case .alerts: return "alerts"
        case .results: return "results"
        case .stream: return "stream \(definition.outputStream ?? "?")"
        case .sink: return "sink \(definition.outputSink ?? "?")"
        }
    }

    static let queryOperator = "query"
    /// The operator state of a file sink's files (FileSinkWriter).
    static let sinkOperator = "sink"

    static func start(_ text: String?) -> RangeStart? {
        switch text {
        case nil: return nil
        case "earliest": return .earliest
        case "latest": return .latest
        case let text?: return Int64(text).map { .time($0) }
        }
    }
}

/// Why a worker stopped.
enum JobFailure: Error {
    /// Another process holds the job now, or it was paused or dropped.
    case leaseLost
    case failed(String)
}
