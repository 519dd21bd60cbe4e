// Read: one `ShardReader` scanning a whole shard into one reused `ReadBatch`,
// touching every payload, and the cost of positioning a reader.
//
// The shard is loaded first (durability none, untimed), then synced and its
// files dropped from the page cache with POSIX_FADV_DONTNEED, so the first scan
// reads from the disk and the second, right after, from the page cache. Seeks
// are timed as `LogStream.reader(shard:from:)` (open and position) and as that
// plus the first `read` of one record, each the median of repeated tries.

import SpateLog

#if canImport(Glibc)
import Glibc
#endif

func runRead(in directory: String, scale: Scale) throws(LogError) {
    let recordCount = scale.readRecordCount
    printSection("""
        Read: \(grouped(recordCount)) records of \(scale.readPayloadBytes) B payload in a 1-shard stream (durability none, \
        64 MiB segments); one ShardReader, one ReadBatch, maxRecords \(grouped(scale.readBatchRecordsMax))
        """)
    let store = try LogStore.open(directory + "/read")
    let stream = try store.createStream("read", settings: StreamSettings(shardCount: 1, durability: .none))
    let source = RecordSource(payloadBytes: scale.readPayloadBytes, seed: 11)
    let middleArrivalMs = try load(stream, source: source, recordCount: recordCount)
    let shard = try stream.describe().shards[0]
    printLine("  loaded \(grouped(Int(shard.recordCount))) records, \(fixed(Double(shard.bytes) / 1e6, 1)) MB on disk in \(shard.segmentCount) segments (load not timed)")
    sync()
    let evicted = evictFromPageCache(store.dataDirectory + "/streams/read")

    printLine()
    let table = Table([
        .init(title: "scan", width: 46, leftAligned: true),
        .init(title: "records/s", width: 11),
        .init(title: "payload MB/s", width: 12),
        .init(title: "disk MB/s", width: 9),
        .init(title: "time", width: 8),
    ])
    table.printHeader()
    let passes = [evicted ? "1st, from disk (files evicted with fadvise)" : "1st (fadvise failed: may be cached)",
                  "2nd, from page cache"]
    for label in passes {
        let (records, payloadBytes, elapsed) = try scan(stream, recordsMax: scale.readBatchRecordsMax)
        precondition(records == recordCount, "the scan returns every record appended")
        table.printRow([label, groupedRate(Double(records) / elapsed), fixed(Double(payloadBytes) / 1e6 / elapsed, 1),
                        fixed(Double(shard.bytes) / 1e6 / elapsed, 1), fixed(elapsed, 2) + " s"])
    }
    try printSeeks(stream, recordCount: recordCount, middleArrivalMs: middleArrivalMs)
    try store.deleteStream("read")
}

/// Appends `recordCount` records; returns the arrival time of the middle one.
private func load(_ stream: LogStream, source: RecordSource, recordCount: Int) throws(LogError) -> Int64 {
    let batchRecords = 8_192
    let toShardZero = [Int](repeating: 0, count: RecordSource.keyCount)
    var batch = [AppendBatch()]
    var middleArrivalMs: Int64 = 0
    var first = 0
    while first < recordCount {
        let end = min(recordCount, first + batchRecords)
        _ = try source.fill(&batch, shardOfKey: toShardZero, records: first..<end)
        let result = try stream.append(batch[0])
        if (first..<end).contains(recordCount / 2) { middleArrivalMs = result.arrivalMs }
        batch[0].removeAll()
        first = end
    }
    return middleArrivalMs
}

/// Reads the whole shard once; returns records, payload bytes and seconds.
private func scan(_ stream: LogStream, recordsMax: Int) throws(LogError) -> (Int, Int, Double) {
    let batch = ReadBatch()
    var records = 0
    var payloadBytes = 0
    var checksum: UInt64 = 0
    let start = monotonicNs()
    let reader = try stream.reader(shard: 0, from: .earliest)
    while true {
        let count = try reader.read(into: batch, maxRecords: recordsMax)
        if count == 0 { break }
        for i in 0..<count {
            let payload = batch[i].payload
            checksum &+= UInt64(payload[0])
            payloadBytes += payload.count
        }
        records += count
    }
    let elapsed = seconds(from: start, to: monotonicNs())
    // Payload bytes are lowercase letters; the sum keeps the loop from being optimized away.
    precondition(checksum >= UInt64(records) * 0x61, "payloads hold lowercase letters")
    return (records, payloadBytes, elapsed)
}

/// Times positioning a reader: in the middle by sequence and by time, near the
/// end (inside the active segment), and at the end.
private func printSeeks(_ stream: LogStream, recordCount: Int, middleArrivalMs: Int64) throws(LogError) {
    let tries = 21
    printLine()
    printLine("Seek: reader(shard:from:) then read(maxRecords: 1); median of \(tries) tries, page cache warm")
    let table = Table([
        .init(title: "position", width: 40, leftAligned: true),
        .init(title: "first record", width: 12),
        .init(title: "seek", width: 9),
        .init(title: "seek max", width: 9),
        .init(title: "seek+read", width: 9),
    ])
    table.printHeader()
    let middle = UInt64(recordCount / 2)
    let nearEnd = UInt64(recordCount - 1_000)
    let positions: [(String, ReadPosition)] = [
        (".atSequence(\(middle)) (middle)", .atSequence(middle)),
        (".atTime(middle record's arrival ms)", .atTime(middleArrivalMs)),
        (".atSequence(\(nearEnd)) (active segment)", .atSequence(nearEnd)),
        (".latest", .latest),
    ]
    let batch = ReadBatch()
    for (label, position) in positions {
        var seekNs: [UInt64] = []
        var seekAndReadNs: [UInt64] = []
        var found = "-"
        for _ in 0..<tries {
            let start = monotonicNs()
            let reader = try stream.reader(shard: 0, from: position)
            let positioned = monotonicNs()
            let count = try reader.read(into: batch, maxRecords: 1)
            let done = monotonicNs()
            seekNs.append(positioned - start)
            seekAndReadNs.append(done - start)
            found = count == 0 ? "end" : "\(batch[0].sequence)"
            check(position, count: count, batch: batch, recordCount: recordCount, middleArrivalMs: middleArrivalMs)
        }
        let seek = Percentiles(seekNs)
        table.printRow([label, found, seek.text(0.5), formatNs(seek.at(1)), Percentiles(seekAndReadNs).text(0.5)])
    }
}

/// The first record after a seek is the one the position asks for.
private func check(_ position: ReadPosition, count: Int, batch: ReadBatch, recordCount: Int,
                   middleArrivalMs: Int64) {
    switch position {
    case let .atSequence(sequence):
        precondition(count == 1 && batch[0].sequence == sequence, "atSequence lands on its record")
    case let .atTime(timeMs):
        precondition(count == 1 && batch[0].arrivalMs >= timeMs && batch[0].sequence <= UInt64(recordCount / 2),
                     "atTime lands on the first record at or after the time")
    case .latest:
        precondition(count == 0, "nothing follows latest")
    default:
        break
    }
}

/// Drops every file under `path` from the page cache; false when any fadvise fails.
private func evictFromPageCache(_ path: String) -> Bool {
    var ok = true
    for name in listDirectory(path) {
        let child = path + "/" + name
        var st = stat()
        guard lstat(child, &st) == 0 else { continue }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            ok = evictFromPageCache(child) && ok
            continue
        }
        let fd = open(child, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { ok = false; continue }
        ok = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0 && ok
        close(fd)
    }
    return ok
}
