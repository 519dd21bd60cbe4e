// CRC32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78), the checksum
// that frames every record on disk. The same function iSCSI, ext4 and Kafka use,
// so a record's CRC can be checked with any standard tool. Computed in the C
// target CSpateCRC32C with the CPU's CRC32 instruction where there is one (see
// its header for the measurement that moved it there).

import CSpateCRC32C

/// CRC32C of byte ranges. Stateless; `update` lets a caller checksum pieces.
public enum CRC32C {
    /// Checksum of `bytes`.
    @inlinable
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        update(0, bytes)
    }

    /// Checksum of `bytes`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    /// Continues `crc` (the result of an earlier call, 0 to start) over `bytes`.
    @inlinable
    public static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress else { return crc }
        return updateRaw(crc, base, bytes.count)
    }

    @usableFromInline
    static func updateRaw(_ crc: UInt32, _ base: UnsafeRawPointer, _ count: Int) -> UInt32 {
        spate_crc32c_update(crc, base, count)
    }

    /// The checksums of three byte ranges, computed together (see
    /// spate_crc32c_three): about three times as fast as one after another.
    public static func checksums(_ a: UnsafeRawPointer, _ aCount: Int, _ b: UnsafeRawPointer, _ bCount: Int,
                                 _ c: UnsafeRawPointer, _ cCount: Int) -> (UInt32, UInt32, UInt32) {
        var out: (UInt32, UInt32, UInt32) = (0, 0, 0)
        withUnsafeMutableBytes(of: &out) { raw in
            spate_crc32c_three(a, aCount, b, bCount, c, cCount, raw.baseAddress!.assumingMemoryBound(to: UInt32.self))
        }
        return out
    }

    /// Whether the CPU's CRC32 instruction is in use (else a table fallback).
    public static var usesHardware: Bool { spate_crc32c_uses_hardware() != 0 }
}
