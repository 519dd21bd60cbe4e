// SampleRandom: the pseudo-random generator behind `spate generate` and the
// sample data that tests and benchmarks build from.
//
// xoshiro256** (Blackman, Vigna 2018), its four words seeded from the user's
// seed by SplitMix64, as the authors recommend. Integer arithmetic only, so a
// seed gives the same sequence on every platform; the Gaussian draws use
// Box–Muller with the C library's log/sin/cos, which agree across platforms in
// practice but are not promised to be bit-exact.
//
// This generator is separate from the detectors' (SpateRuntime.DetectorRandom):
// changing how a forest draws its cuts must not change the sample data.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small deterministic generator: xoshiro256** seeded by SplitMix64.
public struct SampleRandom: Sendable {
    private var s0, s1, s2, s3: UInt64
    /// The second value of the last Box–Muller pair, not yet used.
    private var spareGaussian: Double?

    public init(seed: UInt64) {
        var splitMix = seed
        func nextSplitMix() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = nextSplitMix()
        s1 = nextSplitMix()
        s2 = nextSplitMix()
        s3 = nextSplitMix()
        // SplitMix64 never yields four zero words in a row, so the state is never all zero.
        assert(s0 | s1 | s2 | s3 != 0)
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * unit()
    }

    /// Uniform over `range`, without modulo bias (Lemire's multiply-shift with rejection).
    public mutating func integer(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) &+ 1
        if span == 0 { return Int(truncatingIfNeeded: next()) }  // the whole of Int
        let threshold = (0 &- span) % span
        while true {
            let product = next().multipliedFullWidth(by: span)
            if product.low >= threshold { return range.lowerBound + Int(product.high) }
        }
    }

    /// Normal with this mean and standard deviation (Box–Muller, a pair at a time).
    public mutating func gaussian(mean: Double, standardDeviation: Double) -> Double {
        if let spare = spareGaussian {
            spareGaussian = nil
            return mean + standardDeviation * spare
        }
        let u1 = (Double(next() >> 11) + 0.5) * 0x1.0p-53  // in (0, 1): its logarithm is finite
        let u2 = unit()
        let radius = (-2 * log(u1)).squareRoot()
        spareGaussian = radius * sin(2 * Double.pi * u2)
        return mean + standardDeviation * radius * cos(2 * Double.pi * u2)
    }
}
