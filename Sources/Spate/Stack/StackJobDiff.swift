// How a declared job compares with the job in the catalog.
//
// Both CREATE JOB statements are parsed and compared as ASTs (positions,
// spacing and keyword case do not count). A different query — the body, from
// SELECT or INSERT INTO to the end — means a new job: its checkpoint and the
// state under it (open windows, detector state) belong to the old query and
// cannot carry over, so the job is replaced. Options are compared as values
// ('1 second' = 1000; notify lists as sets). checkpoint_interval and notify
// are altered in place (ALTER JOB … SET; leaving one out means its default),
// and so is alerts when the file gives it; parallelism is fixed when a job is
// made, and alerts cannot be unset, so those changes replace the job.

import SpateCatalog
import SpateRuntime
import SpateSQL

extension StackPlanner {
    /// What an option left out means: the value compared, how the plan shows
    /// it, and the option ALTER JOB sets to get back to it (nil: ALTER cannot).
    static let jobOptionDefaults: [String: (value: String, shown: String, option: Option?)] = [
        "checkpoint_interval": ("1000", "'1 second'", Option(name: "checkpoint_interval", value: .string("1 second"))),
        "notify": ("", "''", Option(name: "notify", value: .string(""))),
        "parallelism": ("1", "1", nil),
        "alerts": ("", "(from the query)", nil),
    ]

    /// The change that makes job `declaration` what the file says, or nil when it is.
    func compareJob(_ declaration: StackDeclaration, _ statement: CreateJobStatement) throws(SpateError) -> StackChange? {
        let name = declaration.id.name
        guard let record = jobs[name] else { return StackChange(.create, declaration.id, declaration: declaration) }
        guard let parsed = try? Parser.parseStatement(record.definition), case let .createJob(stored) = parsed.kind else {
            return StackChange(.replace, declaration.id, differences: ["its stored definition does not parse"],
                               consequence: try jobStateLost(name, stored: nil), declaration: declaration)
        }
        var replaceReasons: [String] = []
        var alterations: [String] = []
        var alterOptions: [Option] = []
        if stored.body != statement.body { replaceReasons.append("query changed") }
        let names = Set((stored.options + statement.options).map { $0.name.value.lowercased() })
        for option in names.sorted() {
            let old = stored.options.option(named: option), new = statement.options.option(named: option)
            guard Self.jobOptionValue(option, old) != Self.jobOptionValue(option, new) else { continue }
            let text = "\(option) \(Self.jobOptionShown(option, old)) → \(Self.jobOptionShown(option, new))"
            if let setting = new ?? Self.jobOptionDefaults[option]?.option, option != "parallelism" {
                alterations.append(text)
                alterOptions.append(setting)
            } else {
                replaceReasons.append(text)
            }
        }
        if !replaceReasons.isEmpty {
            return StackChange(.replace, declaration.id, differences: replaceReasons + alterations,
                               consequence: try jobStateLost(name, stored: stored), declaration: declaration)
        }
        guard !alterations.isEmpty else { return nil }
        var change = StackChange(.alter, declaration.id, differences: alterations, declaration: declaration)
        change.jobOptions = alterOptions
        return change
    }

    /// An option's value as compared: durations in ms, notify as a sorted set.
    static func jobOptionValue(_ name: String, _ option: Option?) -> String {
        guard let option else { return jobOptionDefaults[name]?.value ?? "" }
        switch (name, option.value) {
        case let ("checkpoint_interval", .string(text)):
            return SQLDuration.parse(text).map { String($0.milliseconds) } ?? option.value.description
        case let ("checkpoint_interval", .integer(ms)):
            return String(ms)
        case let ("notify", .string(text)):
            let channels = Set(text.split(separator: ",").map { $0.trimmingCharacters(in: " \t") }.filter { !$0.isEmpty })
            return channels.sorted().joined(separator: ",")
        default:
            return option.value.description
        }
    }

    static func jobOptionShown(_ name: String, _ option: Option?) -> String {
        option?.value.description ?? jobOptionDefaults[name]?.shown ?? "(none)"
    }

    /// What dropping job `name` loses, from its query as stored: `loses its
    /// checkpoint, open windows and detector state`, with `; none taken yet`
    /// when it has never checkpointed.
    func jobStateLost(_ name: String, stored: CreateJobStatement?) throws(SpateError) -> String {
        var parts = ["its checkpoint"]
        if let stored, let plan = try? JobDefinition.compile(stored, schemas: currentSchemas(), nowMs: database.now()).plan {
            if plan.window != nil {
                parts.append("open windows")
            } else if plan.isAggregating {
                parts.append("its running aggregates")
            }
            if !plan.detectors.isEmpty { parts.append("detector state") }
        }
        let listed = parts.count == 1 ? parts[0] : parts.dropLast().joined(separator: ", ") + " and " + parts[parts.count - 1]
        let checkpoints = try database.catalogQuery(sql: "SELECT 1 FROM checkpoints WHERE job = ?1", parameters: [.text(name)])
        return "loses \(listed)" + (checkpoints.rowCount == 0 ? "; none taken yet" : "")
    }
}
