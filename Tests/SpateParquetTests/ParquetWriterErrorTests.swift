// ParquetWriterErrorTests.swift — what the writer refuses, and that a refusal leaves it usable.
//
// These need no reader: they check the thrown ParquetError, its one-line message,
// and (through the footer, decoded by the test-only ThriftCompactReader) that a
// refused row left nothing behind.

import Foundation
import Testing
@testable import SpateParquet

@Suite struct ParquetWriterErrorTests {
    static let columns = [ParquetColumn(name: "userId", type: .string), ParquetColumn(name: "n", type: .int64),
                          ParquetColumn(name: "at", type: .timestampMillis)]

    /// A writer into memory.
    final class MemoryFile {
        var bytes: [UInt8] = []
        func writer(_ columns: [ParquetColumn] = ParquetWriterErrorTests.columns, options: ParquetWriter.Options = .init()) throws -> ParquetWriter {
            try ParquetWriter(columns: columns, options: options) { self.bytes.append(contentsOf: $0) }
        }
    }

    @Test func aValueOfTheWrongTypeThrowsAndTheRowIsNotKept() throws {
        let file = MemoryFile()
        let writer = try file.writer()
        try writer.append(row: [.string("u1"), .int64(1), .int64(1_000)])
        #expect(throws: ParquetError.wrongType(column: "n", type: .int64, got: "STRING")) {
            try writer.append(row: [.string("u2"), .string("2"), .int64(2_000)])
        }
        #expect(throws: ParquetError.wrongType(column: "at", type: .timestampMillis, got: "DOUBLE")) {
            try writer.append(row: [.string("u2"), .int64(2), .double(2_000)])
        }
        #expect(throws: ParquetError.wrongType(column: "userId", type: .string, got: "BOOLEAN")) {
            try writer.append(row: [.boolean(true), .int64(2), .int64(2_000)])
        }
        #expect(writer.rowCount == 1)
        try writer.append(row: [.null, .null, .null])
        try writer.finish()
        // Two rows in the footer, and one value per row in every column chunk.
        let footer = try decodeFooter(file.bytes)
        #expect(footer[3]?.int == 2)
        let chunks = footer[4]?.list?.first?[1]?.list ?? []
        #expect(chunks.map { $0[3]?[5]?.int } == [2, 2, 2])
        #expect(chunks.map { $0[3]?[12]?[3]?.int } == [1, 1, 1], "null counts")
    }

    @Test func wrongTypeMessageIsOneLine() {
        let error = ParquetError.wrongType(column: "n", type: .int64, got: "STRING")
        #expect(error.description == "column 'n' is BIGINT; got a STRING value")
        #expect(ParquetError.wrongType(column: "at", type: .timestampMillis, got: "DOUBLE").description
                == "column 'at' is TIMESTAMP; got a DOUBLE value")
        #expect(ParquetError.wrongValueCount(expected: 3, got: 2).description == "a row has 2 values; the file has 3 columns")
    }

    @Test func aRowWithTheWrongNumberOfValuesThrows() throws {
        let writer = try MemoryFile().writer()
        #expect(throws: ParquetError.wrongValueCount(expected: 3, got: 2)) { try writer.append(row: [.string("u"), .int64(1)]) }
        #expect(throws: ParquetError.wrongValueCount(expected: 3, got: 4)) {
            try writer.append(row: [.string("u"), .int64(1), .int64(1), .int64(1)])
        }
        #expect(throws: ParquetError.wrongValueCount(expected: 3, got: 0)) { try writer.append(row: []) }
        #expect(writer.rowCount == 0)
    }

    @Test func badSchemasAndOptionsAreRefused() {
        let sink: (UnsafeRawBufferPointer) throws -> Void = { _ in }
        #expect(throws: ParquetError.noColumns) { try ParquetWriter(columns: [], write: sink) }
        #expect(throws: ParquetError.emptyColumnName(position: 1)) {
            try ParquetWriter(columns: [.init(name: "a", type: .int64), .init(name: "", type: .int64)], write: sink)
        }
        #expect(throws: ParquetError.duplicateColumnName("a")) {
            try ParquetWriter(columns: [.init(name: "a", type: .int64), .init(name: "a", type: .string)], write: sink)
        }
        #expect(throws: ParquetError.invalidOption(name: "rowGroupRowsMax", value: 0, allowed: 1...(1 << 30))) {
            try ParquetWriter(columns: Self.columns, options: .init(rowGroupRowsMax: 0), write: sink)
        }
        #expect(throws: ParquetError.invalidOption(name: "pageBytesTarget", value: 1 << 30, allowed: 1...(256 << 20))) {
            try ParquetWriter(columns: Self.columns, options: .init(pageBytesTarget: 1 << 30), write: sink)
        }
    }

    @Test func aStringLongerThanTheLimitIsRefused() throws {
        let writer = try MemoryFile().writer()
        let long = String(repeating: "x", count: ParquetWriter.stringBytesMax + 1)
        #expect(throws: ParquetError.stringTooLong(column: "userId", bytes: long.utf8.count, max: ParquetWriter.stringBytesMax)) {
            try writer.append(row: [.string(long), .int64(1), .null])
        }
        #expect(writer.rowCount == 0)
    }

    @Test func aFinishedWriterRefusesMore() throws {
        let writer = try MemoryFile().writer()
        try writer.finish()
        #expect(throws: ParquetError.finished) { try writer.append(row: [.null, .null, .null]) }
        #expect(throws: ParquetError.finished) { try writer.finish() }
    }

    /// The sink's error reaches the caller unchanged; the writer then refuses every call.
    @Test func aFailingSinkStopsTheWriter() throws {
        struct DiskFull: Error, Equatable {}
        var writes = 0
        let writer = try ParquetWriter(columns: Self.columns, options: .init(rowGroupRowsMax: 2)) { _ in
            writes += 1
            if writes > 1 { throw DiskFull() }
        }
        try writer.append(row: [.string("a"), .int64(1), .int64(1)])
        #expect(throws: DiskFull()) { try writer.append(row: [.string("b"), .int64(2), .int64(2)]) }
        #expect(throws: ParquetError.failed) { try writer.append(row: [.string("c"), .int64(3), .int64(3)]) }
        #expect(throws: ParquetError.failed) { try writer.finish() }
    }

    /// Without any reader: the magic at both ends, the footer length, and what the
    /// footer says of an empty file.
    @Test func anEmptyFileIsMagicFooterLengthMagic() throws {
        let file = MemoryFile()
        let writer = try file.writer()
        try writer.finish()
        #expect(writer.bytesWritten == file.bytes.count)
        #expect(Array(file.bytes.prefix(4)) == Array("PAR1".utf8) && Array(file.bytes.suffix(4)) == Array("PAR1".utf8))
        let footer = try decodeFooter(file.bytes)
        #expect(footer[1]?.int == 1)
        #expect(footer[3]?.int == 0)
        #expect(footer[4]?.list == [])
        #expect(footer[6]?.string == "spate")
        let schema = footer[2]?.list ?? []
        #expect(schema.map { $0[4]?.string } == ["schema", "userId", "n", "at"])
        #expect(schema.first?[5]?.int == 3 && schema.first?[3] == nil, "the root: children, no repetition")
        #expect(schema.dropFirst().map { $0[3]?.int } == [1, 1, 1], "OPTIONAL")
        #expect(footer[7]?.list?.count == 3, "one column order per column")
    }
}
