// ParquetError.swift — the ways a caller can misuse ParquetWriter, each one line.
//
// Layer: SpateParquet. Every error here is caused by the caller's input (a
// schema, an option, a row) or by calling the writer after it can no longer
// write; none is a bug in the writer. Errors thrown by the `write` callback are
// passed through unchanged, not wrapped.

/// A schema, option or row that ParquetWriter refuses, or a call on a writer that is done.
public enum ParquetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The schema has no columns; Parquet needs at least one.
    case noColumns
    /// The column at this 0-based position has an empty name.
    case emptyColumnName(position: Int)
    /// Two columns share this name.
    case duplicateColumnName(String)
    /// An option is outside the range it allows.
    case invalidOption(name: String, value: Int, allowed: ClosedRange<Int>)
    /// A row had `got` values for a file of `expected` columns.
    case wrongValueCount(expected: Int, got: Int)
    /// A value whose kind the column's type does not accept; `got` is the value's
    /// kind as SQL names it (BIGINT, DOUBLE, BOOLEAN, STRING).
    case wrongType(column: String, type: ParquetType, got: String)
    /// A string longer than `ParquetWriter.stringBytesMax`.
    case stringTooLong(column: String, bytes: Int, max: Int)
    /// `append` or `finish` after `finish`.
    case finished
    /// `append` or `finish` after the `write` callback threw: the file is incomplete.
    case failed

    public var description: String {
        switch self {
        case .noColumns:
            "a Parquet file needs at least one column"
        case .emptyColumnName(let position):
            "column \(position + 1) has an empty name"
        case .duplicateColumnName(let name):
            "column '\(name)' appears twice; column names must be unique"
        case .invalidOption(let name, let value, let allowed):
            "option \(name) is \(value); it must be in \(allowed.lowerBound)...\(allowed.upperBound)"
        case .wrongValueCount(let expected, let got):
            "a row has \(got) values; the file has \(expected) columns"
        case .wrongType(let column, let type, let got):
            "column '\(column)' is \(type); got a \(got) value"
        case .stringTooLong(let column, let bytes, let max):
            "column '\(column)': a string of \(bytes) bytes is longer than the \(max) bytes a value may have"
        case .finished:
            "the Parquet writer is finished; create a new writer to write another file"
        case .failed:
            "an earlier write of this Parquet file failed; the file is incomplete and the writer cannot continue"
        }
    }
}
