// ParquetFileMetadata.swift — the footer: the Thrift `FileMetaData` and what it contains.
//
// Layer: SpateParquet (internal). A Parquet file ends with the compact-protocol
// FileMetaData, its length as 4 bytes little endian, and "PAR1". The fields this
// writer sets (parquet.thrift field ids):
//
//   FileMetaData    1 version = 1, 2 schema, 3 num_rows, 4 row_groups, 6 created_by = "spate",
//                   7 column_orders (TypeDefinedOrder per column: the min/max order
//                   that ColumnStatistics uses)
//   SchemaElement   the root: 4 name = "schema", 5 num_children; then per column:
//                   1 type, 3 repetition_type = OPTIONAL, 4 name, 6 converted_type,
//                   10 logicalType (STRING, or TIMESTAMP(isAdjustedToUTC = true, MILLIS))
//   RowGroup        1 columns, 2 total_byte_size (uncompressed), 3 num_rows,
//                   5 file_offset (of its first page), 6 total_compressed_size
//   ColumnChunk     2 file_offset = 0 (deprecated; no ColumnMetaData is written
//                   outside the footer), 3 meta_data
//   ColumnMetaData  1 type, 2 encodings = [PLAIN, RLE], 3 path_in_schema = [name], 4 codec,
//                   5 num_values (rows, NULLs included), 6 total_uncompressed_size,
//                   7 total_compressed_size (both include the page headers),
//                   9 data_page_offset, 12 statistics

/// What the footer records about one column chunk.
struct ColumnChunkMetadata {
    var rowCount: Int
    /// Page headers plus page bodies before compression.
    var uncompressedBytes: Int
    /// Page headers plus page bodies as written.
    var compressedBytes: Int
    /// The file offset of the chunk's first page.
    var dataPageOffset: Int
    var statistics: ColumnStatistics
}

/// What the footer records about one row group.
struct RowGroupMetadata {
    var rowCount: Int
    /// One per column, in schema order.
    var columns: [ColumnChunkMetadata]
}

/// The footer of a file.
struct ParquetFileMetadata {
    var columns: [ParquetColumn]
    var codec: CompressionCodec
    var rowGroups: [RowGroupMetadata]

    /// The compact-protocol encoding of FileMetaData.
    func encoded() -> [UInt8] {
        var thrift = ThriftCompactWriter(capacity: 1024)
        thrift.structValue { file in
            file.field(1, i32: 1)
            file.field(2, listOf: .struct, count: columns.count + 1)
            file.element(struct: { root in
                root.field(4, string: "schema")
                root.field(5, i32: Int32(columns.count))
            })
            for column in columns {
                file.element(struct: { writeSchemaElement(column, to: &$0) })
            }
            file.field(3, i64: Int64(rowGroups.reduce(0) { $0 + $1.rowCount }))
            file.field(4, listOf: .struct, count: rowGroups.count)
            for rowGroup in rowGroups {
                file.element(struct: { writeRowGroup(rowGroup, to: &$0) })
            }
            file.field(6, string: "spate")
            file.field(7, listOf: .struct, count: columns.count)
            for _ in columns {
                // ColumnOrder is a union; field 1 is TYPE_ORDER, an empty TypeDefinedOrder.
                file.element(struct: { order in order.field(1, struct: { _ in }) })
            }
        }
        return thrift.bytes
    }

    private func writeSchemaElement(_ column: ParquetColumn, to element: inout ThriftCompactWriter) {
        element.field(1, i32: column.type.physicalType.rawValue)
        element.field(3, i32: FieldRepetitionType.optional.rawValue)
        element.field(4, string: column.name)
        if let converted = column.type.convertedType {
            element.field(6, i32: converted.rawValue)
        }
        switch column.type {
        case .string:
            // LogicalType union, field 1: STRING (an empty StringType).
            element.field(10, struct: { logical in logical.field(1, struct: { _ in }) })
        case .timestampMillis:
            // LogicalType union, field 8: TIMESTAMP; TimestampType is 1 isAdjustedToUTC,
            // 2 unit; TimeUnit is a union whose field 1 is MILLIS (an empty struct).
            element.field(10, struct: { logical in
                logical.field(8, struct: { timestamp in
                    timestamp.field(1, bool: true)
                    timestamp.field(2, struct: { unit in unit.field(1, struct: { _ in }) })
                })
            })
        case .int64, .double, .boolean:
            break
        }
    }

    private func writeRowGroup(_ rowGroup: RowGroupMetadata, to group: inout ThriftCompactWriter) {
        group.field(1, listOf: .struct, count: rowGroup.columns.count)
        for (column, chunk) in zip(columns, rowGroup.columns) {
            group.element(struct: { columnChunk in
                columnChunk.field(2, i64: 0)
                columnChunk.field(3, struct: { writeColumnMetaData(column, chunk, to: &$0) })
            })
        }
        group.field(2, i64: Int64(rowGroup.columns.reduce(0) { $0 + $1.uncompressedBytes }))
        group.field(3, i64: Int64(rowGroup.rowCount))
        group.field(5, i64: Int64(rowGroup.columns.first?.dataPageOffset ?? 0))
        group.field(6, i64: Int64(rowGroup.columns.reduce(0) { $0 + $1.compressedBytes }))
    }

    private func writeColumnMetaData(_ column: ParquetColumn, _ chunk: ColumnChunkMetadata, to meta: inout ThriftCompactWriter) {
        meta.field(1, i32: column.type.physicalType.rawValue)
        meta.field(2, listOf: .i32, count: 2)
        meta.element(i32: Encoding.plain.rawValue)
        meta.element(i32: Encoding.rle.rawValue)
        meta.field(3, listOf: .binary, count: 1)
        meta.element(string: column.name)
        meta.field(4, i32: codec.rawValue)
        meta.field(5, i64: Int64(chunk.rowCount))
        meta.field(6, i64: Int64(chunk.uncompressedBytes))
        meta.field(7, i64: Int64(chunk.compressedBytes))
        meta.field(9, i64: Int64(chunk.dataPageOffset))
        meta.field(12, struct: { chunk.statistics.writeFields(to: &$0) })
    }
}
