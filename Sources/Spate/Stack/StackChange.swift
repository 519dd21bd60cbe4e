// One change of a stack plan, and its line in `spate plan`'s output.
//
// Lines are made to be diffed and grepped: one per change, the action's sign
// first, then the object, then what differs and what the change costs:
//
//     + create stream transactions
//     ~ alter job x: checkpoint_interval '1 second' → '5 seconds'
//     -/+ replace job y: query changed (loses its checkpoint and open windows)
//     - drop channel z
//
// A change apply refuses to make (a stream replace: it would delete the
// stream's records) has a second line starting `    ! `, saying what to do.

import SpateLog
import SpateSQL

/// One change a plan makes to one object.
public struct StackChange: Sendable {
    public enum Action: String, Sendable {
        case create, alter, replace, drop

        /// `+`, `~`, `-/+`, `-`
        public var sign: String {
            switch self {
            case .create: "+"
            case .alter: "~"
            case .replace: "-/+"
            case .drop: "-"
            }
        }
    }

    public var action: Action
    public var id: StackObjectID
    /// What differs, one item per setting: `checkpoint_interval '1 second' → '5 seconds'`, `query changed`.
    public var differences: [String]
    /// What the change loses, in the words of the plan line's parentheses, if anything.
    public var consequence: String?
    /// Why apply will not make this change and what the user can do, if it will not.
    public var refusal: String?

    /// What apply needs beyond the action: the file's CREATE (create, replace),
    /// the stream settings to reach (alter stream), the options to SET (alter job).
    var declaration: StackDeclaration?
    var streamSettings: StreamSettings?
    var jobOptions: [Option] = []

    init(_ action: Action, _ id: StackObjectID, differences: [String] = [], consequence: String? = nil,
         declaration: StackDeclaration? = nil) {
        self.action = action
        self.id = id
        self.differences = differences
        self.consequence = consequence
        self.declaration = declaration
    }

    /// The plan's line(s) for this change, without a trailing newline.
    public var text: String {
        var line = "\(action.sign) \(action.rawValue) \(id)"
        if !differences.isEmpty { line += ": " + differences.joined(separator: ", ") }
        if let consequence { line += " (\(consequence))" }
        if let refusal { line += "\n    ! \(refusal)" }
        return line
    }
}
