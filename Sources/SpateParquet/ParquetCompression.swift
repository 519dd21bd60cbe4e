// ParquetCompression.swift — how the body of every data page is compressed.
//
// Layer: SpateParquet. The codec applies to each page's bytes after the page
// header (definition levels and values together, as data page v1 has it); page
// headers and the footer are never compressed.

/// The compression codec of a file's pages.
public enum ParquetCompression: Sendable, Hashable {
    /// Pages are stored as they are. The fastest to write and to read.
    case uncompressed
    /// Snappy's raw block format (SnappyCompressor): typically a third to a half
    /// smaller for event data, at a few hundred MB/s per core.
    case snappy

    var codec: CompressionCodec {
        switch self {
        case .uncompressed: .uncompressed
        case .snappy: .snappy
        }
    }
}
