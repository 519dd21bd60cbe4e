// A job's detector scores over time, per key and minute: the highest score of
// the minute, the threshold that score was held to, how many rows were scored
// and how many flagged. Only flagged rows become alerts; this is what the
// dashboard's job page charts for a chosen key (score, threshold line, flagged
// minutes marked). The job drains it into the catalog with each checkpoint, in
// the checkpoint's transaction, so a replay after a crash recomputes exactly
// the minutes that were not committed (the catalog merges a minute's parts).
//
// Cost: per scored row one mix of the key's hash (the detector operator's,
// computed anyway to find the key's state) with the minute and one probe of an
// open-addressing table — no allocation; a key's text is made once per (key,
// minute). Measured (spate-bench query): 3.9 % of a per-event ANOMALY_SCORE
// query with its own hash of the key's bytes and a Dictionary 9.5 %. Limit: at most
// `pointsMax` (key, minute) points between two drains; rows of further keys
// are counted in `droppedRows`, not kept (a job over millions of keys still
// charts the ones it met first in each interval).

import SpateCatalog
import SpateSQL

final class ScoreSeries {
    /// Points kept between two drains (a checkpoint every second makes that a rate).
    static let pointsMax = 20_000
    /// Open-addressing slots: a power of two above twice `pointsMax`.
    private static let slotCount = 65_536

    /// Per point, column-wise: its hash, key text, minute and running figures.
    private let hashes = UnsafeMutablePointer<UInt64>.allocate(capacity: pointsMax)
    private var keys: [String] = []
    private let minutes = UnsafeMutablePointer<Int64>.allocate(capacity: pointsMax)
    private let scoreMaxima = UnsafeMutablePointer<Double>.allocate(capacity: pointsMax)
    private let thresholds = UnsafeMutablePointer<Double>.allocate(capacity: pointsMax)
    private let rows = UnsafeMutablePointer<Int64>.allocate(capacity: pointsMax)
    private let flagged = UnsafeMutablePointer<Int64>.allocate(capacity: pointsMax)
    private var count = 0
    /// hash(key bytes, minute) → point index + 1 (0: empty), linear probing.
    private let slots = UnsafeMutablePointer<Int32>.allocate(capacity: slotCount)
    private(set) var droppedRows: Int64 = 0
    /// The minute of the last row recorded.
    private var lastMinute = Int64.min

    init() {
        slots.initialize(repeating: 0, count: Self.slotCount)
        keys.reserveCapacity(1_024)
    }

    deinit {
        hashes.deallocate()
        minutes.deallocate()
        scoreMaxima.deallocate()
        thresholds.deallocate()
        rows.deallocate()
        flagged.deallocate()
        slots.deallocate()
    }

    /// Notes row `row`: the hash of its key (the detector's own, of its
    /// PARTITION BY values), the key's vectors (read only for a new point),
    /// its time, score, threshold and flag.
    @inline(__always)
    func record(keyHash: UInt64, keys keyVectors: [ColumnVector], row: Int, timeMs: Int64, score: Double, threshold: Double,
                flagged isFlagged: Bool) {
        // Rows come in time order mostly: the last minute saves two divisions a row.
        if timeMs < lastMinute || timeMs >= lastMinute &+ 60_000 { lastMinute = timeMs - ((timeMs % 60_000) + 60_000) % 60_000 }
        let minute = lastMinute
        let hash = Self.mix(keyHash, UInt64(bitPattern: minute))
        let mask = Self.slotCount - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { break }
            let i = entry - 1
            if hashes[i] == hash {
                if score > scoreMaxima[i] { scoreMaxima[i] = score; thresholds[i] = threshold }
                rows[i] += 1
                if isFlagged { flagged[i] += 1 }
                return
            }
            slot = (slot + 1) & mask
        }
        guard count < Self.pointsMax else { droppedRows += 1; return }
        let i = count
        count += 1
        slots[slot] = Int32(i + 1)
        hashes[i] = hash
        keys.append(keyVectors.map { $0.isNull[row] ? "NULL" : textOf($0, row) }.joined(separator: ","))
        minutes[i] = minute
        scoreMaxima[i] = score
        thresholds[i] = threshold
        rows[i] = 1
        flagged[i] = isFlagged ? 1 : 0
    }

    /// The points since the last drain, and forgets them.
    func drain() -> [ScoreMinute] {
        let points = (0..<count).map { i in
            ScoreMinute(key: keys[i], minuteMs: minutes[i], scoreMax: scoreMaxima[i], threshold: thresholds[i], rows: rows[i], flagged: flagged[i])
        }
        if count > 0 { slots.update(repeating: 0, count: Self.slotCount) }
        keys.removeAll(keepingCapacity: true)
        count = 0
        return points
    }

    @inline(__always)
    private static func mix(_ h: UInt64, _ v: UInt64) -> UInt64 {
        var z = (h ^ v) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
