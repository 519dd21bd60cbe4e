// The random cut forest's C box kernels (CSpateForestKernels) against Swift's
// min and max, which the forest's general code uses: the SSE2 form, the
// portable form (what non-x86 CPUs run) and the Swift reference must agree bit
// for bit on every box, including ties, signed zeros and huge extents — the
// forest's trees and scores depend on it.

import CSpateForestKernels
import Testing

@Suite struct ForestBoxKernelTests {
    /// Values with many exact ties between them, both zeros, and extremes.
    static let values: [Double] = [-0.0, 0.0, 1, -1, 2.5, 3.141_592_653_589_793, 1e300, -1e300, 1e-300, 0x1p-1074, 7, -7]

    /// `count` random boxes (4 minimums then 4 maximums, low ≤ high) and points, deterministic.
    static func samples(_ count: Int) -> [(box: [Double], point: [Double])] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 17
        }
        func value() -> Double {
            next() % 3 == 0 ? Double(Int64(next() % 2_000_001) - 1_000_000) / 997 : values[Int(next() % UInt64(values.count))]
        }
        return (0..<count).map { _ in
            var box = [Double](repeating: 0, count: 8)
            for i in 0..<4 {
                let (a, b) = (value(), value())
                (box[i], box[4 + i]) = b < a ? (b, a) : (a, b)
            }
            // Some coordinates are taken from a box corner, so that points lie on faces.
            let point = (0..<4).map { i in next() % 8 == 0 ? box[(next() % 2 == 0 ? 0 : 4) + i] : value() }
            return (box, point)
        }
    }

    @Test func separationMatchesSwiftMinAndMax() {
        for (box, point) in Self.samples(20_000) {
            var range = 0.0, growth = 0.0
            for i in 0..<4 {
                range += max(box[4 + i], point[i]) - min(box[i], point[i])
                growth += max(box[i] - point[i], 0) + max(point[i] - box[4 + i], 0)
            }
            let vectorized = spate_box_separation4(box, point), portable = spate_box_separation4_portable(box, point)
            #expect(vectorized.range.bitPattern == range.bitPattern, "range of \(box) ∪ \(point)")
            #expect(vectorized.growth.bitPattern == growth.bitPattern, "growth of \(box) ∪ \(point)")
            #expect(portable.range.bitPattern == range.bitPattern && portable.growth.bitPattern == growth.bitPattern)
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 8, 9])
    func separationOfAnyDimensionMatchesSwiftMinAndMax(dimensions d: Int) {
        // Boxes of d dimensions from the 4-dimensional samples' values, laid out d minimums then d maximums.
        let samples = Self.samples(8_000)
        for index in 0..<samples.count {
            var box = [Double](repeating: 0, count: 2 * d), point = [Double](repeating: 0, count: d)
            for i in 0..<d {
                let (source, lane) = (samples[(index + i / 4) % samples.count], i % 4)
                (box[i], box[d + i], point[i]) = (source.box[lane], source.box[4 + lane], source.point[lane])
            }
            var range = 0.0, growth = 0.0
            for i in 0..<d {
                range += max(box[d + i], point[i]) - min(box[i], point[i])
                growth += max(box[i] - point[i], 0) + max(point[i] - box[d + i], 0)
            }
            let vectorized = spate_box_separation_any(box, point, d), portable = spate_box_separation_any_portable(box, point, d)
            #expect(vectorized.range.bitPattern == range.bitPattern && vectorized.growth.bitPattern == growth.bitPattern,
                    "\(box) ∪ \(point)")
            #expect(portable.range.bitPattern == range.bitPattern && portable.growth.bitPattern == growth.bitPattern)
            if d == 4 {
                let unrolled = spate_box_separation4(box, point)
                #expect(unrolled.range.bitPattern == range.bitPattern && unrolled.growth.bitPattern == growth.bitPattern)
            }
        }
    }

    @Test func unionMatchesSwiftMinAndMax() {
        let samples = Self.samples(20_000)
        for index in 0..<samples.count - 1 {
            let left = samples[index].box, right = samples[index + 1].box
            var expected = [Double](repeating: 0, count: 8)
            for i in 0..<4 {
                expected[i] = min(left[i], right[i])
                expected[4 + i] = max(left[4 + i], right[4 + i])
            }
            // The box before: unchanged, changed in one lane only, or another box.
            var changedLane = expected
            changedLane[index % 8] += 1
            for old in [expected, changedLane, samples[(index * 7) % samples.count].box] {
                let changed = zip(old, expected).contains { $0 != $1 }  // by value, as the tree compares
                var vectorized = old, portable = old
                let vectorizedChanged = left.withUnsafeBufferPointer { l in
                    right.withUnsafeBufferPointer { r in spate_box_union4(l.baseAddress!, l.baseAddress! + 4, r.baseAddress!, r.baseAddress! + 4, &vectorized) }
                }
                let portableChanged = left.withUnsafeBufferPointer { l in
                    right.withUnsafeBufferPointer { r in
                        spate_box_union4_portable(l.baseAddress!, l.baseAddress! + 4, r.baseAddress!, r.baseAddress! + 4, &portable)
                    }
                }
                #expect(vectorized.map(\.bitPattern) == expected.map(\.bitPattern), "union of \(left) and \(right)")
                #expect(portable.map(\.bitPattern) == expected.map(\.bitPattern))
                #expect((vectorizedChanged != 0) == changed && (portableChanged != 0) == changed, "changed: \(old) → \(expected)")
            }
        }
        // A leaf's box is its point, passed as both corners.
        let point = [1.0, -2, 3, 0.5], other = [0.0, 4, 3, 1]
        var box = [Double](repeating: 0, count: 8)
        #expect(spate_box_union4(point, point, other, other, &box) == 1)
        #expect(box == [0, -2, 3, 0.5, 1, 4, 3, 1])
        #expect(spate_box_union4(point, point, other, other, &box) == 0)
    }

    @Test func faceTestMatchesScalar() {
        var touching = 0
        for (box, point) in Self.samples(20_000) {
            let expected = (0..<4).contains { point[$0] == box[$0] || point[$0] == box[4 + $0] }
            touching += expected ? 1 : 0
            #expect((spate_box_touches4(box, point) != 0) == expected, "\(point) on a face of \(box)")
            #expect((spate_box_touches4_portable(box, point) != 0) == expected)
        }
        #expect(touching > 1_000 && touching < 19_000, "the samples cover both answers")
    }

    @Test func pointInsideTheBoxHasNoGrowth() {
        let box: [Double] = [0, 0, 0, 0, 1, 2, 3, 4]
        let inside = spate_box_separation4(box, [0.5, 2, 0, 1])
        #expect(inside.growth == 0 && inside.range == 10)
        let outside = spate_box_separation4(box, [-1, 2, 5, 1])
        #expect(outside.growth == 3 && outside.range == 13)
    }
}
