// ParquetFormat.swift — the numbers of parquet.thrift that this writer uses, by name.
//
// Layer: SpateParquet (internal). Apache Parquet's metadata is Thrift; its enums
// are i32 values on the wire. Only the members the writer emits are listed, with
// the value parquet.thrift gives them, so a reader of the encoder can check each
// one against the specification. The struct field ids live with the code that
// writes each struct (ParquetFileMetadata.swift, DataPageHeader.swift).

/// The magic bytes at the start and at the end of every Parquet file.
let parquetMagic: [UInt8] = Array("PAR1".utf8)

/// `enum Type`: the physical type of a leaf column.
enum PhysicalType: Int32 {
    case boolean = 0
    case int64 = 2
    case double = 5
    case byteArray = 6
}

/// `enum ConvertedType`: the legacy annotation, written beside `LogicalType` for old readers.
enum ConvertedType: Int32 {
    case utf8 = 0
    case timestampMillis = 9
}

/// `enum FieldRepetitionType`.
enum FieldRepetitionType: Int32 {
    case optional = 1
}

/// `enum Encoding`.
enum Encoding: Int32 {
    case plain = 0
    /// The RLE/bit-packed hybrid, used here for definition levels.
    case rle = 3
}

/// `enum CompressionCodec`.
enum CompressionCodec: Int32 {
    case uncompressed = 0
    case snappy = 1
}

/// `enum PageType`.
enum PageType: Int32 {
    case dataPage = 0
}
