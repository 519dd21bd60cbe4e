// Latencies of one thread, recorded into memory allocated before the timed loop
// (recording is one store, never an allocation), and percentiles computed after
// the run over the samples of every thread. The buffer is not touched until
// written, so a generous capacity costs address space, not resident memory.

/// A fixed-capacity array of nanosecond latencies, written by one thread.
final class LatencySamples: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<UInt64>
    private(set) var count = 0

    init(capacity: Int) {
        precondition(capacity > 0)
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    var capacity: Int { storage.count }
    var isFull: Bool { count == storage.count }

    /// Records one latency; the caller checks `isFull` first (a full buffer is a
    /// sizing bug of the benchmark, so it traps rather than dropping samples).
    @inline(__always)
    func record(_ ns: UInt64) {
        precondition(count < storage.count, "latency buffer full")
        storage[count] = ns
        count += 1
    }

    var values: UnsafeBufferPointer<UInt64> { UnsafeBufferPointer(rebasing: storage[0..<count]) }
}

/// Nearest-rank percentiles of a set of latencies.
struct Percentiles {
    private let sorted: [UInt64]

    init(_ samples: [LatencySamples]) {
        var all: [UInt64] = []
        all.reserveCapacity(samples.reduce(0) { $0 + $1.count })
        for s in samples { all.append(contentsOf: s.values) }
        sorted = all.sorted()
    }

    init(_ values: [UInt64]) { sorted = values.sorted() }

    var count: Int { sorted.count }

    /// The smallest sample at or above fraction `p` of them (p in 0...1).
    func at(_ p: Double) -> UInt64 {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }

    /// `at(p)` formatted, or "-" when there are too few samples for it to mean anything.
    func text(_ p: Double) -> String {
        guard !sorted.isEmpty, Double(sorted.count) * (1 - p) >= 1 || p <= 0.5 else { return "-" }
        return formatNs(at(p))
    }
}
