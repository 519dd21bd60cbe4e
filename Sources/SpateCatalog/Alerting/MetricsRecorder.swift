// Metrics measured in this process, held per minute in memory until the
// metrics service flushes them into the catalog's `metrics` table (every few
// seconds: `Catalog.flushMetrics`). Recording is a dictionary update under a
// mutex — cheap enough for every checkpoint and delivery, never for every record.
//
// Invariant: each (metric, dimensions, minute) aggregate holds count ≥ 1 and
// min ≤ last ≤ max, min ≤ sum / count ≤ max. Limit: `keysMax` pending keys; a
// recording beyond it is dropped and counted in `dropped` (a broken flusher
// must not grow memory without bound).

import Synchronization

/// One minute of one metric series.
public struct MetricSample: Sendable, Equatable {
    public var name: String
    /// Canonical JSON object of the dimensions.
    public var dimensions: String
    /// Start of the minute, epoch ms.
    public var minuteMs: Int64
    public var sum: Double
    public var count: Int64
    public var min: Double
    public var max: Double
    public var last: Double

    public init(name: String, dimensions: String, minuteMs: Int64, sum: Double, count: Int64, min: Double, max: Double, last: Double) {
        self.name = name
        self.dimensions = dimensions
        self.minuteMs = minuteMs
        self.sum = sum
        self.count = count
        self.min = min
        self.max = max
        self.last = last
    }

    mutating func merge(_ other: MetricSample) {
        sum += other.sum
        count += other.count
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        last = other.last
    }
}

/// Accumulates metric values per minute until flushed.
public final class MetricsRecorder: Sendable {
    struct Key: Hashable {
        var name: String
        var dimensions: String
        var minuteMs: Int64
    }

    /// Most series-minutes held before recordings are dropped.
    public static let keysMax = 100_000

    private let pending = Mutex<[Key: MetricSample]>([:])
    private let droppedCount = Atomic<Int>(0)

    public init() {}

    /// Recordings dropped because `keysMax` was reached.
    public var dropped: Int { droppedCount.load(ordering: .relaxed) }

    /// Records `value` for metric `name` with one dimension, at `atMs`.
    public func record(_ name: String, _ dimension: String, _ dimensionValue: String, _ value: Double, atMs: Int64) {
        record(name, dimensions: Catalog.dimensionsJSON([DimensionPair(name: dimension, value: dimensionValue)]), value, atMs: atMs)
    }

    /// Records `value` for metric `name` with `dimensions` (canonical JSON), at `atMs`.
    public func record(_ name: String, dimensions: String, _ value: Double, atMs: Int64) {
        let minute = atMs - ((atMs % 60_000) + 60_000) % 60_000
        let sample = MetricSample(name: name, dimensions: dimensions, minuteMs: minute, sum: value, count: 1, min: value, max: value, last: value)
        add([sample])
    }

    /// Adds already aggregated samples (also: puts back samples a failed flush took).
    public func add(_ samples: [MetricSample]) {
        pending.withLock { table in
            for sample in samples {
                let key = Key(name: sample.name, dimensions: sample.dimensions, minuteMs: sample.minuteMs)
                if table[key] != nil {
                    table[key]!.merge(sample)
                } else if table.count < Self.keysMax {
                    table[key] = sample
                } else {
                    droppedCount.add(1, ordering: .relaxed)
                }
            }
        }
    }

    /// Takes everything recorded so far.
    public func take() -> [MetricSample] {
        pending.withLock { table in
            let samples = Array(table.values)
            table.removeAll(keepingCapacity: true)
            return samples
        }
    }
}
