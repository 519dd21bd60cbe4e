// A job's detector scores over time, per key and minute: the highest score of
// the minute, the threshold that score was held to, how many rows were scored
// and how many flagged. Only flagged rows become alerts; this is what the
// dashboard's job page charts for a chosen key (score, threshold line, flagged
// minutes marked). The job drains it into the catalog with each checkpoint, in
// the checkpoint's transaction, so a replay after a crash recomputes exactly
// the minutes that were not committed (the catalog merges a minute's parts).
//
// Cost: per scored row one hash of the key's bytes and one dictionary probe —
// no allocation; a key's text is made once per (key, minute). Limit: at most
// `pointsMax` (key, minute) points between two drains; rows of further keys
// are counted in `droppedRows`, not kept (a job over millions of keys still
// charts the ones it met first in each interval).

import SpateCatalog
import SpateSQL

final class ScoreSeries {
    /// Points kept between two drains (a checkpoint every second makes that a rate).
    static let pointsMax = 20_000

    private var points: [ScoreMinute] = []
    /// hash(key bytes, minute) → index in `points`.
    private var index: [UInt64: Int32] = [:]
    private(set) var droppedRows: Int64 = 0

    /// Notes row `row`: its key (the detector's PARTITION BY vectors), time, score, threshold, flag.
    @inline(__always)
    func record(keys: [ColumnVector], row: Int, timeMs: Int64, score: Double, threshold: Double, flagged: Bool) {
        let minute = timeMs - ((timeMs % 60_000) + 60_000) % 60_000
        var hash: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(bitPattern: minute)
        for vector in keys { hash = Self.mix(hash, Self.hash(vector, row)) }
        if let at = index[hash] {
            let i = Int(at)
            if score > points[i].scoreMax { points[i].scoreMax = score; points[i].threshold = threshold }
            points[i].rows += 1
            if flagged { points[i].flagged += 1 }
            return
        }
        guard points.count < Self.pointsMax else { droppedRows += 1; return }
        let key = keys.map { $0.isNull[row] ? "NULL" : textOf($0, row) }.joined(separator: ",")
        index[hash] = Int32(points.count)
        points.append(ScoreMinute(key: key, minuteMs: minute, scoreMax: score, threshold: threshold, rows: 1, flagged: flagged ? 1 : 0))
    }

    /// The points since the last drain, and forgets them.
    func drain() -> [ScoreMinute] {
        defer {
            points.removeAll(keepingCapacity: true)
            index.removeAll(keepingCapacity: true)
        }
        return points
    }

    @inline(__always)
    private static func hash(_ vector: ColumnVector, _ row: Int) -> UInt64 {
        if vector.isNull[row] { return 0x9E37_79B9_7F4A_7C15 }
        switch vector.type {
        case .string: return vector.withString(row) { hashBytes($0) }
        case .double: return vector.doubles[row].bitPattern
        case .bigint, .timestamp: return UInt64(bitPattern: vector.ints[row])
        case .boolean: return vector.bools[row] ? 1 : 2
        case .null: return 0x9E37_79B9_7F4A_7C15
        }
    }

    @inline(__always)
    private static func mix(_ h: UInt64, _ v: UInt64) -> UInt64 {
        var z = (h ^ v) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
