// What the viewer of one request may see and change: the grants of the
// server's principal, as questions about streams (SpateServer's Principal;
// the `spate` command adapts one to the other, the dashboard knows no server).
//
// What each part of the dashboard needs (README, "Least privilege"):
//
//     a stream (overview cards, /api/streams)            read on the stream
//     a job (jobs table, /jobs/NAME, /api/jobs/…)        read on the stream the job reads
//     a job's alerts                                     as the job
//     an alarm on a stream's or a job's metric           as that stream or job
//     an alarm on a process-wide metric, summary alerts  read on * (every stream)
//     Acknowledge / Resolve an alert                     admin on the alert's stream
//                                                        (admin on * when it has none)
//
// Lists show what the viewer may see and leave out the rest; a page or action
// on one thing the viewer may not see or change is a 403 with one line.

/// What a dashboard request may see and change.
public struct DashboardAccess: Sendable {
    /// Who is asking (the principal's name), for messages.
    public var name: String
    /// The grants, as the credentials file says them, for messages.
    public var grantsText: String
    /// Whether the viewer may read stream `name`.
    public var mayRead: @Sendable (_ stream: String) -> Bool
    /// Whether the viewer may change things about stream `name`.
    public var mayAdminister: @Sendable (_ stream: String) -> Bool
    /// Read on every stream: also what belongs to no one stream.
    public var readsEveryStream: Bool
    /// Admin on every stream: also actions on what belongs to no one stream.
    public var administersEveryStream: Bool
    /// Admin on some stream: pages offer the actions (each is still checked).
    public var administersSomeStream: Bool

    public init(name: String, grantsText: String, mayRead: @escaping @Sendable (String) -> Bool,
                mayAdminister: @escaping @Sendable (String) -> Bool, readsEveryStream: Bool,
                administersEveryStream: Bool, administersSomeStream: Bool) {
        self.name = name
        self.grantsText = grantsText
        self.mayRead = mayRead
        self.mayAdminister = mayAdminister
        self.readsEveryStream = readsEveryStream
        self.administersEveryStream = administersEveryStream
        self.administersSomeStream = administersSomeStream
    }

    /// Everything (a server on loopback without credentials).
    public static let everything = DashboardAccess(
        name: "local", grantsText: "admin on *", mayRead: { _ in true }, mayAdminister: { _ in true },
        readsEveryStream: true, administersEveryStream: true, administersSomeStream: true)

    /// Every page, no action.
    public static let readOnly = DashboardAccess(
        name: "read-only", grantsText: "read on *", mayRead: { _ in true }, mayAdminister: { _ in false },
        readsEveryStream: true, administersEveryStream: false, administersSomeStream: false)
}
