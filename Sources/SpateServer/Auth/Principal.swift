// Who a request is (the IAM user analogue): a name, an access key, and grants
// of `read`, `write` or `admin` on stream-name patterns (`write on
// transactions*`). What each Kinesis operation and dashboard route needs is
// decided by the caller (KinesisService+Access, Endpoint, the dashboard); a
// principal only answers "may I do this to that stream".
//
// `admin` includes `read` and `write`: it is full control of the streams it
// names (the one key of a credentials file without `allow` lines is admin on
// `*`, so it may do everything, as before principals existed). `read` and
// `write` are independent: a producer may put without reading back.
//
// Cost: the check is on every request's path (PutRecords included), so it
// allocates nothing once warm: patterns are compiled when the file is read,
// and the access a principal has on a stream (the union of its matching
// grants) is kept in a small per-principal table after the first request on
// that stream. The table holds at most `decisionsMax` names and starts over
// when full, so a client naming endless streams cannot grow it.

import NIOConcurrencyHelpers

/// What may be done to a stream: one or more of read, write, admin.
public struct StreamAccess: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// GetRecords, GetShardIterator, Describe…, ListShards, ListStreams; the dashboard's pages.
    public static let read = StreamAccess(rawValue: 1)
    /// PutRecord, PutRecords.
    public static let write = StreamAccess(rawValue: 2)
    /// CreateStream, DeleteStream, retention changes; the dashboard's actions. Includes read and write.
    public static let admin = StreamAccess(rawValue: 4)

    /// What a grant of `admin` allows.
    public static let everything: StreamAccess = [.read, .write, .admin]

    /// The actions' names as the credentials file spells them.
    static let names: [(String, StreamAccess)] = [("read", .read), ("write", .write), ("admin", .admin)]

    public var description: String {
        let parts = Self.names.filter { contains($0.1) }.map(\.0)
        return parts.isEmpty ? "nothing" : parts.joined(separator: "+")
    }
}

/// One `ACTION on PATTERN` of an `allow` line.
public struct Grant: Sendable, Equatable, CustomStringConvertible {
    /// The action as written.
    public var access: StreamAccess
    public var pattern: StreamPattern

    public init(_ access: StreamAccess, on pattern: StreamPattern) {
        self.access = access
        self.pattern = pattern
    }

    /// What the grant allows (admin brings read and write).
    var allows: StreamAccess { access.contains(.admin) ? .everything : access }

    public var description: String { "\(access) on \(pattern)" }
}

/// A named holder of an access key, with what it may do.
public final class Principal: Sendable, CustomStringConvertible {
    public let name: String
    public let credentials: Credentials
    public let grants: [Grant]
    /// Admin on `*`: every check passes without looking.
    public let isUnrestricted: Bool
    /// Stream name → the union of the grants matching it.
    private let decisions = NIOLockedValueBox<[String: StreamAccess]>([:])

    /// Most stream names whose decision a principal keeps.
    static let decisionsMax = 4_096

    public init(name: String, credentials: Credentials, grants: [Grant]) {
        self.name = name
        self.credentials = credentials
        self.grants = grants
        isUnrestricted = grants.contains { $0.pattern.matchesEveryName && $0.access.contains(.admin) }
    }

    /// The caller of a server without credentials (loopback only): may do everything.
    public static let local = Principal(name: "local", credentials: Credentials(accessKeyID: "", secretAccessKey: ""),
                                        grants: [Grant(.admin, on: try! StreamPattern("*"))])

    /// The IAM-style ARN error messages name the principal by.
    public var arn: String { "arn:aws:iam::\(KinesisNames.accountID):user/\(name)" }

    public var description: String { name }

    /// The grants as an `allow` line would list them.
    public var grantsText: String { grants.isEmpty ? "nothing" : grants.map(\.description).joined(separator: ", ") }

    /// Whether the principal may do all of `access` to stream `stream`.
    public func allows(_ access: StreamAccess, on stream: String) -> Bool {
        isUnrestricted || allowed(on: stream).isSuperset(of: access)
    }

    /// Whether a grant on a pattern matching every name (`*`) allows all of
    /// `access`: what reads or changes that span every stream need (the
    /// Prometheus text, alarms on process-wide metrics).
    public func allowsOnEveryStream(_ access: StreamAccess) -> Bool {
        if isUnrestricted { return true }
        var union: StreamAccess = []
        for grant in grants where grant.pattern.matchesEveryName { union.formUnion(grant.allows) }
        return union.isSuperset(of: access)
    }

    /// Whether any grant allows all of `access` on some stream.
    public func allowsOnSomeStream(_ access: StreamAccess) -> Bool {
        isUnrestricted || grants.contains { $0.allows.isSuperset(of: access) }
    }

    /// How many streams' decisions are kept (for tests of the bound).
    var decisionCount: Int { decisions.withLockedValue { $0.count } }

    /// Everything the grants allow on `stream`.
    func allowed(on stream: String) -> StreamAccess {
        if let known = decisions.withLockedValue({ $0[stream] }) { return known }
        var union: StreamAccess = []
        for grant in grants where grant.pattern.matches(stream) { union.formUnion(grant.allows) }
        decisions.withLockedValue { table in
            if table.count >= Self.decisionsMax { table.removeAll(keepingCapacity: true) }
            table[stream] = union
        }
        return union
    }
}
