// A stack plan: the changes that make a data directory match a stack file,
// as `spate plan` prints them and `spate apply` makes them.
//
// The text is stable (changes sorted in creation order, then by name) and
// ends with a summary line, so two plans diff line by line:
//
//     + create stream transactions
//     ~ alter job x: checkpoint_interval '1 second' → '5 seconds'
//
//     Plan: 1 to create, 1 to alter, 0 to replace, 0 to drop.
//
// Entry points: `Database.planStack` (an open data directory) and
// `StackPlan.make(…dataDirectory:…)`, which plans against a directory that
// does not exist yet without creating it.

import SpateLog

#if canImport(Glibc)
import Glibc
#endif

/// The changes that make a data directory match a stack file.
public struct StackPlan: Sendable {
    /// Sorted by object: creation order, then name.
    public var changes: [StackChange]
    /// Objects an earlier apply made part of the stack that the file no longer
    /// declares, left alone because the plan was made without `prune`.
    public var kept: [StackObjectID]

    public var isEmpty: Bool { changes.isEmpty }

    /// The changes apply refuses to make.
    public var refusals: [StackChange] { changes.filter { $0.refusal != nil } }

    public func count(_ action: StackChange.Action) -> Int { changes.count(where: { $0.action == action }) }

    /// `Plan: 2 to create, 1 to alter, 1 to replace, 0 to drop.`
    public var summary: String {
        "Plan: \(count(.create)) to create, \(count(.alter)) to alter, \(count(.replace)) to replace, \(count(.drop)) to drop."
    }

    /// The whole plan as `spate plan` prints it, ending with a newline.
    public var text: String {
        var lines = changes.map(\.text)
        if !kept.isEmpty {
            lines.append("# not in the file, kept (plan --prune drops them): " + kept.map(\.description).joined(separator: ", "))
        }
        if isEmpty {
            lines.append("No changes: the data directory matches the stack.")
        } else {
            lines.append("")
            lines.append(summary)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Plans `file` against the data directory `dataDirectory` (nil: the
    /// default one) without creating it: a directory that does not exist is
    /// planned as an empty one (everything to create).
    public static func make(_ file: StackFile, dataDirectory: String?, stack: String, prune: Bool,
                            options: LogOptions = LogOptions()) throws(SpateError) -> StackPlan {
        let directory = dataDirectory ?? Database.defaultDataDirectory()
        if access(directory, F_OK) == 0 {
            return try Database.open(directory, options: options).planStack(file, stack: stack, prune: prune)
        }
        // The checks a plan makes (stream options, job queries) run in a
        // session, which needs a database: an empty one in a directory of our own.
        let temporary = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((temporary + "/spate-plan-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw .io("cannot make a temporary directory to plan in: \(String(cString: strerror(errno)))") }
        let scratch = String(cString: made)
        defer { StackPaths.removeTree(scratch) }
        return try Database.open(scratch, options: options).planStack(file, stack: stack, prune: prune)
    }
}

extension Database {
    /// Compares `file` with this data directory: what to create, alter,
    /// replace, and (with `prune`) drop. `stack` names the stack whose record
    /// says which objects earlier applies made part of it (see StackRecord).
    /// Throws a SQL error pointing into the file when a declaration would not
    /// be accepted (an unknown option, a query that does not compile against
    /// the streams the stack and the directory will have).
    /// Cost: reads every catalog object once and parses its definition.
    public func planStack(_ file: StackFile, stack: String, prune: Bool) throws(SpateError) -> StackPlan {
        let recorded = try StackRecord.read(dataDirectory: dataDirectory, stack: stack)
        return try StackPlanner(database: self, file: file).plan(recorded: recorded, prune: prune)
    }

    /// The drops that remove the stack: every object `file` declares and every
    /// object the stack's record names, in reverse creation order.
    public func planStackDestroy(_ file: StackFile, stack: String) throws(SpateError) -> StackPlan {
        let recorded = try StackRecord.read(dataDirectory: dataDirectory, stack: stack)
        return try StackPlanner(database: self, file: file, readingStreams: false).destroyPlan(recorded: recorded)
    }
}
