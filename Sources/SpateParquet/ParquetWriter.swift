// ParquetWriter.swift — writes an Apache Parquet file row by row, streaming it to a sink.
//
// Layer: SpateParquet. The file is written front to back, once, never seeked:
//
//   "PAR1"                                    at init
//   row group 1: column chunk 1 … column chunk N, each a run of data pages
//   …                                         one row group per flush
//   FileMetaData (Thrift compact), its length (4 bytes LE), "PAR1"   at finish
//
// Rows are buffered column by column (RowGroupBuffer, ColumnBuffer) until the
// row group reaches `Options.rowGroupRowsMax` rows or `Options.rowGroupBytesMax`
// bytes; then each column is encoded into pages and written (ColumnChunkWriter),
// and the buffers are reused. The footer is kept in memory: a few hundred bytes per row group.
//
// A row is type-checked whole before any of it is buffered, so a refused row
// leaves the writer as it was. If the sink throws, the writer stops: the file
// is incomplete and every later call throws `ParquetError.failed`.

/// A streaming Parquet writer: flat schema, nullable columns, PLAIN values,
/// data pages v1, statistics per page and per column chunk.
///
/// ```swift
/// let writer = try ParquetWriter(columns: [.init(name: "userId", type: .string),
///                                          .init(name: "n", type: .int64)]) { bytes in
///     try file.write(bytes)
/// }
/// try writer.append(row: [.string("u1"), .int64(3)])
/// try writer.finish()
/// ```
///
/// Not thread-safe: one writer is used by one thread at a time.
public final class ParquetWriter {
    /// The longest string value, in UTF-8 bytes: 64 MiB. With `pageBytesTarget`
    /// at most 256 MiB, every page stays below the 2 GiB Parquet's i32 sizes allow.
    public static let stringBytesMax = 64 << 20

    /// The file's schema, in order.
    public let columns: [ParquetColumn]
    public let options: Options

    private enum State { case open, finished, failed }
    private var state = State.open
    private var output: ParquetOutput
    private var chunkWriter: ColumnChunkWriter
    private var rowGroup: RowGroupBuffer
    /// What the footer will say of the row groups written so far.
    private var rowGroups: [RowGroupMetadata] = []
    private var rowsWritten = 0

    /// Rows appended so far, written or still buffered.
    public var rowCount: Int { rowsWritten + rowGroup.rowCount }

    /// Bytes handed to `write` so far. Rows still buffered are not counted until
    /// their row group is written; after `finish`, the size of the file.
    public var bytesWritten: Int { output.offset }

    /// Checks the schema and options and writes the file's leading magic.
    ///
    /// - Parameter write: receives the file's bytes in order, in pieces of any size
    ///   (the magic, then each page's header and body, then the footer). The buffer is
    ///   valid only during the call. An error it throws is rethrown by the call that
    ///   caused the write, and the writer refuses every later call.
    /// - Throws: `ParquetError` for an empty schema, an empty or repeated column
    ///   name, or an option out of range; or what `write` throws.
    public init(columns: [ParquetColumn], options: Options = .init(),
                write: @escaping (UnsafeRawBufferPointer) throws -> Void) throws {
        guard !columns.isEmpty else { throw ParquetError.noColumns }
        var names = Set<String>()
        for (position, column) in columns.enumerated() {
            guard !column.name.isEmpty else { throw ParquetError.emptyColumnName(position: position) }
            guard names.insert(column.name).inserted else { throw ParquetError.duplicateColumnName(column.name) }
        }
        try options.validate()
        self.columns = columns
        self.options = options
        self.output = ParquetOutput(sink: write)
        self.chunkWriter = ColumnChunkWriter(pageBytesTarget: options.pageBytesTarget, compression: options.compression)
        self.rowGroup = RowGroupBuffer(types: columns.map(\.type))
        try output.write(parquetMagic)
    }

    /// Appends one row: one value per column, in schema order. Writes a row group
    /// when the row fills it. Costs a few tens of nanoseconds per value, plus the
    /// row group's encoding (a copy of its bytes) when it is written.
    ///
    /// - Throws: `ParquetError.wrongValueCount`, `.wrongType` (a value the column's
    ///   type does not accept; `.null` is accepted everywhere, `.int64` by BIGINT and
    ///   TIMESTAMP columns) or `.stringTooLong`, leaving the writer unchanged;
    ///   `.finished` or `.failed`; or what `write` throws.
    public func append(row: [ParquetValue]) throws {
        try checkOpen()
        guard row.count == columns.count else {
            throw ParquetError.wrongValueCount(expected: columns.count, got: row.count)
        }
        for index in row.indices {
            try check(row[index], column: index)
        }
        if rowGroup.append(row, rowsMax: options.rowGroupRowsMax, bytesMax: options.rowGroupBytesMax) {
            try writeRowGroup()
        }
    }

    /// Writes the buffered rows as the last row group, then the footer. A file with no
    /// rows is valid: the schema and no row groups. The writer accepts no call after it.
    ///
    /// - Throws: `ParquetError.finished` or `.failed`, or what `write` throws.
    public func finish() throws {
        try checkOpen()
        if rowGroup.rowCount > 0 { try writeRowGroup() }
        let metadata = ParquetFileMetadata(columns: columns, codec: options.compression.codec, rowGroups: rowGroups).encoded()
        var footer = metadata
        withUnsafeBytes(of: UInt32(metadata.count).littleEndian) { footer.append(contentsOf: $0) }
        footer.append(contentsOf: parquetMagic)
        try guardingSink { try output.write(footer) }
        state = .finished
    }

    private func checkOpen() throws {
        switch state {
        case .open: return
        case .finished: throw ParquetError.finished
        case .failed: throw ParquetError.failed
        }
    }

    @inline(__always)
    private func check(_ value: ParquetValue, column index: Int) throws {
        let type = columns[index].type
        guard value.fits(type) else {
            throw ParquetError.wrongType(column: columns[index].name, type: type, got: value.kindName)
        }
        if case .string(let text) = value, text.utf8.count > Self.stringBytesMax {
            throw ParquetError.stringTooLong(column: columns[index].name, bytes: text.utf8.count, max: Self.stringBytesMax)
        }
    }

    /// Encodes and writes the buffered rows as one row group, then empties the buffers.
    private func writeRowGroup() throws {
        var chunks: [ColumnChunkMetadata] = []
        chunks.reserveCapacity(columns.count)
        try guardingSink {
            for column in rowGroup.columns {
                chunks.append(try chunkWriter.write(column, to: &output))
            }
        }
        rowGroups.append(RowGroupMetadata(rowCount: rowGroup.rowCount, columns: chunks))
        rowsWritten += rowGroup.rowCount
        rowGroup.removeAll()
    }

    /// Runs `body`; if it throws (the sink failed), the writer stops for good.
    private func guardingSink(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            state = .failed
            throw error
        }
    }
}
