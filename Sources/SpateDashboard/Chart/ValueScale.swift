// The value axis of a dashboard chart: a linear map from data values to SVG
// y pixels, over a domain widened to "nice" round numbers (1, 2, 2.5 or 5 times
// a power of ten) so that every tick label is short and the ticks are evenly
// spaced. Invariants: the domain always contains 0 and every finite value
// given (metrics are counts and rates; a negative score widens it downwards),
// `lower < upper`, and the ticks run from `lower` to `upper` inclusive.

/// A linear value scale with nice ticks.
public struct ValueScale: Sendable, Equatable {
    public let lower: Double
    public let upper: Double
    public let step: Double

    /// The scale for `values` (nil and non-finite ones are ignored) with about
    /// `tickCountTarget` intervals; an empty or all-zero series gets 0…1.
    public init(values: [Double?], including extra: [Double] = [], tickCountTarget: Int = 4) {
        var low = 0.0, high = 0.0
        for value in values.compactMap({ $0 }) + extra where value.isFinite {
            low = min(low, value)
            high = max(high, value)
        }
        if high - low <= 0 { high = low + 1 }
        let step = Self.niceStep(span: high - low, intervals: max(1, tickCountTarget))
        self.step = step
        self.lower = (low / step).rounded(.down) * step
        self.upper = (high / step).rounded(.up) * step
        precondition(lower < upper, "value scale: \(lower) ≥ \(upper)")
    }

    /// The smallest of 1, 2, 2.5, 5 × 10^n that splits `span` into at most `intervals` parts.
    static func niceStep(span: Double, intervals: Int) -> Double {
        let raw = span / Double(intervals)
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        for factor in [1.0, 2.0, 2.5, 5.0, 10.0] where factor * magnitude >= raw * (1 - 1e-9) {
            return factor * magnitude
        }
        return 10 * magnitude
    }

    /// Tick values from lower to upper.
    public var ticks: [Double] {
        let count = Int(((upper - lower) / step).rounded())
        return (0...count).map { lower + Double($0) * step }
    }

    /// The y pixel of `value` when the plot spans `top` (upper) to `bottom` (lower).
    public func y(_ value: Double, top: Double, bottom: Double) -> Double {
        bottom - (value - lower) / (upper - lower) * (bottom - top)
    }
}
