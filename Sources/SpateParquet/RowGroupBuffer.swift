// RowGroupBuffer.swift — the rows of the row group being filled, one ColumnBuffer per column.
//
// Layer: SpateParquet (internal). ParquetWriter checks a row, then hands it here;
// this value owns everything that changes per row (the column buffers and the
// counts the row group limits are checked against), so the writer class makes
// one exclusive access per row rather than one per value and per counter: the
// runtime's exclusivity checks on the class's properties took 15% of the
// 6-column benchmark's time when the buffers and counters were separate
// properties (perf, release build).
//
// Invariant: every column buffer holds `rowCount` rows.

/// The buffered rows of one row group.
struct RowGroupBuffer {
    private(set) var columns: [ColumnBuffer]
    private(set) var rowCount = 0
    /// The buffered bytes, as `ColumnBuffer.append` counts them.
    private(set) var byteCount = 0

    init(types: [ParquetType]) {
        columns = types.map { ColumnBuffer(type: $0) }
    }

    /// Appends a row whose values the caller has checked against the column types.
    /// Returns whether the row group has reached `rowsMax` rows or `bytesMax` bytes.
    mutating func append(_ row: [ParquetValue], rowsMax: Int, bytesMax: Int) -> Bool {
        byteCount += columns.withUnsafeMutableBufferPointer { columns in
            var bytes = 0
            for index in row.indices { bytes += columns[index].append(row[index]) }
            return bytes
        }
        rowCount += 1
        return rowCount >= rowsMax || byteCount >= bytesMax
    }

    /// Empties every column for the next row group, keeping the capacity.
    mutating func removeAll() {
        for index in columns.indices { columns[index].removeAll() }
        rowCount = 0
        byteCount = 0
    }
}
