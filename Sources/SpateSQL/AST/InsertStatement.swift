// InsertStatement: `INSERT INTO name [(cols)] VALUES (...), ... | SELECT ...`.
//
// Layer: SpateSQL AST. Invariants (checked by the parser): VALUES has at least one
// row; every row has the same number of values, equal to the column count when
// columns are listed; column names are unique.

/// Rows appended to a stream.
public struct InsertStatement: Hashable, Sendable, CustomStringConvertible {
    public enum Source: Hashable, Sendable {
        case values([[Expression]])
        case select(SelectStatement)
    }

    public var stream: Identifier
    /// `INSERT INTO SINK name SELECT …`: `stream` names a file sink (only a job's query).
    public var intoSink: Bool = false
    /// Empty when not listed.
    public var columns: [Identifier]
    public var source: Source

    public init(stream: Identifier, columns: [Identifier] = [], source: Source) {
        self.stream = stream
        self.columns = columns
        self.source = source
    }

    public var description: String {
        var text = "INSERT INTO " + (intoSink ? "SINK " : "") + "\(stream)"
        if !columns.isEmpty { text += " (" + SQLText.list(columns) + ")" }
        switch source {
        case .values(let rows):
            text += " VALUES " + rows.map { "(" + SQLText.list($0) + ")" }.joined(separator: ", ")
        case .select(let select):
            text += " \(select)"
        }
        return text
    }
}
