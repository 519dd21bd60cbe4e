// ULEB128.swift — unsigned little-endian base-128 varints.
//
// Layer: SpateParquet (internal). Seven bits per byte, least significant group
// first, the high bit set on every byte but the last. Thrift's compact protocol,
// the RLE/bit-packed hybrid's run headers and Snappy's length preamble all use it.

enum ULEB128 {
    /// Appends `value` as 1 to 10 bytes.
    @inline(__always)
    static func append(_ value: UInt64, to out: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
    }
}
