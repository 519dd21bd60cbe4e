// ParquetColumn.swift — one column of a file's schema: a name and a type.
//
// Layer: SpateParquet. Every column is a top-level OPTIONAL leaf (nullable, not
// nested, not repeated): Spate writes flat rows, and a flat schema keeps the
// definition levels to one bit and the repetition levels absent.

/// A named, typed, nullable column.
public struct ParquetColumn: Sendable, Hashable {
    /// The column's name in the file's schema; non-empty and unique within the file.
    public var name: String
    public var type: ParquetType

    public init(name: String, type: ParquetType) {
        self.name = name
        self.type = type
    }
}
