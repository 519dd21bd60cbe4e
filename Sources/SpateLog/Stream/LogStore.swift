// The log of a data directory: `<data>/streams/<name>/` per stream, each with its
// manifest and one directory per shard. Creating a stream builds it in a
// temporary directory and renames it into place, so a stream appears whole or
// not at all, and two processes creating the same stream cannot both win.
// Deleting renames it aside first, so it disappears at once, then removes it.
//
// Several processes may open one data directory; each keeps its own `LogStore`.
// A stream opened here notices settings another process changed (its manifest
// is re-read when the file changes).
//
// A stream's archive setting is resolved (relative to the data directory),
// created and checked here when a stream is created or altered
// (`ArchiveDirectory.prepare`), so the manifest only ever holds an absolute
// path that was a writable directory when it was set.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Options of a log store.
public struct LogOptions: Sendable {
    /// The clock for arrival times and retention (Unix ms); tests replace it.
    public var now: @Sendable () -> Int64
    /// Called (on the appending thread) each time recovery cuts a torn tail, so
    /// that the program can say so at once; the store also keeps the events.
    public var onRecovery: (@Sendable (RecoveryEvent) -> Void)?

    public init(now: @escaping @Sendable () -> Int64 = wallClockMs) {
        self.now = now
        self.onRecovery = nil
    }

    public init(now: @escaping @Sendable () -> Int64 = wallClockMs, onRecovery: @escaping @Sendable (RecoveryEvent) -> Void) {
        self.now = now
        self.onRecovery = onRecovery
    }
}

/// The streams of one data directory.
public final class LogStore: @unchecked Sendable {
    /// Longest stream name, as in Kinesis.
    public static let streamNameBytesMax = 128

    public let dataDirectory: String
    let streamsDirectory: String
    private let options: LogOptions
    private let mutex = PosixMutex()
    private var open: [String: (stream: LogStream, stamp: FileStamp)] = [:]

    private init(dataDirectory: String, options: LogOptions) {
        self.dataDirectory = dataDirectory
        self.streamsDirectory = dataDirectory + "/streams"
        self.options = options
    }

    /// Opens (creating if needed) the log of `dataDirectory`.
    public static func open(_ dataDirectory: String, options: LogOptions = LogOptions()) throws(LogError) -> LogStore {
        let store = LogStore(dataDirectory: dataDirectory, options: options)
        try FileSystem.makeDirectories(store.streamsDirectory)
        // Owner-only whatever made them: new directories are 0700 (makeDirectory), and existing ones are tightened.
        FileSystem.tightenDirectory(dataDirectory)
        FileSystem.tightenDirectory(store.streamsDirectory)
        store.removeLeftovers()
        return store
    }

    /// Checks a stream name: 1-128 of `[A-Za-z0-9_.-]`, as Kinesis allows.
    public static func validate(streamName name: String) throws(LogError) {
        guard !name.isEmpty, name.utf8.count <= streamNameBytesMax else {
            throw .invalidStreamName(name, reason: "use 1 to \(streamNameBytesMax) characters")
        }
        guard name.utf8.allSatisfy({ c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2E || c == 0x2D
        }), name != ".", name != ".." else {
            throw .invalidStreamName(name, reason: "use letters, digits, '_', '.' and '-' only")
        }
    }

    private func streamPath(_ name: String) -> String { streamsDirectory + "/" + name }

    /// Creates a stream; throws `streamExists` when it does.
    @discardableResult
    public func createStream(_ name: String, settings: StreamSettings = StreamSettings()) throws(LogError) -> LogStream {
        try Self.validate(streamName: name)
        try settings.validate()
        let final = streamPath(name)
        if FileSystem.exists(final) { throw .streamExists(name) }
        let createdMs = options.now()
        var settings = settings
        if let archive = settings.archiveDirectory {
            settings.archiveDirectory = try ArchiveDirectory.prepare(archive, dataDirectory: dataDirectory, stream: name, createdMs: createdMs)
        }
        let temporary = streamsDirectory + "/.tmp-\(name)-\(getpid())-\(monotonicNs())"
        try FileSystem.makeDirectory(temporary)
        do throws(LogError) {
            let manifest = StreamManifest(settings: settings, createdMs: createdMs)
            try FileSystem.replaceAtomically(temporary + "/" + StreamManifest.fileName, with: manifest.encoded())
            for i in 0..<settings.shardCount { try Shard.create(at: temporary + "/" + ShardDirectory.shardName(i)) }
            try FileSystem.syncDirectory(temporary)
            guard try FileSystem.rename(temporary, final) else { throw LogError.streamExists(name) }
            try FileSystem.syncDirectory(streamsDirectory)
        } catch {
            try? FileSystem.removeTree(temporary)
            throw error
        }
        return try stream(name)
    }

    /// The stream called `name`.
    public func stream(_ name: String) throws(LogError) -> LogStream {
        try Self.validate(streamName: name)
        let manifestPath = streamPath(name) + "/" + StreamManifest.fileName
        guard let stamp = FileStamp(manifestPath) else {
            _ = mutex.withLock { open.removeValue(forKey: name) }
            throw .streamNotFound(name)
        }
        return try mutex.withLock { () throws(LogError) -> LogStream in
            if let cached = open[name] {
                if cached.stamp == stamp { return cached.stream }
                // The manifest was replaced: new settings, or a new stream of the same name.
                let manifest = try StreamManifest.decode(try FileSystem.readAll(manifestPath), path: manifestPath)
                if manifest.settings.shardCount == cached.stream.shards.count && manifest.createdMs == cached.stream.createdMs {
                    cached.stream.replaceManifest(manifest)
                    open[name] = (cached.stream, stamp)
                    return cached.stream
                }
            }
            // Not open yet, or deleted and created again by another process.
            let manifest = try StreamManifest.decode(try FileSystem.readAll(manifestPath), path: manifestPath)
            let stream = try LogStream(name: name, path: streamPath(name), manifest: manifest, now: options.now,
                                       onRecovery: options.onRecovery)
            open[name] = (stream, stamp)
            return stream
        }
    }

    /// Whether a stream exists.
    public func streamExists(_ name: String) -> Bool {
        (try? Self.validate(streamName: name)) != nil && FileSystem.exists(streamPath(name) + "/" + StreamManifest.fileName)
    }

    /// Names of all streams, sorted.
    public func streamNames() throws(LogError) -> [String] {
        try FileSystem.list(streamsDirectory)
            .filter { !$0.hasPrefix(".") && FileSystem.exists(streamPath($0) + "/" + StreamManifest.fileName) }
            .sorted()
    }

    /// Changes retention, archive, durability or segment settings (not the
    /// shard count). A new archive directory is prepared as at creation;
    /// segments already in a previous one stay there and are no longer read.
    public func alterStream(_ name: String, _ change: (inout StreamSettings) -> Void) throws(LogError) -> StreamSettings {
        let stream = try stream(name)
        var settings = stream.settings
        let shardCount = settings.shardCount
        let archiveBefore = settings.archiveDirectory
        change(&settings)
        guard settings.shardCount == shardCount else {
            throw .invalidSettings("the shard count of an existing stream cannot change (resharding is not supported)")
        }
        try settings.validate()
        if let archive = settings.archiveDirectory {
            let resolved = ArchiveDirectory.resolve(archive, dataDirectory: dataDirectory)
            settings.archiveDirectory = resolved == archiveBefore
                ? resolved : try ArchiveDirectory.prepare(archive, dataDirectory: dataDirectory, stream: name, createdMs: stream.createdMs)
        }
        let manifest = StreamManifest(settings: settings, createdMs: stream.createdMs)
        try FileSystem.replaceAtomically(streamPath(name) + "/" + StreamManifest.fileName, with: manifest.encoded())
        stream.replaceManifest(manifest)
        if let stamp = FileStamp(streamPath(name) + "/" + StreamManifest.fileName) {
            mutex.withLock { open[name] = (stream, stamp) }
        }
        return settings
    }

    /// Deletes a stream and all its records.
    public func deleteStream(_ name: String) throws(LogError) {
        try Self.validate(streamName: name)
        let path = streamPath(name)
        guard FileSystem.exists(path + "/" + StreamManifest.fileName) else { throw .streamNotFound(name) }
        let aside = streamsDirectory + "/.deleted-\(name)-\(getpid())-\(monotonicNs())"
        guard try FileSystem.rename(path, aside) else { throw .io("rename", path, EEXIST) }
        try FileSystem.syncDirectory(streamsDirectory)
        _ = mutex.withLock { open.removeValue(forKey: name) }
        try FileSystem.removeTree(aside)
    }

    /// Applies retention to every stream; returns segments deleted.
    public func enforceRetention() throws(LogError) -> Int {
        var deleted = 0
        for name in try streamNames() {
            guard let stream = try? stream(name) else { continue }  // deleted meanwhile
            deleted += try stream.enforceRetention()
        }
        return deleted
    }

    /// Torn tails recovery cut off in streams opened so far, since the last call.
    public func takeRecoveryEvents() -> [RecoveryEvent] {
        mutex.withLock { open.values.map(\.stream) }.flatMap { $0.takeRecoveryEvents() }
    }

    /// Removes what an interrupted create or delete left (older than a minute,
    /// so that another process's create in progress is left alone).
    private func removeLeftovers() {
        guard let names = try? FileSystem.list(streamsDirectory) else { return }
        let nowSeconds = Int(options.now() / 1000)
        for name in names where name.hasPrefix(".tmp-") || name.hasPrefix(".deleted-") {
            let path = streamsDirectory + "/" + name
            if let stamp = FileStamp(path), nowSeconds - stamp.modifiedSeconds > 60 {
                try? FileSystem.removeTree(path)
            }
        }
    }
}

/// Identity and change time of a file, to notice a replaced manifest.
struct FileStamp: Equatable {
    var inode: UInt64
    var created: Int64
    var modifiedSeconds: Int
    var modifiedNanoseconds: Int

    init?(_ path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        inode = UInt64(st.st_ino)
        created = Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec)
        modifiedSeconds = Int(st.st_mtim.tv_sec)
        modifiedNanoseconds = Int(st.st_mtim.tv_nsec)
    }
}
