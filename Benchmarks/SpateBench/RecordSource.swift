// The records the benchmarks append, built before any timing starts: 500
// partition keys "user0"..."user499", a pool of payloads of one size, and a long
// pseudo-random sequence of key choices, all in memory allocated once. Filling
// an `AppendBatch` from it is two memcpys per record and no allocation once the
// batch has grown to its working size.

import SpateLog

/// SplitMix64: a small deterministic generator, so every run appends the same records.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// Immutable record material shared read-only by all writer threads.
final class RecordSource: @unchecked Sendable {
    static let keyCount = 500
    static let payloadPoolCount = 64
    static let keyChoiceCount = 1 << 16

    let payloadBytes: Int
    private let keyBytes: UnsafeMutableRawBufferPointer
    private let keyRanges: [Range<Int>]
    private let payloads: UnsafeMutableRawBufferPointer
    private let keyChoices: [UInt16]

    init(payloadBytes: Int, seed: UInt64) {
        precondition(payloadBytes > 0)
        self.payloadBytes = payloadBytes
        var random = SplitMix64(seed: seed)
        let keys = (0..<Self.keyCount).map { Array("user\($0)".utf8) }
        keyBytes = .allocate(byteCount: keys.reduce(0) { $0 + $1.count }, alignment: 8)
        var ranges: [Range<Int>] = []
        var at = 0
        for key in keys {
            keyBytes.baseAddress!.advanced(by: at).copyMemory(from: key, byteCount: key.count)
            ranges.append(at..<at + key.count)
            at += key.count
        }
        keyRanges = ranges
        // Lowercase letters: text-like and incompressible enough for a filesystem that compresses.
        payloads = .allocate(byteCount: payloadBytes * Self.payloadPoolCount, alignment: 16)
        for i in 0..<payloads.count { payloads[i] = UInt8(0x61 + random.next(below: 26)) }
        keyChoices = (0..<Self.keyChoiceCount).map { _ in UInt16(random.next(below: Self.keyCount)) }
    }

    deinit {
        keyBytes.deallocate()
        payloads.deallocate()
    }

    /// The partition key of record `n`.
    @inline(__always)
    func keyIndex(ofRecord n: Int) -> Int { Int(keyChoices[n & (Self.keyChoiceCount - 1)]) }

    @inline(__always)
    func key(_ index: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: keyBytes[keyRanges[index]]) }

    /// The payload of record `n`.
    @inline(__always)
    func payload(ofRecord n: Int) -> UnsafeRawBufferPointer {
        let start = (n % Self.payloadPoolCount) * payloadBytes
        return UnsafeRawBufferPointer(rebasing: payloads[start..<start + payloadBytes])
    }

    /// The shard of each key in a stream routed by `router`, computed once so that
    /// writers do not hash keys in the timed loop.
    func shardOfKey(_ router: PartitionRouter) -> [Int] {
        (0..<Self.keyCount).map { router.shard(forKey: key($0)) }
    }

    /// Adds records `first..<first + count` to `batches`, each to the batch of its
    /// key's shard; returns the bytes they occupy on disk as frames.
    func fill(_ batches: inout [AppendBatch], shardOfKey: [Int], records: Range<Int>) throws(LogError) -> Int {
        var frameBytesTotal = 0
        for n in records {
            let k = keyIndex(ofRecord: n)
            let key = key(k)
            try batches[shardOfKey[k]].append(key: key, payload: payload(ofRecord: n))
            frameBytesTotal += RecordFrame.frameBytes(keyCount: key.count, payloadCount: payloadBytes)
        }
        return frameBytesTotal
    }
}
