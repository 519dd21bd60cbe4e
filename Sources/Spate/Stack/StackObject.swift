// The objects a stack declares and how they are named and ordered.
//
// A stack (StackFile) declares streams, sinks, channels, jobs and alarms by
// their CREATE statements. Their kinds are ordered by what may use what: a
// sink, channel or stream never uses a job or an alarm; a job reads and writes
// streams, writes sinks and notifies channels; an alarm notifies channels and
// watches the metrics of jobs and streams. Creating in that order and dropping
// in the reverse one never leaves an object using one that is not there.
//
// Invariant: `StackObjectKind` cases are declared in creation order; the plan's
// lines, apply's creates and destroy's drops all sort by it.

import SpateSQL

/// A kind of object a stack may declare, in creation order.
public enum StackObjectKind: Int, CaseIterable, Comparable, Sendable {
    case stream, sink, channel, job, alarm

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `stream`, `job`, … as plan lines and the stack record write it.
    public var word: String {
        switch self {
        case .stream: "stream"
        case .sink: "sink"
        case .channel: "channel"
        case .job: "job"
        case .alarm: "alarm"
        }
    }

    public init?(word: String) {
        guard let kind = Self.allCases.first(where: { $0.word == word }) else { return nil }
        self = kind
    }

    var objectType: ObjectType {
        switch self {
        case .stream: .stream
        case .sink: .sink
        case .channel: .channel
        case .job: .job
        case .alarm: .alarm
        }
    }
}

/// An object by kind and name (names are case-sensitive, as in the catalog).
/// Sorts in creation order, then by name.
public struct StackObjectID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var kind: StackObjectKind
    public var name: String

    public init(_ kind: StackObjectKind, _ name: String) {
        self.kind = kind
        self.name = name
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.kind != rhs.kind ? lhs.kind < rhs.kind : lhs.name < rhs.name
    }

    /// `job unusual_spending`
    public var description: String { "\(kind.word) \(name)" }
}

/// One CREATE statement of a stack file.
public struct StackDeclaration: Sendable {
    public var id: StackObjectID
    /// The CREATE statement as written (its ranges point into the file's text).
    public var statement: Statement
}
