// ParquetValue.swift — one cell of a row handed to ParquetWriter.
//
// Layer: SpateParquet. A closed enum, so a row is an array of plain values with
// no boxing: a string of up to 15 UTF-8 bytes is stored inline by Swift, and
// numbers never allocate. A timestamp is an `int64` of milliseconds, because
// that is what the column stores; the column's type says how it is read.

/// A value for one column of one row.
public enum ParquetValue: Sendable, Hashable {
    /// SQL NULL; allowed in every column.
    case null
    /// For BIGINT columns, and for TIMESTAMP columns as milliseconds since the Unix epoch (UTC).
    case int64(Int64)
    /// For DOUBLE columns.
    case double(Double)
    /// For BOOLEAN columns.
    case boolean(Bool)
    /// For STRING columns.
    case string(String)

    /// What error messages call the value's kind ("a STRING value").
    var kindName: String {
        switch self {
        case .null: "NULL"
        case .int64: "BIGINT"
        case .double: "DOUBLE"
        case .boolean: "BOOLEAN"
        case .string: "STRING"
        }
    }

    /// Whether a column of `type` can hold this value.
    @inline(__always)
    func fits(_ type: ParquetType) -> Bool {
        switch (self, type) {
        case (.null, _), (.string, .string), (.int64, .int64), (.int64, .timestampMillis),
             (.double, .double), (.boolean, .boolean): true
        default: false
        }
    }
}
