// Makes a stack plan: reads what the data directory has (every stream, sink,
// channel, job and alarm, once), compares each declaration of the file with
// its object (StackStreamDiff, StackJobDiff, StackDefinitionDiff), adds the
// drops --prune asks for and the job replaces a sink replace forces, and
// checks that every statement apply will run would be accepted — each job
// compiled against the streams the directory will have once the plan is
// applied — so that a plan that prints is a plan that applies.

import SpateAlerts
import SpateCatalog
import SpateRuntime
import SpateSQL

struct StackPlanner {
    let database: Database
    let file: StackFile
    let session: Session
    let streams: Set<String>
    let jobs: [String: JobRecord]
    let channels: [String: ChannelRecord]
    let sinks: [String: SinkRecord]
    let alarms: [String: AlarmRecord]
    /// The stream declarations of the file, read as CREATE STREAM reads them.
    let declaredStreams: [String: DeclaredStream]

    /// `readingStreams`: read the file's stream declarations (every plan
    /// does; destroy, which only drops, does not need them to be valid).
    init(database: Database, file: StackFile, readingStreams: Bool = true) throws(SpateError) {
        self.database = database
        self.file = file
        session = Session(database: database)
        streams = Set(try database.streamNames())
        jobs = Dictionary(uniqueKeysWithValues: try database.jobRecords().map { ($0.name, $0) })
        do {
            channels = Dictionary(uniqueKeysWithValues: try database.catalog.channels().map { ($0.name, $0) })
            sinks = Dictionary(uniqueKeysWithValues: try database.catalog.sinks().map { ($0.name, $0) })
            alarms = Dictionary(uniqueKeysWithValues: try database.catalog.alarms().map { ($0.name, $0) })
        } catch {
            throw .catalog(error.description)
        }
        var declared: [String: DeclaredStream] = [:]
        for declaration in file.declarations where readingStreams {
            if case let .createStream(statement) = declaration.statement.kind {
                declared[declaration.id.name] = try DeclaredStream(statement, session: session, source: file.source)
            }
        }
        declaredStreams = declared
    }

    func exists(_ id: StackObjectID) -> Bool {
        switch id.kind {
        case .stream: streams.contains(id.name)
        case .sink: sinks[id.name] != nil
        case .channel: channels[id.name] != nil
        case .job: jobs[id.name] != nil
        case .alarm: alarms[id.name] != nil
        }
    }

    /// The plan for `file`; `recorded` is the stack's record (objects earlier
    /// applies made part of it), whose objects the file no longer declares are
    /// dropped with `prune` and listed as kept without.
    func plan(recorded: [StackObjectID], prune: Bool) throws(SpateError) -> StackPlan {
        var changes: [StackObjectID: StackChange] = [:]
        for declaration in file.declarations {
            if let change = try compare(declaration) { changes[declaration.id] = change }
        }
        let declared = Set(file.declarations.map(\.id))
        let gone = Set(recorded).filter { !declared.contains($0) && exists($0) }.sorted()
        if prune {
            for id in gone { changes[id] = try dropChange(id) }
        }
        replaceWritersOfReplacedSinks(&changes)
        try check(changes)
        return StackPlan(changes: changes.values.sorted { $0.id < $1.id }, kept: prune ? [] : gone)
    }

    /// Drops of every object of the stack that exists, in the order destroy
    /// runs them (reverse creation order, then name).
    func destroyPlan(recorded: [StackObjectID]) throws(SpateError) -> StackPlan {
        var changes: [StackObjectID: StackChange] = [:]
        for id in Set(file.declarations.map(\.id) + recorded) where exists(id) {
            changes[id] = try dropChange(id)
        }
        refuseDropsOfSinksStillWritten(&changes)
        let order = changes.values.sorted { $0.id.kind != $1.id.kind ? $0.id.kind > $1.id.kind : $0.id.name < $1.id.name }
        return StackPlan(changes: order, kept: [])
    }

    private func compare(_ declaration: StackDeclaration) throws(SpateError) -> StackChange? {
        guard exists(declaration.id) else { return StackChange(.create, declaration.id, declaration: declaration) }
        switch declaration.statement.kind {
        case .createStream: return try compareStream(declaration, declaredStreams[declaration.id.name]!)
        case let .createJob(s): return try compareJob(declaration, s)
        case let .createChannel(s): return compareChannel(declaration, s)
        case let .createSink(s): return compareSink(declaration, s)
        case let .createAlarm(s): return compareAlarm(declaration, s)
        default: preconditionFailure("StackFile.parse keeps only CREATE statements of a stack's kinds")
        }
    }

    func dropChange(_ id: StackObjectID) throws(SpateError) -> StackChange {
        let consequence: String? = switch id.kind {
        case .stream: try recordsLost(id.name)
        case .job: try jobStateLost(id.name, stored: storedJob(id.name))
        case .sink: "its files stay"
        case .channel: nil
        case .alarm: "its history is kept"
        }
        return StackChange(.drop, id, consequence: consequence)
    }

    /// A sink is dropped only when no job writes into it: the stack's writers
    /// of a replaced sink are replaced with it; any other writer makes apply refuse.
    private func replaceWritersOfReplacedSinks(_ changes: inout [StackObjectID: StackChange]) {
        for sink in changes.values where sink.id.kind == .sink && sink.action == .replace {
            for writer in writers(of: sink.id.name) {
                let id = StackObjectID(.job, writer)
                if let change = changes[id], change.action == .replace || change.action == .drop { continue }
                guard let declaration = file.declaration(id) else { continue }
                var change = StackChange(.replace, id, differences: ["its sink \(sink.id.name) is replaced"] + (changes[id]?.differences ?? []),
                                         declaration: declaration)
                change.consequence = try? jobStateLost(writer, stored: storedJob(writer))
                changes[id] = change
            }
        }
        refuseDropsOfSinksStillWritten(&changes)
    }

    private func refuseDropsOfSinksStillWritten(_ changes: inout [StackObjectID: StackChange]) {
        for (id, change) in changes where id.kind == .sink && (change.action == .replace || change.action == .drop) {
            let remaining = writers(of: id.name).filter { writer in
                guard let job = changes[StackObjectID(.job, writer)] else { return true }
                return job.action != .replace && job.action != .drop
            }
            if let writer = remaining.first {
                changes[id]?.refusal = "job \(writer) writes into it and is not part of this stack: drop that job first (DROP JOB \(writer))"
            }
        }
    }

    /// Job `name`'s CREATE JOB as the catalog keeps it, if it parses.
    func storedJob(_ name: String) -> CreateJobStatement? {
        guard let record = jobs[name], let parsed = try? Parser.parseStatement(record.definition),
              case let .createJob(statement) = parsed.kind else { return nil }
        return statement
    }

    private func writers(of sink: String) -> [String] {
        jobs.values.filter { $0.outputSink == sink }.map(\.name).sorted()
    }

    /// The analyzer's view of the data directory as it is now.
    func currentSchemas() throws(SpateError) -> SessionSchemas { try session.schemaProvider() }

    /// Compiles what apply will create or alter, against the streams the
    /// directory will have after the plan; throws the first error, located in the file.
    private func check(_ changes: [StackObjectID: StackChange]) throws(SpateError) {
        guard changes.values.contains(where: { $0.action != .drop }) else { return }
        var schemas = try currentSchemas()
        for change in changes.values where change.id.kind == .stream && change.action == .drop {
            schemas.streams[change.id.name] = nil
        }
        for (name, declared) in declaredStreams { schemas.streams[name] = declared.schema(name) }
        let now = database.now()
        for change in changes.values.sorted(by: { $0.id < $1.id }) where change.action != .drop {
            guard let declaration = file.declaration(change.id) else { continue }
            do throws(SQLError) {
                switch declaration.statement.kind {
                case var .createJob(statement):
                    for option in change.jobOptions {
                        statement.options.removeAll { $0.name.value.lowercased() == option.name.value.lowercased() }
                        statement.options.append(option)
                    }
                    _ = try JobDefinition.compile(statement, schemas: schemas, nowMs: now)
                case let .createChannel(statement) where change.action != .alter:
                    _ = try ChannelDefinition.compile(statement, workingDirectory: Session.currentDirectory(), nowMs: now)
                case let .createAlarm(statement) where change.action != .alter:
                    _ = try AlarmDefinition.compile(statement, nowMs: now)
                default:
                    break
                }
            } catch {
                throw .sql(error, source: file.source)
            }
        }
    }
}
