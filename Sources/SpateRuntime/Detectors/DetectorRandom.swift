// DetectorRandom: the pseudo-random generator of the random cut forest.
//
// SplitMix64 (Steele, Lea, Flood 2014): one UInt64 of state, a full period of
// 2^64, and good enough equidistribution for choosing cuts and reservoir keys.
// One word of state makes checkpoints trivial and exact, and the sequence is the
// same on every platform, so a forest is deterministic for a seed.

/// A small deterministic generator (SplitMix64).
struct DetectorRandom {
    private(set) var state: UInt64

    init(seed: UInt64) { state = seed }

    @inline(__always) mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    @inline(__always) mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform in (0, 1): never 0, so its logarithm is finite.
    @inline(__always) mutating func nextOpenUnit() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1.0p-53
    }
}
