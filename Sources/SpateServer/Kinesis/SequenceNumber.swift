// Kinesis sequence numbers for Spate records. Format (decimal, 26 digits):
//
//     4 SSSSS OOOOOOOOOOOOOOOOOOOO
//     │ │     └ the record's offset in its shard, 20 digits (UInt64 fits)
//     │ └ the shard index, 5 digits (StreamSettings.shardsMax is 1024)
//     └ a leading 4, so the number has no leading zero (Kinesis' pattern
//       `0|[1-9][0-9]*`) and looks like the 4… numbers Kinesis gives
//
// Fixed width, so comparing two sequence numbers as strings or as numbers gives
// the same order; within a shard that order is the offsets', as in Kinesis. The
// shard is in the number so that a sequence number from another shard is
// recognised and refused (InvalidArgumentException), as Kinesis refuses it.

import SpateJSON

/// A (shard, offset) pair written as a Kinesis sequence number.
struct SequenceNumber: Equatable, Sendable {
    static let digitCount = 26
    var shard: Int
    var offset: UInt64

    var text: String { withDigits { String(decoding: $0, as: UTF8.self) } }

    /// Writes the number as a JSON string into `w` without allocating (a
    /// GetRecords or PutRecords answer writes one per record).
    func write(to w: inout JSONWriter) {
        withDigits { w.string(bytes: $0) }
    }

    /// Calls `body` with the 26 ASCII digits, formatted on the stack.
    private func withDigits<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        return withUnsafeMutableBytes(of: &storage) { digits in
            digits[0] = UInt8(ascii: "4")
            var rest = shard
            for i in stride(from: 5, through: 1, by: -1) {
                digits[i] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            var offsetRest = offset
            for i in stride(from: Self.digitCount - 1, through: 6, by: -1) {
                digits[i] = UInt8(ascii: "0") + UInt8(offsetRest % 10)
                offsetRest /= 10
            }
            return body(UnsafeRawBufferPointer(rebasing: digits[0..<Self.digitCount]))
        }
    }

    init(shard: Int, offset: UInt64) {
        precondition(shard >= 0 && shard < 100_000)
        self.shard = shard
        self.offset = offset
    }

    /// Parses a sequence number this server wrote; nil for any other text.
    init?(_ text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count == Self.digitCount, utf8[0] == UInt8(ascii: "4"),
              utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let shard = Int(String(decoding: utf8[1..<6], as: UTF8.self)),
              let offset = UInt64(String(decoding: utf8[6...], as: UTF8.self)) else { return nil }
        self.shard = shard
        self.offset = offset
    }
}
