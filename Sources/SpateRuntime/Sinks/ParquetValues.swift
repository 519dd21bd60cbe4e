// SQL values and types as Parquet's (SpateParquet): how file sinks and COPY …
// FORMAT PARQUET write result columns. TIMESTAMP is Parquet's
// TIMESTAMP(UTC, MILLIS) over INT64; a column typed NULL (only NULL values)
// is written as a STRING column of nulls.

import SpateParquet
import SpateSQL

extension ValueType {
    /// The Parquet column type of a result column of this type.
    public var parquetType: ParquetType {
        switch self {
        case .string, .null: .string
        case .bigint: .int64
        case .double: .double
        case .boolean: .boolean
        case .timestamp: .timestampMillis
        }
    }
}

extension Value {
    /// The value for a Parquet column of its type (timestamps as epoch milliseconds).
    public var parquetValue: ParquetValue {
        switch self {
        case .null: .null
        case let .boolean(b): .boolean(b)
        case let .bigint(i): .int64(i)
        case let .double(d): .double(d)
        case let .string(s): .string(s)
        case let .timestamp(t): .int64(t)
        }
    }
}
