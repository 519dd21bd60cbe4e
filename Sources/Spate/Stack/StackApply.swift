// Makes a stack plan's changes, through the same Session statements a user
// would type (DROP …, CREATE … as written in the file, ALTER JOB … SET), so
// every check and message is CREATE's own; a stream's settings change through
// Database.alterStream, the one way every route alters a stream.
//
// Order: first every drop — the drops of --prune and the drop half of each
// replace — in reverse creation order (alarms, jobs, channels, sinks,
// streams), then every create and alter in creation order (streams, sinks,
// channels, jobs, alarms). No step then uses an object that is not there.
//
// Not a transaction: a step that fails stops apply with the steps before it
// made (each is one catalog or log operation, itself atomic). The stack's
// record is written either way from what exists, and the next plan shows what
// is left to do. Apply refuses, before any step, a plan with a refusal.

import SpateSQL

/// What an apply did, by action.
public struct StackApplyResult: Sendable, Equatable {
    public var created = 0, altered = 0, replaced = 0, dropped = 0

    /// `Apply complete: 2 created, 1 altered, 1 replaced, 0 dropped.`
    public var summary: String {
        "Apply complete: \(created) created, \(altered) altered, \(replaced) replaced, \(dropped) dropped."
    }
}

extension Database {
    /// Makes the changes of `plan`, which `planStack` (or `planStackDestroy`)
    /// made for `file` on this database, telling `report` each step's message
    /// ("created stream transactions (2 shards)"). Then records which objects
    /// are the stack's (all of them gone: the record is removed). Throws, before
    /// changing anything, when the plan has a refusal; otherwise the first
    /// step's error, the steps before it kept.
    @discardableResult
    public func applyStack(_ plan: StackPlan, file: StackFile, stack: String,
                           report: @escaping (String) -> Void) throws(SpateError) -> StackApplyResult {
        if let refused = plan.refusals.first {
            throw .invalidArgument("apply refuses to \(refused.action.rawValue) \(refused.id): \(refused.refusal ?? "")")
        }
        let recorded = try StackRecord.read(dataDirectory: dataDirectory, stack: stack)
        var result = StackApplyResult()
        do throws(SpateError) {
            try makeChanges(plan, file: file, result: &result, report: report)
        } catch {
            try? recordStack(recorded + file.declarations.map(\.id), stack: stack)
            throw error
        }
        try recordStack(recorded + file.declarations.map(\.id), stack: stack)
        return result
    }

    private func makeChanges(_ plan: StackPlan, file: StackFile, result: inout StackApplyResult,
                             report: @escaping (String) -> Void) throws(SpateError) {
        let session = Session(database: self)
        let sink = StackMessageSink(report)
        let cancel = CancellationFlag()
        let dropsFirst = plan.changes.filter { $0.action == .drop || $0.action == .replace }
            .sorted { $0.id.kind != $1.id.kind ? $0.id.kind > $1.id.kind : $0.id.name < $1.id.name }
        for change in dropsFirst {
            let drop = DropStatement(objectType: change.id.kind.objectType, name: Identifier(change.id.name))
            try session.execute(Statement(.drop(drop)), source: drop.description, sink: sink, cancel: cancel)
            if change.action == .drop { result.dropped += 1 }
        }
        for change in plan.changes.filter({ $0.action != .drop }).sorted(by: { $0.id < $1.id }) {
            guard let declaration = change.declaration else { preconditionFailure("a create, alter or replace carries its declaration") }
            switch change.action {
            case .create, .replace:
                try session.execute(declaration.statement, source: file.source, sink: sink, cancel: cancel)
                if change.action == .create { result.created += 1 } else { result.replaced += 1 }
            case .alter where change.id.kind == .stream:
                guard let wanted = change.streamSettings else { preconditionFailure("a stream alter carries its settings") }
                try alterStream(change.id.name) { (settings) throws(SpateError) in
                    settings.retentionAgeMs = wanted.retentionAgeMs
                    settings.retentionBytes = wanted.retentionBytes
                    settings.retentionRecords = wanted.retentionRecords
                    settings.archiveDirectory = wanted.archiveDirectory
                    settings.durability = wanted.durability
                    settings.segmentBytesMax = wanted.segmentBytesMax
                    settings.segmentAgeMaxMs = wanted.segmentAgeMaxMs
                }
                report("altered stream \(change.id.name): " + change.differences.joined(separator: ", "))
                result.altered += 1
            case .alter:
                let alter = AlterStatement(objectType: change.id.kind.objectType, name: Identifier(change.id.name), options: change.jobOptions)
                try session.execute(Statement(.alter(alter)), source: file.source, sink: sink, cancel: cancel)
                result.altered += 1
            case .drop:
                break
            }
        }
    }

    /// Records, of `ids`, those that exist now as the objects of `stack`.
    private func recordStack(_ ids: [StackObjectID], stack: String) throws(SpateError) {
        let names = try catalogNames()
        let sinks: Set<String>
        do { sinks = Set(try catalog.sinks().map(\.name)) } catch { throw .catalog(error.description) }
        let existing = ids.filter { id in
            switch id.kind {
            case .stream: names.streams.contains(id.name)
            case .sink: sinks.contains(id.name)
            case .channel: names.channels.contains(id.name)
            case .job: names.jobs.contains(id.name)
            case .alarm: names.alarms.contains(id.name)
            }
        }
        try StackRecord.write(existing, dataDirectory: dataDirectory, stack: stack)
    }
}

/// Passes the messages of the statements apply runs on to a closure.
final class StackMessageSink: ResultSink {
    private let report: (String) -> Void

    init(_ report: @escaping (String) -> Void) { self.report = report }

    func begin(columns: [ResultColumn]) {}
    func row(_ values: [Value]) {}
    func end(_ summary: QuerySummary) {}
    func message(_ text: String) { report(text) }
}
