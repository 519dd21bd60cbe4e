// CREATE SINK, SHOW SINKS, DROP SINK: file sinks that jobs write into
// (CREATE JOB … AS INSERT INTO SINK name SELECT …; FileSinkWriter writes the
// files). A relative directory is resolved against the current directory
// when the sink is made and stored absolute, like a FILE channel's path.
//
// Defaults (the Firehose-to-S3 shape): PARTITION BY HOUR, a file per hour
// (ROLL EVERY the partition) and at most 128 MiB (ROLL SIZE). ROLL EVERY must
// divide the partition evenly, so a file never straddles two directories.

import SpateCatalog
import SpateSQL

#if canImport(Glibc)
import Glibc
#endif

extension Session {
    static let sinkRollBytesDefault: Int64 = 128 << 20

    func sinkRecord(_ name: String) throws(SpateError) -> SinkRecord? {
        do { return try database.catalog.sink(named: name) } catch { throw .catalog(error.description) }
    }

    func createSink(_ statement: CreateSinkStatement, source: String, sink: ResultSink) throws(SpateError) {
        let name = statement.name.value
        if try sinkRecord(name) != nil {
            if statement.ifNotExists { sink.message("sink \(name) already exists"); return }
            throw .sqlMessage("sink '\(name)' already exists (use CREATE SINK IF NOT EXISTS, or DROP SINK \(name) first)",
                              at: statement.name.range, source: source)
        }
        let partitionMs = statement.partition.milliseconds
        let rollMs = statement.rollEvery?.milliseconds ?? partitionMs
        guard rollMs <= partitionMs, partitionMs % rollMs == 0 else {
            throw .sqlMessage("ROLL EVERY must divide the partition (\(statement.partition.rawValue)) evenly, e.g. 5 MINUTES or 1 HOUR",
                              at: statement.name.range, source: source)
        }
        var directory = statement.directory.hasPrefix("/") ? statement.directory : Self.currentDirectory() + "/" + statement.directory
        while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
        var info = stat()
        if stat(directory, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFDIR, access(directory, W_OK) == 0 else {
                throw .sqlMessage("'\(directory)' is not a writable directory; name a directory the sink may write into",
                                  at: statement.directoryRange, source: source)
            }
        } else if mkdir(directory, 0o755) != 0 {
            throw .sqlMessage("cannot create directory '\(directory)': \(String(cString: strerror(errno))); check that its parent exists and is writable",
                              at: statement.directoryRange, source: source)
        }
        let format: SinkRecord.Format = switch statement.format {
        case .jsonl: .jsonl
        case .csv: .csv
        case .parquet: .parquet
        }
        let record = SinkRecord(name: name, directory: directory, format: format,
                                partition: statement.partition == .day ? .day : .hour, rollMs: rollMs,
                                rollBytes: statement.rollBytes ?? Self.sinkRollBytesDefault, createdMs: database.now(),
                                definition: statement.description)
        do { try database.catalog.createSink(record) } catch { throw .catalog(error.description) }
        sink.message("created sink \(name) (\(statement.format.rawValue) files in \(directory))")
    }

    func showSinks(sink: ResultSink) throws(SpateError) {
        let sinks: [SinkRecord]
        do { sinks = try database.catalog.sinks() } catch { throw .catalog(error.description) }
        sink.begin(columns: [
            ResultColumn(name: "sink", type: .string), ResultColumn(name: "format", type: .string),
            ResultColumn(name: "directory", type: .string), ResultColumn(name: "partition", type: .string),
            ResultColumn(name: "files", type: .bigint), ResultColumn(name: "rows", type: .bigint),
            ResultColumn(name: "bytes", type: .bigint), ResultColumn(name: "last_sealed", type: .timestamp),
        ])
        var summary = QuerySummary()
        for record in sinks {
            let files: [SealedSinkFile]
            do { files = try database.catalog.sinkFiles(sink: record.name) } catch { throw .catalog(error.description) }
            sink.row([
                .string(record.name), .string(record.format.rawValue.uppercased()), .string(record.directory),
                .string(record.partition.rawValue.uppercased()), .bigint(Int64(files.count)),
                .bigint(files.reduce(0) { $0 + $1.rowCount }), .bigint(files.reduce(0) { $0 + $1.bytes }),
                files.map(\.sealedMs).max().map(Value.timestamp) ?? .null,
            ])
            summary.rows += 1
        }
        sink.end(summary)
    }

    func dropSink(_ statement: DropStatement, source: String, sink: ResultSink) throws(SpateError) {
        let name = statement.name.value
        let deleted: Bool
        do { deleted = try database.catalog.dropSink(name) } catch { throw .sqlMessage(error.description, at: statement.name.range, source: source) }
        if !deleted && !statement.ifExists {
            throw .sqlMessage("sink '\(name)' does not exist", at: statement.name.range, source: source, kind: .unknownName)
        }
        sink.message(deleted ? "dropped sink \(name) (its files stay in place)" : "sink \(name) does not exist")
    }
}
