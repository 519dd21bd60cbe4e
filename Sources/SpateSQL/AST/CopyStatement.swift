// COPY (SELECT …) TO 'path' [FORMAT JSONL | CSV]: a query's rows written to a
// file, once (the facade runs it; this is only the statement). Without FORMAT,
// a path ending in .csv means CSV, anything else JSON lines. PARQUET parses,
// so that the error can say it is not there yet.

/// The file formats COPY and file sinks write.
public enum CopyFormat: String, Hashable, Sendable, CaseIterable {
    case jsonl = "JSONL"
    case csv = "CSV"
    case parquet = "PARQUET"

    /// The format a path implies: `.csv` → CSV, `.parquet` → PARQUET, else JSONL.
    public static func implied(byPath path: String) -> CopyFormat {
        let lowered = path.lowercased()
        if lowered.hasSuffix(".csv") { return .csv }
        if lowered.hasSuffix(".parquet") { return .parquet }
        return .jsonl
    }
}

/// `COPY (SELECT …) TO 'path' [FORMAT name]`.
public struct CopyStatement: Hashable, Sendable, CustomStringConvertible {
    public var select: SelectStatement
    public var path: String
    @SourceMetadata public var pathRange: SourceRange
    /// nil: implied by the path.
    public var format: CopyFormat?

    public init(select: SelectStatement, path: String, pathRange: SourceRange, format: CopyFormat?) {
        self.select = select
        self.path = path
        self.pathRange = pathRange
        self.format = format
    }

    /// The format the rows are written in.
    public var effectiveFormat: CopyFormat { format ?? .implied(byPath: path) }

    public var description: String {
        "COPY (\(select)) TO " + SQLText.string(path) + (format.map { " FORMAT \($0.rawValue)" } ?? "")
    }
}
