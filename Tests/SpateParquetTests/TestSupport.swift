// TestSupport.swift — temporary directories, writing a file with ParquetWriter, and
// reading it back with DuckDB (the python3 `duckdb` module) as an independent reader.
//
// DuckDB runs as `python3 -c <script> <sql>…`: every statement's rows come back as
// JSON, each value rendered as text (floats by repr, so NaN and ±inf survive;
// booleans as true/false) or null. Tests that need DuckDB are enabled by
// `DuckDB.available` and say why when they are skipped.

import Foundation
import Testing
@testable import SpateParquet

/// A directory removed with everything in it when the value is released.
final class TemporaryDirectory {
    let path: String

    init() {
        var template = Array((NSTemporaryDirectory() + "/spate-parquet-XXXXXX").utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A file written in memory by ParquetWriter, then saved.
struct WrittenFile {
    let path: String
    let bytes: [UInt8]
    let rowCount: Int
    let bytesWritten: Int
}

/// Writes `rows` with a ParquetWriter to `path`.
func writeParquet(_ path: String, columns: [ParquetColumn], options: ParquetWriter.Options = .init(),
                  rows: [[ParquetValue]]) throws -> WrittenFile {
    var bytes: [UInt8] = []
    let sink: (UnsafeRawBufferPointer) throws -> Void = { bytes.append(contentsOf: $0) }
    let writer = try ParquetWriter(columns: columns, options: options, write: sink)
    for row in rows { try writer.append(row: row) }
    try writer.finish()
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return WrittenFile(path: path, bytes: bytes, rowCount: writer.rowCount, bytesWritten: writer.bytesWritten)
}

enum DuckDB {
    static let skipReason: Comment = "the python3 module duckdb is not importable: `pip install duckdb` to run the DuckDB read-back tests"

    static let available: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import duckdb"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    struct Failure: Error, CustomStringConvertible { let description: String }

    private static let script = """
        import sys, json, duckdb
        con = duckdb.connect()
        def render(v):
            if v is None: return None
            if isinstance(v, bool): return "true" if v else "false"
            if isinstance(v, float): return repr(v)
            return str(v)
        out = [[[render(v) for v in row] for row in con.execute(sql).fetchall()] for sql in sys.argv[1:]]
        json.dump(out, sys.stdout)
        """

    /// Runs each statement in one DuckDB connection; returns each one's rows.
    static func query(_ statements: [String]) throws -> [[[String?]]] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + statements
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "duckdb failed: " + String(decoding: errors, as: UTF8.self))
        }
        guard let sets = try JSONSerialization.jsonObject(with: output) as? [[[Any]]] else {
            throw Failure(description: "duckdb printed no result sets: " + String(decoding: output, as: UTF8.self))
        }
        return sets.map { rows in rows.map { row in row.map { $0 as? String } } }
    }

    static func query(_ statement: String) throws -> [[String?]] { try query([statement])[0] }

    /// What DuckDB reads from the file: each column's name and SQL type, and every
    /// row in file order, timestamps as epoch milliseconds.
    static func readBack(_ path: String, columns: [ParquetColumn]) throws -> (types: [[String]], rows: [[String?]]) {
        let selected = columns.map { column in
            let quoted = "\"" + column.name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            return column.type == .timestampMillis ? "epoch_ms(\(quoted))" : quoted
        }
        let results = try query([
            "DESCRIBE SELECT * FROM read_parquet('\(path)')",
            "SELECT \(selected.joined(separator: ", ")) FROM read_parquet('\(path)', file_row_number = true) ORDER BY file_row_number",
        ])
        return (results[0].map { [$0[0] ?? "", $0[1] ?? ""] }, results[1])
    }

    /// The SQL type DuckDB gives each ParquetType.
    static func sqlType(_ type: ParquetType) -> String {
        switch type {
        case .string: "VARCHAR"
        case .int64: "BIGINT"
        case .double: "DOUBLE"
        case .boolean: "BOOLEAN"
        case .timestampMillis: "TIMESTAMP WITH TIME ZONE"
        }
    }
}

/// Whether DuckDB's rendering of a value (from `DuckDB.query`) is the value written.
func duckDBValue(_ text: String?, matches value: ParquetValue) -> Bool {
    switch value {
    case .null: return text == nil
    case .int64(let number): return text == String(number)
    case .boolean(let flag): return text == (flag ? "true" : "false")
    case .string(let string): return text == string
    case .double(let number):
        guard let text, let read = Double(text) else { return false }
        return number.isNaN ? read.isNaN : read == number && read.sign == number.sign
    }
}

/// Expects DuckDB to read back exactly `rows` with `columns`' names and types.
func expectDuckDBReads(_ path: String, columns: [ParquetColumn], rows: [[ParquetValue]],
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
    let read = try DuckDB.readBack(path, columns: columns)
    #expect(read.types == columns.map { [$0.name, DuckDB.sqlType($0.type)] }, sourceLocation: sourceLocation)
    #expect(read.rows.count == rows.count, sourceLocation: sourceLocation)
    for (index, (readRow, row)) in zip(read.rows, rows).enumerated() {
        let matches = readRow.count == row.count && zip(readRow, row).allSatisfy { duckDBValue($0, matches: $1) }
        #expect(matches, "row \(index): DuckDB read \(readRow), written \(row)", sourceLocation: sourceLocation)
        if !matches { break }
    }
}
