// BACKTEST [LABEL expr] SELECT …: run a detector query over recorded history
// without creating a job, and report what it would have raised (the runtime
// and the facade do that; this is only the statement). LABEL names a column
// (or, in a windowed query, an aggregate) that is true for rows known to be
// anomalous; the report then adds precision, recall and F1.

/// `BACKTEST [LABEL expr] SELECT …`.
public struct BacktestStatement: Hashable, Sendable, CustomStringConvertible {
    public var select: SelectStatement
    public var label: Expression?

    public init(select: SelectStatement, label: Expression?) {
        self.select = select
        self.label = label
    }

    public var description: String {
        "BACKTEST " + (label.map { "LABEL \($0) " } ?? "") + select.description
    }
}
