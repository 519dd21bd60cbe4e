// How declared channels, sinks and alarms compare with the catalog's.
//
// The catalog keeps each one's CREATE statement; both are parsed and compared
// field by field, as values (options by name, in any order; an alarm's NOTIFY
// as a set), so spacing, keyword case and option order do not count. There is
// no ALTER for these kinds, so any difference replaces the object: drop, then
// create from the file. What that costs:
//
// - a channel: nothing kept by it (deliveries name it, and go on to the new
//   one); webhook header and routing_key values are secrets and show only as
//   `changed`, as SHOW CHANNELS masks them;
// - a sink: the catalog's list of its sealed files (the files stay), and every
//   job writing into it has to be dropped first (StackPlanner replaces the
//   stack's own; one that is not the stack's makes apply refuse);
// - an alarm: its state, which starts again at INSUFFICIENT_DATA (its history
//   and alerts are kept).

import SpateAlerts
import SpateSQL

extension StackPlanner {
    func compareChannel(_ declaration: StackDeclaration, _ statement: CreateChannelStatement) -> StackChange? {
        guard let record = channels[declaration.id.name] else { return StackChange(.create, declaration.id, declaration: declaration) }
        guard let parsed = try? Parser.parseStatement(record.definition), case let .createChannel(stored) = parsed.kind else {
            return Self.replaceUnreadable(declaration)
        }
        var differences: [String] = []
        if stored.channelType != statement.channelType {
            differences.append("type \(stored.channelType.rawValue) → \(statement.channelType.rawValue)")
        }
        differences += Self.optionDifferences(stored.options, statement.options, secret: ["headers", "routing_key"])
        guard !differences.isEmpty else { return nil }
        return StackChange(.replace, declaration.id, differences: differences, consequence: "there is no ALTER CHANNEL", declaration: declaration)
    }

    func compareSink(_ declaration: StackDeclaration, _ statement: CreateSinkStatement) -> StackChange? {
        guard let record = sinks[declaration.id.name] else { return StackChange(.create, declaration.id, declaration: declaration) }
        guard let parsed = try? Parser.parseStatement(record.definition), case let .createSink(stored) = parsed.kind else {
            return Self.replaceUnreadable(declaration)
        }
        func text<T>(_ value: T?) -> String { value.map { "\($0)" } ?? "(default)" }
        let fields: [(String, String, String)] = [
            ("directory", Literal.string(stored.directory).description, Literal.string(statement.directory).description),
            ("format", stored.format.rawValue, statement.format.rawValue),
            ("partition", stored.partition.rawValue, statement.partition.rawValue),
            ("roll every", text(stored.rollEvery), text(statement.rollEvery)),
            ("roll size", text(stored.rollBytes), text(statement.rollBytes)),
        ]
        let differences = fields.filter { $0.1 != $0.2 }.map { "\($0.0) \($0.1) → \($0.2)" }
        guard !differences.isEmpty else { return nil }
        return StackChange(.replace, declaration.id, differences: differences,
                           consequence: "forgets its list of sealed files; the files stay", declaration: declaration)
    }

    func compareAlarm(_ declaration: StackDeclaration, _ statement: CreateAlarmStatement) -> StackChange? {
        guard let record = alarms[declaration.id.name] else { return StackChange(.create, declaration.id, declaration: declaration) }
        guard let parsed = try? Parser.parseStatement(record.definition), case let .createAlarm(stored) = parsed.kind else {
            return Self.replaceUnreadable(declaration)
        }
        func fields(_ a: CreateAlarmStatement) -> [(String, String)] {
            [("metric", a.metric + (a.dimensions.isEmpty ? "" : " WHERE " + a.dimensions.map(\.description).joined(separator: " AND "))),
             ("statistic", a.statistic.rawValue),
             ("period", a.period.description),
             ("when", "\(a.comparison.rawValue) \(a.threshold)"),
             ("for", "\(a.datapointsToAlarm) of \(a.evaluationPeriods) periods"),
             ("missing", a.missingData?.rawValue ?? "MISSING"),
             ("notify", a.notify.map(\.value).sorted().joined(separator: ", "))]
        }
        let differences = zip(fields(stored), fields(statement)).filter { $0.0.1 != $0.1.1 }.map { "\($0.0.0) \($0.0.1) → \($0.1.1)" }
        guard !differences.isEmpty else { return nil }
        return StackChange(.replace, declaration.id, differences: differences,
                           consequence: "its state starts again at INSUFFICIENT_DATA; its history is kept", declaration: declaration)
    }

    /// `url 'a' → 'b'` for each option whose value differs (names compared
    /// ignoring case); a secret option's values are not shown.
    static func optionDifferences(_ old: [Option], _ new: [Option], secret: Set<String>) -> [String] {
        let names = Set((old + new).map { $0.name.value.lowercased() })
        return names.sorted().compactMap { name in
            let before = old.option(named: name)?.value, after = new.option(named: name)?.value
            guard before != after else { return nil }
            if secret.contains(name) { return "\(name) changed" }
            return "\(name) \(before?.description ?? "(none)") → \(after?.description ?? "(none)")"
        }
    }

    static func replaceUnreadable(_ declaration: StackDeclaration) -> StackChange {
        StackChange(.replace, declaration.id, differences: ["its stored definition does not parse"], declaration: declaration)
    }
}
