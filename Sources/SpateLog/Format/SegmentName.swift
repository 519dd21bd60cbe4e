// Segment file names: the first sequence number of the segment, zero-padded to
// 20 digits so that names sort in sequence order (`00000000000000001234.log`
// and its `.idx`).

enum SegmentName {
    static func log(_ firstSequence: UInt64) -> String { padded(firstSequence) + ".log" }
    static func index(_ firstSequence: UInt64) -> String { padded(firstSequence) + ".idx" }

    /// The first sequence named by a `.log` file name, or nil for other names.
    static func parseLog(_ name: String) -> UInt64? {
        guard name.hasSuffix(".log"), name.utf8.count == 24 else { return nil }
        return UInt64(name.prefix(20))
    }

    private static func padded(_ value: UInt64) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }
}
