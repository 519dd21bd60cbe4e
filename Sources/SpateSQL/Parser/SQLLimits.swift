// SQLLimits: the bounds the SQL front end enforces on its input.
//
// Layer: SpateSQL parser. Every list and every nesting the parser builds is bounded
// so that no input, however hostile, makes it use unbounded memory or stack.
// Hitting a limit is an SQLError of kind `.limitExceeded` positioned at the token
// that crossed it, never a crash.

/// Bounds on SQL input. The defaults are what Spate uses; tests may lower them.
public struct SQLLimits: Hashable, Sendable {
    /// Longest single statement, in UTF-8 bytes.
    public var statementBytesMax: Int = 1 << 20
    /// Longest script (`parseScript` input), in UTF-8 bytes.
    public var scriptBytesMax: Int = 64 << 20
    /// Most statements in one script.
    public var scriptStatementsMax: Int = 100_000
    /// Deepest expression tree (a leaf has height 1). Also bounds parser recursion.
    public var expressionDepthMax: Int = 256
    /// Longest identifier, in UTF-8 bytes.
    public var identifierBytesMax: Int = 128
    /// Most items in `x IN (...)`.
    public var inListCountMax: Int = 1000
    /// Most items in any other comma-separated list (select list, columns, options,
    /// GROUP BY, function arguments, values in a row, rows in INSERT ... VALUES).
    public var listCountMax: Int = 10_000

    public init() {}

    /// The limits Spate uses.
    public static let standard = SQLLimits()
}
