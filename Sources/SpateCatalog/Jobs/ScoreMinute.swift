// One key's minute of a job's detector scores (table detector_scores, schema
// 0008): what the runtime's ScoreSeries gathers and the checkpoint commits.

/// A key's minute of detector scores.
public struct ScoreMinute: Sendable, Equatable {
    public var key: String
    /// The minute's start (a multiple of 60,000 ms).
    public var minuteMs: Int64
    /// The highest score of the minute.
    public var scoreMax: Double
    /// The threshold the highest score was held to (NaN: unknown).
    public var threshold: Double
    /// Rows scored in the minute, and how many of them the rule flagged.
    public var rows: Int64
    public var flagged: Int64

    public init(key: String, minuteMs: Int64, scoreMax: Double, threshold: Double, rows: Int64, flagged: Int64) {
        self.key = key
        self.minuteMs = minuteMs
        self.scoreMax = scoreMax
        self.threshold = threshold
        self.rows = rows
        self.flagged = flagged
    }
}
