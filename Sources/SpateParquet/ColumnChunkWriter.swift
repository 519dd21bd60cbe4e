// ColumnChunkWriter.swift — turns one column's buffered row group into a column chunk:
// a run of data pages (v1), each a PageHeader and a body, written to the output.
//
// Layer: SpateParquet (internal). The chunk is cut into pages of about
// `pageBytesTarget` bytes (values plus one bit of definition level per row); a
// page ends after the row that reaches the target, so a page holds at least one
// row and a single large string makes a large page. Each page body is:
//
//   4 bytes little endian: the length of the definition levels that follow
//   the definition levels, RLE/bit-packed hybrid at bit width 1 (RLEBitPackedHybrid)
//   the page's non-null values, PLAIN (copied from the ColumnBuffer; booleans bit-packed)
//
// then compressed whole by the file's codec. Statistics are computed per page
// (for its header) and merged into the chunk's (for the footer). The body and
// compression buffers are kept between pages and chunks, so a flush allocates
// only for the headers and the string statistics.

/// Writes column chunks; one instance serves every chunk of a file, reusing its buffers.
struct ColumnChunkWriter {
    let pageBytesTarget: Int
    let compression: ParquetCompression
    /// The page body being built, uncompressed.
    private var body: [UInt8] = []
    /// Room for the compressed body (Snappy only).
    private var compressed: [UInt8] = []

    init(pageBytesTarget: Int, compression: ParquetCompression) {
        self.pageBytesTarget = pageBytesTarget
        self.compression = compression
    }

    /// The rows, values and string bytes of one page.
    private struct PageRange {
        var rows: Range<Int>
        var values: Range<Int>
        /// The page's slice of `ColumnBuffer.stringValues` (empty for other types).
        var stringBytes: Range<Int>
    }

    /// Writes `column`'s pages to `output`; returns what the footer needs to know of them.
    mutating func write(_ column: ColumnBuffer, to output: inout ParquetOutput) throws -> ColumnChunkMetadata {
        precondition(column.rowCount > 0, "a row group has at least one row")
        var chunk = ColumnChunkMetadata(rowCount: column.rowCount, uncompressedBytes: 0, compressedBytes: 0,
                                        dataPageOffset: output.offset,
                                        statistics: ColumnStatistics(nullCount: 0, bounds: nil))
        var next = PageRange(rows: 0..<0, values: 0..<0, stringBytes: 0..<0)
        while next.rows.upperBound < column.rowCount {
            let page = nextPage(of: column, after: next)
            let statistics = encodeBody(of: column, page)
            let written = try writePage(rowCount: page.rows.count, statistics: statistics, to: &output)
            chunk.uncompressedBytes += written.uncompressed
            chunk.compressedBytes += written.compressed
            chunk.statistics.merge(statistics)
            next = page
        }
        return chunk
    }

    /// The page that starts after `previous`: rows until the page reaches `pageBytesTarget`.
    private func nextPage(of column: ColumnBuffer, after previous: PageRange) -> PageRange {
        let firstRow = previous.rows.upperBound
        var row = firstRow
        var valueCount = 0
        var stringBytes = 0
        // Sizes in eighths of a byte: a row's definition level is one bit, a boolean
        // value one bit, a number 64; strings are counted in bytes, separately.
        let valueEighths: Int
        switch column.type {
        case .int64, .timestampMillis, .double: valueEighths = 64
        case .boolean: valueEighths = 1
        case .string: valueEighths = 0
        }
        let isString = column.type == .string
        let targetEighths = pageBytesTarget * 8
        column.definitionLevels.withUnsafeBufferPointer { levels in
            column.stringValues.withUnsafeBytes { strings in
                var pageEighths = 0
                repeat {
                    let present = Int(levels[row])
                    if isString && present == 1 {
                        let offset = previous.stringBytes.upperBound + stringBytes
                        let length = Int(UInt32(littleEndian: strings.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                        stringBytes += 4 + length
                    }
                    valueCount += present
                    row += 1
                    pageEighths += 1 + present * valueEighths
                } while row < levels.count && pageEighths + stringBytes * 8 < targetEighths
            }
        }
        let firstValue = previous.values.upperBound
        let firstStringByte = previous.stringBytes.upperBound
        return PageRange(rows: firstRow..<row, values: firstValue..<(firstValue + valueCount),
                         stringBytes: firstStringByte..<(firstStringByte + stringBytes))
    }

    /// Builds the page's uncompressed body in `body`; returns the page's statistics.
    private mutating func encodeBody(of column: ColumnBuffer, _ page: PageRange) -> ColumnStatistics {
        body.removeAll(keepingCapacity: true)
        body.append(contentsOf: [0, 0, 0, 0])
        column.definitionLevels.withUnsafeBufferPointer { levels in
            RLEBitPackedHybrid.encode(UnsafeBufferPointer(rebasing: levels[page.rows]), into: &body)
        }
        let levelBytes = UInt32(body.count - 4)
        withUnsafeBytes(of: levelBytes.littleEndian) { length in
            for index in 0..<4 { body[index] = length[index] }
        }
        let bounds: ColumnStatistics.Bounds?
        switch column.type {
        case .int64, .timestampMillis:
            bounds = column.int64Values.withUnsafeBufferPointer { all in
                let values = UnsafeBufferPointer(rebasing: all[page.values])
                body.append(contentsOf: UnsafeRawBufferPointer(values))
                return ColumnStatistics.bounds(int64: values)
            }
        case .double:
            bounds = column.doubleValues.withUnsafeBufferPointer { all in
                let values = UnsafeBufferPointer(rebasing: all[page.values])
                body.append(contentsOf: UnsafeRawBufferPointer(values))
                return ColumnStatistics.bounds(double: values)
            }
        case .boolean:
            bounds = column.booleanValues.withUnsafeBufferPointer { all in
                let values = UnsafeBufferPointer(rebasing: all[page.values])
                RLEBitPackedHybrid.packBits(values, into: &body)
                return ColumnStatistics.bounds(boolean: values)
            }
        case .string:
            bounds = column.stringValues.withUnsafeBytes { all in
                let values = UnsafeRawBufferPointer(rebasing: all[page.stringBytes])
                body.append(contentsOf: values)
                return ColumnStatistics.bounds(plainStrings: values)
            }
        }
        return ColumnStatistics(nullCount: page.rows.count - page.values.count, bounds: bounds)
    }

    /// Compresses `body` if the codec says so and writes the header and the body.
    /// Returns the bytes of header plus body before and after compression.
    private mutating func writePage(rowCount: Int, statistics: ColumnStatistics,
                                    to output: inout ParquetOutput) throws -> (uncompressed: Int, compressed: Int) {
        var compressedBytes = body.count
        if compression == .snappy {
            let room = SnappyCompressor.maxCompressedBytes(body.count)
            if compressed.count < room { compressed = [UInt8](repeating: 0, count: room) }
            compressedBytes = body.withUnsafeBytes { input in
                compressed.withUnsafeMutableBufferPointer { SnappyCompressor.compress(input, into: $0.baseAddress!) }
            }
        }
        var header = ThriftCompactWriter(capacity: 96)
        DataPageHeader(rowCount: rowCount, uncompressedBytes: body.count, compressedBytes: compressedBytes,
                       statistics: statistics).write(to: &header)
        try output.write(header.bytes)
        switch compression {
        case .uncompressed: try output.write(body)
        case .snappy: try compressed.withUnsafeBytes { try output.write(UnsafeRawBufferPointer(rebasing: $0[0..<compressedBytes])) }
        }
        return (header.bytes.count + body.count, header.bytes.count + compressedBytes)
    }
}
