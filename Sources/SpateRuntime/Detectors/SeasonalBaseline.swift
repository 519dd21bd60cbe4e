// SeasonalBaseline: the expected value of a one-input detector's key at each
// point of a repeating period (`season => N`: N points a period — 288 for a
// daily cycle of 5-minute points, 168 for a weekly cycle of hours), so the
// detector scores how far a point is from what this time of the period
// usually brings rather than from the overall level. A daily pattern that
// breaks (a day that stays flat) then stands out although every value on its
// own is ordinary.
//
// Math (additive Holt–Winters without trend): expected = level + shape[phase],
// phase = (points seen) mod N. During the first period each phase's shape is
// its value and the level their running mean; at its end the mean is taken
// out of the shapes. After that, for each point x: the level follows the
// deseasonalised value quickly (level += 0.02·(x − shape[phase] − level), a
// memory of ~50 points), so a permanent level shift stops alerting within about
// one window of the harness's labels; the phase's shape follows slowly
// (shape += 0.125·(x − level − shape), about the last eight periods) and only
// from points that did not flag, so an anomalous day does not become
// tomorrow's shape. The detector sees residual = x − expected. During the first
// period no phase has a shape: those points are learned and scored NULL (a
// longer warm-up, by one period).
//
// Points are assumed evenly spaced (one a phase); a missing point shifts the
// phase, as a missing sample would shift any count-based season.
// Memory per key: N + 1 doubles and a counter.
// Checkpoint: count (UInt64), level, then the N shapes (Double bit patterns).

/// The level and per-phase shape of one key.
struct SeasonalBaseline: Sendable {
    private var count: UInt64 = 0
    private var level = 0.0
    private var shapes: [Double]

    static let levelWeight = 0.02
    static let shapeWeight = 0.125

    init(length: Int) {
        precondition(length >= 2)
        shapes = [Double](repeating: 0, count: length)
    }

    static func stateBytes(length: Int) -> Int { 8 * length + 32 + 16 }

    private var length: UInt64 { UInt64(shapes.count) }
    private var phase: Int { Int(count % length) }

    /// The expected value at the next point (nil during the first period).
    var expected: Double? { count < length ? nil : level + shapes[phase] }

    /// Moves to the next point, learning `x` (the shape only when it did not flag).
    mutating func advance(_ x: Double, flagged: Bool) {
        let p = phase
        if count < length {
            shapes[p] = x
            level += (x - level) / Double(count + 1)
            count += 1
            if count == length { for index in shapes.indices { shapes[index] -= level } }
            return
        }
        level += Self.levelWeight * (x - shapes[p] - level)
        if !flagged { shapes[p] += Self.shapeWeight * (x - level - shapes[p]) }
        count += 1
    }

    func write(to writer: inout StateWriter) {
        writer.write(count)
        writer.write(level)
        shapes.withUnsafeBufferPointer { writer.write(doubles: $0) }
    }

    static func read(from reader: inout StateReader, length: Int) throws(StateError) -> SeasonalBaseline {
        var state = SeasonalBaseline(length: length)
        state.count = try reader.readUInt64()
        state.level = try reader.readDouble()
        try state.shapes.withUnsafeMutableBufferPointer { buffer throws(StateError) in try reader.readDoubles(into: buffer) }
        return state
    }
}
