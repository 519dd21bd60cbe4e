// The embeddable facade: one object per open data directory. Everything a
// program embedding Spate needs goes through here; the `spate` command is one
// such program.
//
//     let db = try Database.open("./spate-data")
//     let stream = try db.createStream("tx", settings: StreamSettings(shardCount: 2))
//     var batch = AppendBatch()
//     try batch.append(key: "user1", payload: Array(#"{"amount":12.5}"#.utf8))
//     _ = try stream.append(batch)
//     let cursor = try db.cursor(stream: "tx", from: .earliest)

import SpateCatalog
import SpateLog

#if canImport(Glibc)
import Glibc
#endif

/// An open Spate data directory.
public final class Database: @unchecked Sendable {
    /// Where the data lives: `<dir>/streams/...` and `<dir>/catalog.sqlite`.
    public let dataDirectory: String
    /// The stream log. Internal: every program goes through the facade's
    /// functions, so each operation (delete, alter, …) has one definition.
    let log: LogStore
    /// The SQLite catalog: stream definitions, jobs, checkpoints, alerts.
    let catalog: Catalog
    /// The clock (Unix ms) for arrival times, NOW() and retention.
    public let now: @Sendable () -> Int64

    private init(dataDirectory: String, log: LogStore, catalog: Catalog, now: @escaping @Sendable () -> Int64) {
        self.dataDirectory = dataDirectory
        self.log = log
        self.catalog = catalog
        self.now = now
    }

    /// The data directory to use when none is given: `$SPATE_DATA`, else `./spate-data`.
    public static func defaultDataDirectory() -> String {
        if let value = getenv("SPATE_DATA"), let text = String(validatingCString: value), !text.isEmpty { return text }
        return "./spate-data"
    }

    /// Opens (creating if needed) the data directory at `path`.
    public static func open(_ path: String? = nil, options: LogOptions = LogOptions()) throws(SpateError) -> Database {
        let directory = path ?? defaultDataDirectory()
        let log: LogStore
        do { log = try LogStore.open(directory, options: options) } catch { throw .log(error) }
        do {
            return Database(dataDirectory: directory, log: log, catalog: try Catalog.open(dataDirectory: directory), now: options.now)
        } catch {
            throw .catalog(error.description)
        }
    }

    /// Creates a stream.
    @discardableResult
    public func createStream(_ name: String, settings: StreamSettings = StreamSettings()) throws(SpateError) -> LogStream {
        do { return try log.createStream(name, settings: settings) } catch { throw .log(error) }
    }

    /// The stream called `name`.
    public func stream(_ name: String) throws(SpateError) -> LogStream {
        do { return try log.stream(name) } catch { throw .log(error) }
    }

    /// The stream called `name`, created with `settings` if it does not exist.
    /// Throws when it exists with a different shard count than `settings` asks
    /// for and `shardCountGiven` says the caller asked explicitly.
    public func stream(_ name: String, creatingWith settings: StreamSettings, shardCountGiven: Bool) throws(SpateError) -> (LogStream, created: Bool) {
        if !log.streamExists(name) {
            do {
                return (try log.createStream(name, settings: settings), true)
            } catch .streamExists(_) {
                // Another process created it first: use theirs.
            } catch {
                throw .log(error)
            }
        }
        let stream = try stream(name)
        if shardCountGiven && stream.shards.count != settings.shardCount {
            throw .invalidArgument("stream '\(name)' exists with \(stream.shards.count) shard(s), not \(settings.shardCount); drop --shards or use another stream")
        }
        return (stream, false)
    }

    /// Whether a stream called `name` exists.
    public func streamExists(_ name: String) -> Bool { log.streamExists(name) }

    /// Changes a stream's settings — the one way every route (ALTER STREAM,
    /// `spate stream alter`, the Kinesis retention operations) alters a stream.
    /// `change` edits a copy of the current settings and may throw to refuse;
    /// a refused or invalid change writes nothing. The shard count cannot change.
    @discardableResult
    public func alterStream(_ name: String, _ change: (inout StreamSettings) throws(SpateError) -> Void) throws(SpateError) -> StreamSettings {
        var settings = try stream(name).settings
        let shardCount = settings.shardCount
        try change(&settings)
        guard settings.shardCount == shardCount else { throw .invalidArgument("the shard count of an existing stream cannot change") }
        do { return try log.alterStream(name) { $0 = settings } } catch { throw .log(error) }
    }

    /// Settings, sizes, sequence ranges and times of a stream.
    public func describeStream(_ name: String) throws(SpateError) -> StreamDescription {
        let stream = try stream(name)
        do { return try stream.describe() } catch { throw .log(error) }
    }

    /// Reads every segment and index of every shard of a stream and reports
    /// what is wrong (`spate stream check`); changes nothing.
    public func checkStream(_ name: String) throws(SpateError) -> [ShardCheckReport] {
        let stream = try stream(name)
        do { return try stream.check() } catch { throw .log(error) }
    }

    /// Cuts shard `shard` of a stream at its first bad record, discarding every
    /// record from there on, and rewrites damaged indexes (`spate stream check
    /// --repair`, after the user agreed to what the check said it discards).
    @discardableResult
    public func repairStream(_ name: String, shard: Int) throws(SpateError) -> ShardCheckReport {
        let stream = try stream(name)
        guard stream.shards.indices.contains(shard) else { throw .log(.shardNotFound(stream: name, shard: shard)) }
        do { return try stream.shards[shard].repair() } catch { throw .log(error) }
    }

    /// Names of all streams.
    public func streamNames() throws(SpateError) -> [String] {
        do { return try log.streamNames() } catch { throw .log(error) }
    }

    /// Deletes a stream, its records and its SQL definition — the one way every
    /// route (DROP STREAM, `spate stream delete`, the Kinesis DeleteStream)
    /// deletes a stream, so a later stream of the same name never inherits
    /// stale columns. (Should a process die between the two steps, the
    /// definition left behind is older than any new stream of that name, and
    /// `streamDefinition` ignores it.)
    public func deleteStream(_ name: String) throws(SpateError) {
        do { try log.deleteStream(name) } catch { throw .log(error) }
        try removeStreamDefinition(name)
    }

    /// A cursor over the given shards (all when nil) of a stream.
    public func cursor(stream name: String, shards: [Int]? = nil, from position: ReadPosition, end: CursorEnd? = nil) throws(SpateError) -> StreamCursor {
        let stream = try stream(name)
        do {
            return try StreamCursor(stream: stream, shards: shards ?? Array(stream.shards.indices), from: position, end: end)
        } catch {
            throw .log(error)
        }
    }

    /// Applies every stream's retention now.
    @discardableResult
    public func enforceRetention() throws(SpateError) -> Int {
        do { return try log.enforceRetention() } catch { throw .log(error) }
    }
}
