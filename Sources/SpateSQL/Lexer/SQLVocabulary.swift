// SQLVocabulary: the words of the dialect a user can type, for tools that help
// them type it (the REPL's Tab completion). Nothing here parses or analyzes.
//
// Layer: SpateSQL lexer. The keyword list is the reserved words (Keywords) plus
// the contextual ones the parser matches by spelling (STREAM, TUMBLING, ...);
// the function names come from the registries the analyzer binds calls with
// (ScalarFunction, AggregateFunction, DetectorFunction), so a function added
// there is completed without touching this file.
//
// Invariant: every list is upper case, sorted and without repeats.

public enum SQLVocabulary {
    /// Every keyword: reserved and contextual, with type names and duration units.
    public static let keywords: [String] = sortedUnique(Array(Keywords.reserved) + Keywords.statementStarts + contextualKeywords)

    /// Canonical names of the scalar, aggregate and detector functions.
    public static let functionNames: [String] = sortedUnique(
        ScalarFunction.allCases.map(\.name)
            + AggregateFunction.allCases.filter { !$0.rawValue.contains("(") }.map(\.name)
            + DetectorFunction.allCases.map(\.name))

    /// Columns every query may name without a stream declaring them.
    public static let pseudoColumns = ["ANOMALY", "ANOMALY_EXPLANATION", "ANOMALY_GRADE", "ARRIVAL_TIME",
                                       "WINDOW_END", "WINDOW_START"]

    /// Words the parser matches by spelling, outside the reserved set.
    static let contextualKeywords = [
        "ADVANCE", "ALARM", "ALARMS", "ALERT", "CHANGES", "CHANNEL", "CHANNELS", "EARLIEST", "EXISTS",
        "FINAL", "FOR", "GAP", "GRACE", "HOPPING", "IF", "JOB", "JOBS", "LATEST", "METRIC", "METRICS",
        "MISSING", "NOTIFY", "NOW", "OF", "PERIOD", "PERIODS", "SESSION", "SIZE", "STATISTIC", "STREAM",
        "STREAMS", "TUMBLING", "TYPE", "TO", "FORMAT", "JSONL", "CSV", "PARQUET",
        // Types, channel types, missing-data treatments.
        "BIGINT", "BOOLEAN", "DOUBLE", "INT", "INTEGER", "STRING", "TIMESTAMP",
        "EXEC", "FILE", "STDOUT", "WEBHOOK", "BREACHING", "NOT_BREACHING", "IGNORE",
        // Duration units.
        "MILLISECONDS", "SECOND", "SECONDS", "MINUTE", "MINUTES", "HOUR", "HOURS", "DAY", "DAYS", "WEEK", "WEEKS",
    ]

    private static func sortedUnique(_ words: [String]) -> [String] {
        Array(Set(words)).sorted()
    }
}
