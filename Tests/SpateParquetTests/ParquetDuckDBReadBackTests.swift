// ParquetDuckDBReadBackTests.swift — files written by ParquetWriter, read back by DuckDB.
//
// DuckDB is the independent reader: each test compares every row and every
// column's SQL type with what was written, and the footer and page headers with
// what the writer should have said about them (row groups, pages, statistics).
// Skipped, with the reason, when the python3 duckdb module is missing.

import Foundation
import Testing
@testable import SpateParquet

@Suite(.enabled(if: DuckDB.available, DuckDB.skipReason))
struct ParquetDuckDBReadBackTests {
    static let everyType = [
        ParquetColumn(name: "s", type: .string),
        ParquetColumn(name: "n", type: .int64),
        ParquetColumn(name: "d", type: .double),
        ParquetColumn(name: "b", type: .boolean),
        ParquetColumn(name: "t", type: .timestampMillis),
        ParquetColumn(name: "all null", type: .string),
    ]

    static let edgeRows: [[ParquetValue]] = [
        [.string("hello"), .int64(1), .double(1.5), .boolean(true), .int64(1_700_000_000_123), .null],
        [.null, .int64(.min), .double(.nan), .boolean(false), .null, .null],
        [.string(""), .int64(.max), .double(-.infinity), .null, .int64(0), .null],
        [.string("héllo wörld 😀 日本語"), .null, .double(.infinity), .boolean(true), .int64(-1), .null],
        [.string("tab\tnewline\n\"quote\" \\ nul\u{0}"), .int64(0), .double(-0.0), .boolean(false), .int64(-62_135_596_800_000), .null],
        [.string(String(repeating: "long ", count: 1000)), .int64(-42), .double(.leastNonzeroMagnitude), .null, .int64(253_402_300_799_999), .null],
        [.null, .null, .null, .null, .null, .null],
    ]

    /// Six types, NULLs in every column, empty and non-ASCII strings, NaN and ±inf,
    /// Int64.min/max, timestamps from year 1 to 9999, and a column of NULLs only.
    @Test func everyTypeAndEdgeValueReadsBackExactly() throws {
        let directory = TemporaryDirectory()
        let file = try writeParquet(directory.file("edge.parquet"), columns: Self.everyType, rows: Self.edgeRows)
        #expect(file.rowCount == Self.edgeRows.count)
        #expect(file.bytesWritten == file.bytes.count)
        #expect(file.bytes.prefix(4) == Array("PAR1".utf8)[...] && file.bytes.suffix(4) == Array("PAR1".utf8)[...])
        try expectDuckDBReads(file.path, columns: Self.everyType, rows: Self.edgeRows)
        // Timestamps are instants in UTC, as DuckDB prints them.
        let printed = try DuckDB.query("SELECT strftime(t AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%g') FROM read_parquet('\(file.path)', file_row_number = true) WHERE t IS NOT NULL ORDER BY file_row_number")
        #expect(printed.map { $0[0] } == ["2023-11-14 22:13:20.123", "1970-01-01 00:00:00.000", "1969-12-31 23:59:59.999",
                                          "0001-01-01 00:00:00.000", "9999-12-31 23:59:59.999"])
    }

    /// The schema as DuckDB's parquet_schema reports it: a root with six children,
    /// then OPTIONAL leaves with their physical, converted and logical types.
    @Test func schemaCarriesPhysicalConvertedAndLogicalTypes() throws {
        let directory = TemporaryDirectory()
        let file = try writeParquet(directory.file("schema.parquet"), columns: Self.everyType, rows: Self.edgeRows)
        let schema = try DuckDB.query("SELECT name, type, repetition_type, num_children, converted_type, logical_type, duckdb_type FROM parquet_schema('\(file.path)')")
        #expect(schema.count == 7)
        #expect(schema.first?[0] == "schema" && schema.first?[3] == "6")
        #expect(schema.dropFirst().map { Array($0[0...4]) } == [
            ["s", "BYTE_ARRAY", "OPTIONAL", nil, "UTF8"],
            ["n", "INT64", "OPTIONAL", nil, nil],
            ["d", "DOUBLE", "OPTIONAL", nil, nil],
            ["b", "BOOLEAN", "OPTIONAL", nil, nil],
            ["t", "INT64", "OPTIONAL", nil, "TIMESTAMP_MILLIS"],
            ["all null", "BYTE_ARRAY", "OPTIONAL", nil, "UTF8"],
        ])
        #expect(schema[1][5] == "StringType()")
        #expect(schema[5][5]?.contains("isAdjustedToUTC=1") == true && schema[5][5]?.contains("MILLIS=MilliSeconds()") == true)
        #expect(schema[5][6] == "TIMESTAMP WITH TIME ZONE")
        let created = try DuckDB.query("SELECT created_by, num_rows, num_row_groups, format_version FROM parquet_file_metadata('\(file.path)')")
        #expect(created == [["spate", "7", "1", "1"]])
    }

    /// A file without rows: the schema and no row groups.
    @Test func zeroRowsGiveTheSchemaAndNoRowGroups() throws {
        let directory = TemporaryDirectory()
        let file = try writeParquet(directory.file("empty.parquet"), columns: Self.everyType, rows: [])
        try expectDuckDBReads(file.path, columns: Self.everyType, rows: [])
        let metadata = try DuckDB.query("SELECT num_rows, num_row_groups FROM parquet_file_metadata('\(file.path)')")
        #expect(metadata == [["0", "0"]])
    }

    /// Statistics of each column chunk: null count, min and max (fields 6/5, exact) by the type's order
    /// (signed integers, NaN skipped for doubles, byte-wise for strings), none for a
    /// column of NULLs.
    @Test func columnChunkStatistics() throws {
        let directory = TemporaryDirectory()
        let columns = [
            ParquetColumn(name: "s", type: .string), ParquetColumn(name: "n", type: .int64),
            ParquetColumn(name: "d", type: .double), ParquetColumn(name: "b", type: .boolean),
            ParquetColumn(name: "t", type: .timestampMillis), ParquetColumn(name: "z", type: .double),
        ]
        let rows: [[ParquetValue]] = [
            [.string("banana"), .int64(5), .double(2.5), .boolean(true), .int64(1_000), .null],
            [.string("Zebra"), .int64(-7), .double(.nan), .boolean(true), .int64(86_400_000), .null],
            [.string("été"), .null, .double(-3.25), .null, .null, .null],
            [.null, .int64(12), .double(0.0), .boolean(true), .int64(0), .null],
            [.string("apple"), .int64(0), .null, .boolean(true), .int64(-1_000), .null],
        ]
        let file = try writeParquet(directory.file("stats.parquet"), columns: columns, rows: rows)
        try expectDuckDBReads(file.path, columns: columns, rows: rows)
        let stats = try DuckDB.query("SELECT path_in_schema, num_values, stats_null_count, stats_min_value, stats_max_value, min_is_exact, max_is_exact FROM parquet_metadata('\(file.path)') ORDER BY column_id")
        #expect(stats == [
            ["s", "5", "1", "Zebra", "été", "true", "true"],
            ["n", "5", "1", "-7", "12", "true", "true"],
            ["d", "5", "1", "-3.25", "2.5", "true", "true"],
            ["b", "5", "1", "true", "true", "true", "true"],
            ["t", "5", "1", "1969-12-31 23:59:59+00", "1970-01-02 00:00:00+00", "true", "true"],
            ["z", "5", "5", nil, nil, nil, nil],
        ])
        // Only the new min_value/max_value fields are written, not the deprecated min/max.
        let deprecated = try DuckDB.query("SELECT count(*) FROM parquet_metadata('\(file.path)') WHERE stats_min IS NOT NULL OR stats_max IS NOT NULL")
        #expect(deprecated == [["0"]])
    }

    /// Doubles: NaN is left out of min/max, a zero minimum is -0.0 and a zero maximum
    /// +0.0; a page of NaNs only has no min/max.
    @Test func doubleStatisticsSkipNaNAndSignZeros() throws {
        let directory = TemporaryDirectory()
        let columns = [ParquetColumn(name: "d", type: .double)]
        let rows: [[ParquetValue]] = [[.double(.nan)], [.double(0.0)], [.double(.nan)], [.double(-0.0)], [.double(.nan)], [.double(.nan)]]
        // One row per page: the pages of NaN only, then of zeros.
        let file = try writeParquet(directory.file("zeros.parquet"), columns: columns, options: .init(pageBytesTarget: 1), rows: rows)
        try expectDuckDBReads(file.path, columns: columns, rows: rows)
        let chunk = try DuckDB.query("SELECT data_page_offset, total_compressed_size, stats_min_value, stats_max_value, stats_null_count FROM parquet_metadata('\(file.path)')")
        #expect(chunk.count == 1)
        #expect(Array(chunk[0][2...4]) == ["-0.0", "0.0", "0"])
        let pageList = try pages(of: file.bytes, offset: Int(chunk[0][0]!)!, totalBytes: Int(chunk[0][1]!)!)
        #expect(pageList.count == rows.count)
        let zero = withUnsafeBytes(of: (0.0).bitPattern.littleEndian) { Array($0) }
        let negativeZero = withUnsafeBytes(of: (-0.0).bitPattern.littleEndian) { Array($0) }
        for (page, row) in zip(pageList, rows) {
            guard case .double(let value) = row[0] else { continue }
            if value.isNaN {
                #expect(page.statistics?[6] == nil && page.statistics?[5] == nil, "a NaN page has no min/max")
            } else {
                #expect(page.statistics?[6]?.binary == negativeZero && page.statistics?[5]?.binary == zero)
            }
        }
    }

    /// Row groups end at `rowGroupRowsMax` rows; each has its row count and its own
    /// statistics, and the rows read back in order across them.
    @Test func rowGroupsSplitAtTheRowLimit() throws {
        let directory = TemporaryDirectory()
        let columns = [ParquetColumn(name: "i", type: .int64), ParquetColumn(name: "s", type: .string)]
        let rows: [[ParquetValue]] = (0..<2_500).map { [.int64(Int64($0)), $0 % 7 == 0 ? .null : .string("v\($0)")] }
        let file = try writeParquet(directory.file("groups.parquet"), columns: columns, options: .init(rowGroupRowsMax: 1_000), rows: rows)
        try expectDuckDBReads(file.path, columns: columns, rows: rows)
        let groups = try DuckDB.query("SELECT row_group_id, row_group_num_rows, stats_min_value, stats_max_value, stats_null_count FROM parquet_metadata('\(file.path)') WHERE path_in_schema = 'i' ORDER BY row_group_id")
        #expect(groups == [["0", "1000", "0", "999", "0"], ["1", "1000", "1000", "1999", "0"], ["2", "500", "2000", "2499", "0"]])
        let nulls = try DuckDB.query("SELECT stats_null_count FROM parquet_metadata('\(file.path)') WHERE path_in_schema = 's' ORDER BY row_group_id")
        let expected = stride(from: 0, to: 2_500, by: 1_000).map { start in String((start..<min(start + 1_000, 2_500)).filter { $0 % 7 == 0 }.count) }
        #expect(nulls.map { $0[0] } == expected)
    }

    /// Row groups also end when their buffered bytes reach `rowGroupBytesMax`.
    @Test func rowGroupsSplitAtTheByteLimit() throws {
        let directory = TemporaryDirectory()
        let columns = [ParquetColumn(name: "s", type: .string)]
        // Each row buffers 1 + 4 + 100 bytes: 10 rows reach 1,000 bytes.
        let rows: [[ParquetValue]] = (0..<35).map { [.string(String(repeating: "x", count: 98) + String(format: "%02d", $0))] }
        let file = try writeParquet(directory.file("bytes.parquet"), columns: columns, options: .init(rowGroupBytesMax: 1_000), rows: rows)
        try expectDuckDBReads(file.path, columns: columns, rows: rows)
        let groups = try DuckDB.query("SELECT row_group_num_rows FROM parquet_metadata('\(file.path)') ORDER BY row_group_id")
        #expect(groups.map { $0[0] } == ["10", "10", "10", "5"])
    }

    /// Small pages: every chunk is several pages, each with its row count and
    /// statistics in its header, and the rows read back across the page boundaries.
    @Test func columnChunksSplitIntoPagesWithStatistics() throws {
        let directory = TemporaryDirectory()
        let rows = Self.mixedRows(count: 3_000)
        let file = try writeParquet(directory.file("pages.parquet"), columns: Self.everyType,
                                    options: .init(pageBytesTarget: 300), rows: rows)
        try expectDuckDBReads(file.path, columns: Self.everyType, rows: rows)
        try expectPagesDescribeTheirRows(file, columns: Self.everyType, rows: rows, pagesPerChunkAtLeast: 2)
    }

    /// The same shape with Snappy: DuckDB decompresses every page; repetitive data shrinks.
    @Test func snappyPagesReadBack() throws {
        let directory = TemporaryDirectory()
        let rows = Self.mixedRows(count: 20_000)
        let file = try writeParquet(directory.file("snappy.parquet"), columns: Self.everyType,
                                    options: .init(pageBytesTarget: 2 << 10, compression: .snappy), rows: rows)
        try expectDuckDBReads(file.path, columns: Self.everyType, rows: rows)
        try expectPagesDescribeTheirRows(file, columns: Self.everyType, rows: rows, pagesPerChunkAtLeast: 2)
        let chunks = try DuckDB.query("SELECT compression, total_compressed_size, total_uncompressed_size FROM parquet_metadata('\(file.path)') ORDER BY column_id")
        #expect(chunks.allSatisfy { $0[0] == "SNAPPY" })
        let compressed = chunks.map { Int($0[1]!)! }
        let uncompressed = chunks.map { Int($0[2]!)! }
        #expect(compressed[0] * 2 < uncompressed[0], "repetitive strings: \(compressed[0]) of \(uncompressed[0]) bytes")
        let compressedTotal: Int = compressed.reduce(0, +)
        let uncompressedTotal: Int = uncompressed.reduce(0, +)
        #expect(compressedTotal * 3 < uncompressedTotal * 2, "\(compressed) of \(uncompressed) bytes")
        // Incompressible strings take literals only, and still read back.
        var generator = SystemRandomNumberGenerator()
        let random: [[ParquetValue]] = (0..<2_000).map { _ in
            [.string(String((0..<40).map { _ in Character(Unicode.Scalar(UInt8.random(in: 33...126, using: &generator))) }))]
        }
        let noisy = try writeParquet(directory.file("noisy.parquet"), columns: [ParquetColumn(name: "s", type: .string)],
                                     options: .init(compression: .snappy), rows: random)
        try expectDuckDBReads(noisy.path, columns: [ParquetColumn(name: "s", type: .string)], rows: random)
    }

    /// The benchmark's row shape with the default options (122,880-row groups, 1 MiB
    /// pages): DuckDB's aggregates equal the ones computed from the written rows.
    @Test func windowResultShapeWithDefaultOptions() throws {
        let directory = TemporaryDirectory()
        let columns = [
            ParquetColumn(name: "window_start", type: .timestampMillis), ParquetColumn(name: "window_end", type: .timestampMillis),
            ParquetColumn(name: "userId", type: .string), ParquetColumn(name: "n", type: .int64),
            ParquetColumn(name: "avg", type: .double), ParquetColumn(name: "max", type: .double),
        ]
        let count = 200_000
        let rows: [[ParquetValue]] = (0..<count).map { index in
            let start = Int64(1_732_400_000_000 + (index / 1_000) * 60_000)
            return [.int64(start), .int64(start + 60_000), .string("user\(index % 1_000)"), .int64(Int64(index % 97)),
                    .double(Double(index % 1_013) / 7), index % 5 == 0 ? .null : .double(Double(index))]
        }
        let file = try writeParquet(directory.file("windows.parquet"), columns: columns, rows: rows)
        let aggregates = try DuckDB.query("""
            SELECT count(*), sum(epoch_ms(window_start)), max(epoch_ms(window_end)), count(DISTINCT userId), max(userId),
                   sum(n), sum(avg), count(max), sum(max) FROM read_parquet('\(file.path)')
            """)
        let starts = (0..<count).reduce(Int64(0)) { $0 + Int64(1_732_400_000_000 + ($1 / 1_000) * 60_000) }
        let maxValues = (0..<count).filter { $0 % 5 != 0 }
        var exact = aggregates.first ?? []
        let sumOfAverages = exact.count > 6 ? Double(exact.remove(at: 6) ?? "") : nil
        #expect(exact == [
            String(count), String(starts), String(1_732_400_000_000 + (count - 1) / 1_000 * 60_000 + 60_000), "1000", "user999",
            String((0..<count).reduce(0) { $0 + $1 % 97 }), String(maxValues.count), repr(maxValues.reduce(0.0) { $0 + Double($1) }),
        ])
        // Summed in another order, the averages' sum may differ in the last bits.
        let expectedSumOfAverages = (0..<count).reduce(0.0) { $0 + Double($1 % 1_013) / 7 }
        #expect(abs((sumOfAverages ?? 0) - expectedSumOfAverages) < 1e-9 * expectedSumOfAverages)
        let chunks = try DuckDB.query("SELECT row_group_num_rows, data_page_offset, total_compressed_size FROM parquet_metadata('\(file.path)') ORDER BY row_group_id, column_id")
        #expect(chunks.map { $0[0] } == [String?](repeating: "122880", count: 6) + [String?](repeating: "77120", count: 6))
        let pageCounts = try chunks.map { try pages(of: file.bytes, offset: Int($0[1]!)!, totalBytes: Int($0[2]!)!).count }
        // 122,880 8-byte values and their levels are just under 1 MiB: one page. The
        // strings, 4 + 6.9 bytes each, take two pages in the first row group.
        #expect(pageCounts == [1, 1, 2, 1, 1, 1] + [1, 1, 1, 1, 1, 1])
    }

    // MARK: Helpers

    /// Rows with a NULL pattern that is neither all nor none, in every column but the last (all NULL).
    static func mixedRows(count: Int) -> [[ParquetValue]] {
        (0..<count).map { index in
            let present = { (period: Int) in index % period != 0 && index / 40 % 3 != 1 }
            return [
                present(3) ? .string(index % 11 == 0 ? "" : "s\(index % 500)é") : .null,
                present(5) ? .int64(Int64(index) * 1_000_003 - 1_500_000_000) : .null,
                present(7) ? .double(index % 13 == 0 ? .nan : Double(index) / 3) : .null,
                present(2) ? .boolean(index % 4 == 1) : .null,
                present(9) ? .int64(1_732_400_000_000 + Int64(index) * 1_000) : .null,
                .null,
            ]
        }
    }

    /// Walks every chunk's pages: their row counts add up to the chunk's, and each
    /// page header's statistics are the page's own rows' null count and min/max.
    func expectPagesDescribeTheirRows(_ file: WrittenFile, columns: [ParquetColumn], rows: [[ParquetValue]],
                                      pagesPerChunkAtLeast: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let chunks = try DuckDB.query("SELECT column_id, num_values, data_page_offset, total_compressed_size FROM parquet_metadata('\(file.path)') ORDER BY row_group_id, column_id")
        #expect(chunks.count == columns.count, "one row group", sourceLocation: sourceLocation)
        for chunk in chunks {
            let column = Int(chunk[0]!)!
            let pageList = try pages(of: file.bytes, offset: Int(chunk[2]!)!, totalBytes: Int(chunk[3]!)!)
            #expect(pageList.count >= pagesPerChunkAtLeast, "column \(column)", sourceLocation: sourceLocation)
            #expect(pageList.reduce(0) { $0 + $1.rowCount } == Int(chunk[1]!)!, sourceLocation: sourceLocation)
            var firstRow = 0
            for page in pageList {
                let values = rows[firstRow..<(firstRow + page.rowCount)].map { $0[column] }
                firstRow += page.rowCount
                let expected = expectedStatistics(values, type: columns[column].type)
                #expect(page.statistics?[3]?.int == Int64(values.filter { $0 == .null }.count), sourceLocation: sourceLocation)
                #expect(page.statistics?[6]?.binary == expected?.min, "column \(column) min", sourceLocation: sourceLocation)
                #expect(page.statistics?[5]?.binary == expected?.max, "column \(column) max", sourceLocation: sourceLocation)
            }
        }
    }

    /// Min and max of `values`, PLAIN-encoded, computed here independently of the writer.
    func expectedStatistics(_ values: [ParquetValue], type: ParquetType) -> (min: [UInt8], max: [UInt8])? {
        func bytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        switch type {
        case .int64, .timestampMillis:
            let numbers = values.compactMap { if case .int64(let v) = $0 { v } else { nil } }
            guard let low = numbers.min(), let high = numbers.max() else { return nil }
            return (bytes(low), bytes(high))
        case .double:
            let numbers = values.compactMap { if case .double(let v) = $0, !v.isNaN { v } else { nil } }
            guard let low = numbers.min(), let high = numbers.max() else { return nil }
            return (bytes((low == 0 ? -0.0 : low).bitPattern), bytes((high == 0 ? 0.0 : high).bitPattern))
        case .boolean:
            let flags = values.compactMap { if case .boolean(let v) = $0 { v } else { nil } }
            guard !flags.isEmpty else { return nil }
            return ([flags.allSatisfy { $0 } ? 1 : 0], [flags.contains(true) ? 1 : 0])
        case .string:
            let strings = values.compactMap { if case .string(let v) = $0 { Array(v.utf8) } else { nil } }
            guard let low = strings.min(by: { $0.lexicographicallyPrecedes($1) }),
                  let high = strings.max(by: { $0.lexicographicallyPrecedes($1) }) else { return nil }
            return (low, high)
        }
    }
}

/// Python's repr of a double that is an integer below 2^53 ("123.0").
private func repr(_ value: Double) -> String { String(format: "%.1f", value) }
