// A batch of records to append: partition keys and payloads copied into one
// contiguous buffer, with their ranges in a second array. Callers reuse a batch
// (`removeAll`) so that steady-state ingest allocates nothing per record.

/// Records waiting to be appended, in order.
public struct AppendBatch: Sendable {
    /// Most records one append call takes.
    public static let recordsMax = 100_000
    /// Most bytes (keys plus payloads) one append call takes.
    public static let bytesMax = 64 << 20

    struct Entry: Sendable {
        var keyStart: Int
        var keyCount: Int
        var payloadStart: Int
        var payloadCount: Int
    }

    var storage: [UInt8] = []
    var entries: [Entry] = []

    public init() {}

    /// Number of records in the batch.
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    /// Key and payload bytes held.
    public var byteCount: Int { storage.count }

    /// Adds a record. Throws when the record or the batch would exceed a limit;
    /// the batch is unchanged then.
    public mutating func append(key: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer) throws(LogError) {
        try RecordFrame.checkLimits(keyCount: key.count, payloadCount: payload.count)
        if entries.count >= Self.recordsMax {
            throw .batchTooLarge("more than \(Self.recordsMax) records")
        }
        if storage.count + key.count + payload.count > Self.bytesMax {
            throw .batchTooLarge("more than \(Self.bytesMax) bytes")
        }
        let keyStart = storage.count
        storage.append(contentsOf: key)
        storage.append(contentsOf: payload)
        entries.append(Entry(keyStart: keyStart, keyCount: key.count,
                             payloadStart: keyStart + key.count, payloadCount: payload.count))
    }

    /// Adds a record from byte arrays (convenience; copies once).
    public mutating func append(key: [UInt8], payload: [UInt8]) throws(LogError) {
        try withBytes(key) { (k) throws(LogError) in
            try withBytes(payload) { (p) throws(LogError) in try append(key: k, payload: p) }
        }
    }

    /// Adds a record with a string key (its UTF-8 read in place: a copy of
    /// the key into an array was an allocation per record of a job's output;
    /// written out here rather than through a generic typed-throws helper,
    /// which measured 3–5 % slower for a one-worker stateless job).
    public mutating func append(key: String, payload: [UInt8]) throws(LogError) {
        var key = key
        let result: Result<Void, LogError> = key.withUTF8 { keyBytes in
            do throws(LogError) {
                try withBytes(payload) { (payloadBytes) throws(LogError) in try append(key: UnsafeRawBufferPointer(keyBytes), payload: payloadBytes) }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// Empties the batch, keeping its memory for reuse.
    public mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with the key and payload of record `index`.
    func withRecord<T, E: Error>(_ index: Int, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws(E) -> T) throws(E) -> T {
        let entry = entries[index]
        return try withBytes(storage) { (raw) throws(E) -> T in
            try body(UnsafeRawBufferPointer(rebasing: raw[entry.keyStart..<entry.keyStart + entry.keyCount]),
                     UnsafeRawBufferPointer(rebasing: raw[entry.payloadStart..<entry.payloadStart + entry.payloadCount]))
        }
    }

    /// Bytes the batch occupies as frames on disk.
    var frameBytes: Int { entries.count * (RecordFrame.headerBytes + RecordFrame.bodyFixedBytes) + storage.count }
}
