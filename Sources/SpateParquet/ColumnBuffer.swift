// ColumnBuffer.swift — the values of one column for the row group being filled.
//
// Layer: SpateParquet (internal). A row group is buffered column by column, in
// the layout the pages will have, so that flushing it is mostly copying:
//
// - `definitionLevels`: one byte per row, 1 for a value and 0 for NULL (the
//   page encoder packs them into the RLE/bit-packed hybrid).
// - The non-null values only (an OPTIONAL column's page stores no slot for a
//   NULL), in one contiguous array of the column's storage type:
//   `int64Values` (BIGINT, TIMESTAMP), `doubleValues`, `booleanValues` (0 or 1
//   per value), or `stringValues`, which is already Parquet's PLAIN encoding of
//   BYTE_ARRAY: per value a 4-byte little-endian length, then the UTF-8 bytes.
//   Int64 and Double arrays are PLAIN as they lie in memory on a little-endian
//   machine (x86_64 and arm64; a big-endian build stops at the #error below).
//
// Numbers are appended without allocation (amortized array growth only); strings
// are copied into the one byte array. Only the array of the column's type is used.
//
// Invariant: the values array holds one value per 1 in `definitionLevels`.

#if !_endian(little)
#error("SpateParquet stores values in Parquet's little-endian PLAIN layout as they lie in memory")
#endif

/// The buffered rows of one column.
struct ColumnBuffer {
    let type: ParquetType
    /// Per row: 1 if it has a value, 0 if it is NULL.
    private(set) var definitionLevels: [UInt8] = []
    /// The values of a BIGINT or TIMESTAMP column.
    private(set) var int64Values: [Int64] = []
    /// The values of a DOUBLE column.
    private(set) var doubleValues: [Double] = []
    /// The values of a BOOLEAN column, one byte (0 or 1) each.
    private(set) var booleanValues: [UInt8] = []
    /// The values of a STRING column in PLAIN encoding (length-prefixed UTF-8).
    private(set) var stringValues: [UInt8] = []

    init(type: ParquetType) { self.type = type }

    /// The number of buffered rows (values and NULLs).
    var rowCount: Int { definitionLevels.count }

    /// Appends one row's value, which the caller has checked `fits` the column's type.
    /// Returns the bytes it adds to the buffer (for the row group's size limit).
    @inline(__always)
    mutating func append(_ value: ParquetValue) -> Int {
        switch value {
        case .null:
            definitionLevels.append(0)
            return 1
        case .int64(let number):
            definitionLevels.append(1)
            int64Values.append(number)
            return 9
        case .double(let number):
            definitionLevels.append(1)
            doubleValues.append(number)
            return 9
        case .boolean(let flag):
            definitionLevels.append(1)
            booleanValues.append(flag ? 1 : 0)
            return 2
        case .string(var text):
            definitionLevels.append(1)
            return text.withUTF8 { utf8 in
                let length = UInt32(utf8.count)
                stringValues.append(UInt8(truncatingIfNeeded: length))
                stringValues.append(UInt8(truncatingIfNeeded: length >> 8))
                stringValues.append(UInt8(truncatingIfNeeded: length >> 16))
                stringValues.append(UInt8(truncatingIfNeeded: length >> 24))
                stringValues.append(contentsOf: utf8)
                return 5 + utf8.count
            }
        }
    }

    /// Empties the buffer for the next row group, keeping the arrays' capacity.
    mutating func removeAll() {
        definitionLevels.removeAll(keepingCapacity: true)
        int64Values.removeAll(keepingCapacity: true)
        doubleValues.removeAll(keepingCapacity: true)
        booleanValues.removeAll(keepingCapacity: true)
        stringValues.removeAll(keepingCapacity: true)
    }
}
