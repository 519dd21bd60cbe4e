// ParquetWriterOptions.swift — the sizes and the codec of the files a ParquetWriter writes.
//
// Layer: SpateParquet. The defaults suit an export of query results read by
// DuckDB. Row groups of 122,880 rows are DuckDB's own (60 vectors of 2,048): a
// reader parallelizes over row groups, so a million rows in 1,000,000-row groups
// read on one thread; in 122,880-row groups DuckDB read them about twice as fast
// on two cores, and the writer was faster too (its buffers stay in cache). The
// byte limit bounds the row group when rows are wide. Pages of 1 MiB, as most
// writers use.
//
// Memory: a writer buffers one row group, so it holds at most about
// `rowGroupBytesMax` bytes (plus one row), plus one page's body while flushing.

extension ParquetWriter {
    /// Row group and page sizes, and the compression codec.
    public struct Options: Sendable, Hashable {
        /// A row group is written when it has this many rows. Default 122,880.
        public var rowGroupRowsMax: Int
        /// A row group is written when its buffered values reach this many bytes
        /// (values as PLAIN encodes them, plus one byte per value for its null flag),
        /// whichever of the two limits comes first. Default 128 MiB.
        public var rowGroupBytesMax: Int
        /// A page ends after the row that brings its encoded values and definition
        /// levels to this many bytes. Default 1 MiB.
        public var pageBytesTarget: Int
        /// Default `.uncompressed`.
        public var compression: ParquetCompression

        public init(rowGroupRowsMax: Int = 122_880, rowGroupBytesMax: Int = 128 << 20,
                    pageBytesTarget: Int = 1 << 20, compression: ParquetCompression = .uncompressed) {
            self.rowGroupRowsMax = rowGroupRowsMax
            self.rowGroupBytesMax = rowGroupBytesMax
            self.pageBytesTarget = pageBytesTarget
            self.compression = compression
        }

        /// The ranges the options must be in. Rows per row group stay below Parquet's
        /// i32 page value count; page and value sizes keep every page below its i32 size.
        static let rowGroupRowsRange = 1...(1 << 30)
        static let rowGroupBytesRange = 1...(1 << 34)
        static let pageBytesRange = 1...(256 << 20)

        /// Throws `ParquetError.invalidOption` for the first option out of its range.
        func validate() throws {
            let checks: [(String, Int, ClosedRange<Int>)] = [
                ("rowGroupRowsMax", rowGroupRowsMax, Self.rowGroupRowsRange),
                ("rowGroupBytesMax", rowGroupBytesMax, Self.rowGroupBytesRange),
                ("pageBytesTarget", pageBytesTarget, Self.pageBytesRange),
            ]
            for (name, value, allowed) in checks where !allowed.contains(value) {
                throw ParquetError.invalidOption(name: name, value: value, allowed: allowed)
            }
        }
    }
}
