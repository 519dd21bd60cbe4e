// How far the workers of a step read (ParallelQueryExecution): a plain step
// reads `batches` batches a worker; a launched step shares one budget of
// `batchesMax` batches a worker among its workers, each reading at least one.

import Foundation
@testable import SpateRuntime
import SpateSQL
import Testing

@Suite struct LaunchedStepTests {
    /// 40,000 transactions of 40 users in 2 shards, by user (each shard holds
    /// more than any step here reads).
    func execution(_ log: TemporaryLog) throws -> ParallelQueryExecution {
        let lines = generateTransactions(count: 40_000, users: 40).map(\.json)
        let stream = try makeStream(log, "tx", lines: lines, shards: 2, key: { String($0.split(separator: "\"")[3]) })
        for shard in stream.shards { #expect(try shard.describe().nextSequence > 16_384) }
        let plan = WindowedAggregateTests().referencePlan(window: .tumbling(sizeMs: 60_000))
        return try ParallelQueryExecution(plan: plan, stream: stream, parallelism: 2, start: .earliest)
    }

    @Test func aPlainStepReadsItsBatchesOnEveryWorker() throws {
        let log = try TemporaryLog()
        let execution = try execution(log)
        _ = try execution.step { _ in true }
        #expect(execution.currentStatistics.recordsRead == 2 * ParallelQueryExecution.batchesPerStep * batchRowCapacity)
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
}
