// A charted series: one value per bucket of a time range, nil where the
// catalog has no data for the bucket (the chart draws a gap there, not a zero:
// a missing minute means nobody measured, e.g. the server was down).
// Invariant: `values.count == range.bucketCount`, bucket i starting at
// `range.fromMs + i * range.bucketMs`.

/// One line of a chart.
public struct TimeSeries: Sendable, Equatable {
    public var name: String
    public var unit: ValueUnit
    public var values: [Double?]

    public init(name: String, unit: ValueUnit, values: [Double?]) {
        self.name = name
        self.unit = unit
        self.values = values
    }

    /// How many buckets hold a value.
    public var pointCount: Int { values.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
}

/// The buckets a chart spans: `bucketCount` buckets of `bucketMs`, the last one holding now.
public struct ChartRange: Sendable, Equatable {
    public let name: String
    public let fromMs: Int64
    public let bucketMs: Int64
    public let bucketCount: Int

    public var toMs: Int64 { fromMs + bucketMs * Int64(bucketCount) }

    /// The ranges the pages offer: 1 h of minutes, 6 h of 5 min, 24 h of 15 min, 7 d of 2 h.
    public static let names = ["1h", "6h", "24h", "7d"]

    /// The range called `name` ending with the bucket that holds `nowMs`; nil for an unknown name.
    public init?(name: String, nowMs: Int64) {
        let minute: Int64 = 60_000
        let shape: (bucket: Int64, count: Int)
        switch name {
        case "1h": shape = (minute, 60)
        case "6h": shape = (5 * minute, 72)
        case "24h": shape = (15 * minute, 96)
        case "7d": shape = (120 * minute, 84)
        default: return nil
        }
        self.init(name: name, endingAtBucketOf: nowMs, bucketMs: shape.bucket, bucketCount: shape.count)
    }

    public init(name: String, endingAtBucketOf nowMs: Int64, bucketMs: Int64, bucketCount: Int) {
        precondition(bucketMs > 0 && bucketCount > 0, "chart range: \(bucketCount) buckets of \(bucketMs) ms")
        self.name = name
        self.bucketMs = bucketMs
        self.bucketCount = bucketCount
        self.fromMs = (nowMs / bucketMs + 1) * bucketMs - bucketMs * Int64(bucketCount)
    }

    /// The bucket holding `instantMs`, or nil outside the range.
    public func bucket(of instantMs: Int64) -> Int? {
        guard instantMs >= fromMs else { return nil }
        let index = Int((instantMs - fromMs) / bucketMs)
        return index < bucketCount ? index : nil
    }
}
