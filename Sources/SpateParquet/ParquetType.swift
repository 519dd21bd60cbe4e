// ParquetType.swift — the column types a Spate Parquet file can hold, and how each is stored.
//
// Layer: SpateParquet. Five SQL-level types, each mapped to one Parquet physical
// type plus the annotations readers need to give it back its SQL type:
//
//   type             physical     LogicalType                         ConvertedType
//   string           BYTE_ARRAY   STRING                              UTF8
//   int64            INT64        —                                   —
//   double           DOUBLE       —                                   —
//   boolean          BOOLEAN      —                                   —
//   timestampMillis  INT64        TIMESTAMP(isAdjustedToUTC, MILLIS)  TIMESTAMP_MILLIS
//
// A timestamp is milliseconds since the Unix epoch in UTC, so DuckDB reads it as
// TIMESTAMP WITH TIME ZONE.

/// The type of one column.
public enum ParquetType: Sendable, Hashable, CustomStringConvertible {
    /// UTF-8 text (DuckDB: VARCHAR).
    case string
    /// A signed 64-bit integer (DuckDB: BIGINT).
    case int64
    /// An IEEE 754 double (DuckDB: DOUBLE). NaN and ±infinity are stored as they are.
    case double
    /// DuckDB: BOOLEAN.
    case boolean
    /// Milliseconds since 1970-01-01T00:00:00Z, given as `ParquetValue.int64`
    /// (DuckDB: TIMESTAMP WITH TIME ZONE).
    case timestampMillis

    /// The SQL name, as error messages say it.
    public var description: String {
        switch self {
        case .string: "STRING"
        case .int64: "BIGINT"
        case .double: "DOUBLE"
        case .boolean: "BOOLEAN"
        case .timestampMillis: "TIMESTAMP"
        }
    }

    var physicalType: PhysicalType {
        switch self {
        case .string: .byteArray
        case .int64, .timestampMillis: .int64
        case .double: .double
        case .boolean: .boolean
        }
    }

    var convertedType: ConvertedType? {
        switch self {
        case .string: .utf8
        case .timestampMillis: .timestampMillis
        case .int64, .double, .boolean: nil
        }
    }
}
