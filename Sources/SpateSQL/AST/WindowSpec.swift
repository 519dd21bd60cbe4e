// WindowSpec: the WINDOW clause of a streaming SELECT.
//
// Layer: SpateSQL AST.
//
// Invariants (the parser checks them, with positioned errors):
// - size, advance and gap are > 0; grace is >= 0 (GRACE 0 SECONDS is allowed and
//   means "no lateness").
// - for HOPPING, advance <= size (a larger advance would leave gaps between windows).

/// `WINDOW TUMBLING (SIZE d [, GRACE d])`, `WINDOW HOPPING (SIZE d, ADVANCE BY d [, GRACE d])`,
/// `WINDOW SESSION (GAP d [, GRACE d])`.
public struct WindowSpec: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        case tumbling(size: SQLDuration)
        case hopping(size: SQLDuration, advance: SQLDuration)
        case session(gap: SQLDuration)
    }

    public var kind: Kind
    /// How long after a window's end late records are still accepted; nil when not written.
    public var grace: SQLDuration?
    @SourceMetadata public var range: SourceRange

    public init(kind: Kind, grace: SQLDuration? = nil, range: SourceRange = SourceRange(start: .start, end: .start)) {
        self.kind = kind
        self.grace = grace
        self.range = range
    }

    public var description: String {
        var text: String
        switch kind {
        case .tumbling(let size): text = "WINDOW TUMBLING (SIZE \(size)"
        case .hopping(let size, let advance): text = "WINDOW HOPPING (SIZE \(size), ADVANCE BY \(advance)"
        case .session(let gap): text = "WINDOW SESSION (GAP \(gap)"
        }
        if let grace { text += ", GRACE \(grace)" }
        return text + ")"
    }
}
