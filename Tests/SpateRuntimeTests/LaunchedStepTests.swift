// How far the workers of a step read (ParallelQueryExecution): a plain step
// (a bounded query's) reads whole batches on every worker until it has run
// `stepNsMin`, within `boundedStepBatchesMax` a worker; a launched step shares one budget of
// `batchesMax` batches a worker among its workers, each reading at least one.
// With `callerRunsAShare` (at least as many workers as cores), the caller of
// collectStep reads one part itself, only while the step has time left: the
// part furthest ahead in arrival time (on a tie, the parts take turns).

import Foundation
@testable import SpateRuntime
import SpateLog
import SpateSQL
import Synchronization
import Testing

@Suite struct LaunchedStepTests {
    /// 40,000 transactions of 40 users in 2 shards, by user (each shard holds
    /// more than any step here reads).
    func execution(_ log: TemporaryLog, callerRunsAShare: Bool = false) throws -> ParallelQueryExecution {
        let lines = generateTransactions(count: 40_000, users: 40).map(\.json)
        let stream = try makeStream(log, "tx", lines: lines, shards: 2, key: { String($0.split(separator: "\"")[3]) })
        for shard in stream.shards { #expect(try shard.describe().nextSequence > 16_384) }
        let plan = WindowedAggregateTests().referencePlan(window: .tumbling(sizeMs: 60_000))
        let execution = try ParallelQueryExecution(plan: plan, stream: stream, parallelism: 2, start: .earliest)
        execution.callerRunsAShare = callerRunsAShare
        return execution
    }

    @Test func aPlainStepReadsWholeBatchesOnEveryWorker() throws {
        let log = try TemporaryLog()
        let execution = try execution(log)
        let before = execution.nextSequences
        _ = try execution.step { _ in true }
        let moved = zip(before, execution.nextSequences).map { Int($0.1 - $0.0) }
        for records in moved {
            #expect(records >= batchRowCapacity && records % batchRowCapacity == 0, "whole batches, one at least: moved \(moved)")
        }
        #expect(moved.reduce(0, +) <= 2 * ParallelQueryExecution.boundedStepBatchesMax * batchRowCapacity, "moved \(moved)")
        #expect(execution.currentStatistics.recordsRead == moved.reduce(0, +))
    }

    @Test func aLaunchedStepsWorkersShareOneBudget() throws {
        let log = try TemporaryLog()
        let execution = try execution(log)
        // Collected at once: the workers read until the budget is spent (or
        // stepNsMin passes), at most 2 × 3 batches, at least one each.
        execution.launchStep(batches: 3, batchesMax: 3)
        _ = try execution.collectStep()
        let read = execution.currentStatistics.recordsRead
        #expect(read >= 2 * batchRowCapacity && read <= 6 * batchRowCapacity, "read \(read)")
        #expect(read % batchRowCapacity == 0, "whole batches: read \(read)")
    }

    /// The caller's share is read only in the step's slack: collected after
    /// the step has run its time, the caller's part reads nothing, and the
    /// step still counts as progress (that part is not caught up).
    @Test func theCallersShareIsReadOnlyInTheStepsSlack() throws {
        let log = try TemporaryLog()
        let execution = try execution(log, callerRunsAShare: true)
        for _ in 0..<2 {
            let before = execution.nextSequences
            execution.launchStep(batches: 1, batchesMax: 4)
            usleep(useconds_t(ParallelQueryExecution.stepNsMin / 1000 + 5_000))
            let (outcome, _) = try execution.collectStep()
            guard case let .progressed(records) = outcome else { Issue.record("outcome \(outcome)"); return }
            let moved = zip(before, execution.nextSequences).map { $0.1 - $0.0 }
            #expect(moved.filter { $0 == 0 }.count == 1, "one part waited for the caller: moved \(moved)")
            #expect(records == Int(moved.reduce(0, +)) && records > 0)
        }
    }

    /// The caller reads the part furthest ahead in arrival time, so that a
    /// part behind gets whole steps of the crew until it has caught up (at the
    /// end of a backlog both parts finish together, instead of one thread
    /// reading the last records of one part while the other waits). Here every
    /// record of shard 0 arrived before any of shard 1: once both parts have
    /// read, part 0 is behind at every step and only it moves.
    @Test func theCallerReadsThePartFurthestAhead() throws {
        let clock = Mutex<Int64>(1_732_400_000_000)
        let log = try TemporaryLog(now: { clock.withLock { $0 += 1; return $0 } })
        let stream = try log.store.createStream("tx", settings: StreamSettings(shardCount: 2, durability: .none))
        let transactions = generateTransactions(count: 40_000, users: 40)
        for shard in 0..<2 {
            var batch = AppendBatch()
            for transaction in transactions where (Int(transaction.userId.dropFirst(4))! < 20) == (shard == 0) {
                try batch.append(key: transaction.userId, payload: Array(transaction.json.utf8))
                if batch.count == 1000 { _ = try stream.shards[shard].append(batch); batch.removeAll() }
            }
            if !batch.isEmpty { _ = try stream.shards[shard].append(batch) }
        }
        let plan = WindowedAggregateTests().referencePlan(window: .tumbling(sizeMs: 60_000))
        let execution = try ParallelQueryExecution(plan: plan, stream: stream, parallelism: 2, start: .earliest)
        execution.callerRunsAShare = true
        var moved: [[UInt64]] = []
        for _ in 0..<5 {
            let before = execution.nextSequences
            execution.launchStep(batches: 1, batchesMax: 2)
            // Collected after the step's time: the caller's part reads nothing.
            usleep(useconds_t(ParallelQueryExecution.stepNsMin / 1000 + 5_000))
            _ = try execution.collectStep()
            moved.append(zip(before, execution.nextSequences).map { $0.1 - $0.0 })
        }
        // Steps 1 and 2: nothing read yet, then part 0 ahead of the unread part 1: each moves once.
        #expect(moved[0].filter { $0 > 0 }.count == 1 && moved[1].filter { $0 > 0 }.count == 1)
        #expect(Set([moved[0].firstIndex { $0 > 0 }, moved[1].firstIndex { $0 > 0 }]) == [0, 1], "moved \(moved)")
        // Then part 0 is behind part 1 in arrival time at every step.
        for step in moved.dropFirst(2) { #expect(step[0] > 0 && step[1] == 0, "moved \(moved)") }
    }

    /// Whoever reads a part, a job's steps read every record once and emit
    /// every row: the same rows for each key, in the same order, as steps of
    /// the workers alone.
    @Test func stepsWithTheCallersShareEmitEveryRowOnce() throws {
        func rowsByKey(callerRunsAShare: Bool) throws -> (rows: [String: [[Value]]], read: Int) {
            let log = try TemporaryLog()
            let execution = try execution(log, callerRunsAShare: callerRunsAShare)
            var rows: [String: [[Value]]] = [:]
            while true {
                execution.launchStep(batches: 1, batchesMax: 3)
                let (outcome, stepRows) = try execution.collectStep()
                for arena in stepRows.byWorker {
                    for row in 0..<arena.count {
                        let values = Array(arena.values(ofRow: row))
                        rows[JSONText.plain(values[0]), default: []].append(values)
                    }
                }
                if case .progressed = outcome { continue }
                return (rows, execution.currentStatistics.recordsRead)
            }
        }
        let alone = try rowsByKey(callerRunsAShare: false), shared = try rowsByKey(callerRunsAShare: true)
        #expect(alone.read == 40_000 && shared.read == 40_000)
        #expect(alone.rows.count == 40 && alone.rows.values.allSatisfy { !$0.isEmpty })
        #expect(shared.rows == alone.rows)
    }
}
