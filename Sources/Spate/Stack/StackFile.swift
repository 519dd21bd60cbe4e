// A stack file: the SQL script that declares a deployment — CREATE STREAM,
// SINK, CHANNEL, JOB and ALARM statements, nothing else — the way a CDK app
// declares its resources. `spate plan` compares it with a data directory,
// `spate apply` makes the directory match it, `spate destroy` removes it.
//
// Rules: every statement is a CREATE of one of those kinds (`IF NOT EXISTS`
// is allowed and means nothing here, so the same file also runs with `spate
// -f`); a name is declared once per kind. Anything else (INSERT, SELECT,
// DROP, ALTER …) is refused with its line, since a stack says what should
// exist, not what to do.

import SpateSQL

/// A parsed stack file.
public struct StackFile: Sendable {
    /// The file's text; the declarations' ranges point into it.
    public var source: String
    /// The declarations, sorted by `StackObjectID` (creation order, then name).
    public var declarations: [StackDeclaration]

    /// Parses `source`. Throws a SQL error (with line and caret) for text that
    /// does not parse, a statement that is not a CREATE of a stack's kinds,
    /// and a name declared twice.
    public static func parse(_ source: String) throws(SpateError) -> StackFile {
        let statements: [Statement]
        do { statements = try Parser.parseScript(source) } catch { throw .sql(error, source: source) }
        var declarations: [StackObjectID: StackDeclaration] = [:]
        for statement in statements {
            guard let name = declaredName(statement) else {
                throw .sqlMessage("a stack holds only CREATE STREAM, SINK, CHANNEL, JOB and ALARM statements; run this one with `spate -c`",
                                  at: statement.range, source: source)
            }
            let id = StackObjectID(name.kind, name.identifier.value)
            guard declarations[id] == nil else {
                throw .sqlMessage("\(id) is declared twice in this stack", at: name.identifier.range, source: source)
            }
            declarations[id] = StackDeclaration(id: id, statement: statement)
        }
        return StackFile(source: source, declarations: declarations.values.sorted { $0.id < $1.id })
    }

    /// The declaration of `id`, if the file has one.
    public func declaration(_ id: StackObjectID) -> StackDeclaration? {
        declarations.first { $0.id == id }
    }

    static func declaredName(_ statement: Statement) -> (kind: StackObjectKind, identifier: Identifier)? {
        switch statement.kind {
        case let .createStream(s): (.stream, s.name)
        case let .createSink(s): (.sink, s.name)
        case let .createChannel(s): (.channel, s.name)
        case let .createJob(s): (.job, s.name)
        case let .createAlarm(s): (.alarm, s.name)
        default: nil
        }
    }
}
