// DataPageHeader.swift — the Thrift `PageHeader` in front of every data page (v1).
//
// Layer: SpateParquet (internal). A column chunk is a sequence of pages, each a
// compact-protocol PageHeader followed by the page body. Of the header's fields
// this writer sets (parquet.thrift field ids):
//
//   PageHeader      1 type = DATA_PAGE, 2 uncompressed_page_size, 3 compressed_page_size,
//                   5 data_page_header
//   DataPageHeader  1 num_values (rows, NULLs included), 2 encoding = PLAIN,
//                   3 definition_level_encoding = RLE, 4 repetition_level_encoding = RLE
//                   (there are no repetition levels: the schema is flat), 5 statistics
//
// The sizes are of the body only: the 4-byte length and the RLE/bit-packed
// definition levels, then the PLAIN values; compressed_page_size is the body's
// size after the codec (equal to the uncompressed size without one).

/// The header of one data page.
struct DataPageHeader {
    var rowCount: Int
    var uncompressedBytes: Int
    var compressedBytes: Int
    var statistics: ColumnStatistics

    /// Appends the compact-protocol encoding of the header to `thrift`.
    func write(to thrift: inout ThriftCompactWriter) {
        thrift.structValue { header in
            header.field(1, i32: PageType.dataPage.rawValue)
            header.field(2, i32: Int32(uncompressedBytes))
            header.field(3, i32: Int32(compressedBytes))
            header.field(5, struct: { page in
                page.field(1, i32: Int32(rowCount))
                page.field(2, i32: Encoding.plain.rawValue)
                page.field(3, i32: Encoding.rle.rawValue)
                page.field(4, i32: Encoding.rle.rawValue)
                page.field(5, struct: { statistics.writeFields(to: &$0) })
            })
        }
    }
}
