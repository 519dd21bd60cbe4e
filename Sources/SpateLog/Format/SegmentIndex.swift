// The sparse index of a segment, `<first>.idx`, written once when the segment is
// sealed (the active segment's index lives in memory and is rebuilt by scanning).
//
//   header (64 bytes, little-endian):
//     0   8  magic "SPATEIDX"
//     8   4  format version (1)
//     12  4  CRC32C of bytes 16..<64 and of all entries
//     16  8  first sequence
//     24  8  next sequence (one past the last record)
//     32  8  segment bytes covered (the .log file's size when sealed)
//     40  8  smallest arrival ms
//     48  8  largest arrival ms
//     56  8  entry count
//   entries (24 bytes each): sequence, file position, largest arrival ms up to
//   and including that record
//
// An entry is taken about every `intervalBytes` of log, so finding a sequence or
// a time costs a binary search and a scan of at most one interval. An index that
// does not match its segment (missing, bad CRC, other size) is rebuilt from the
// log, never trusted.

/// One index entry.
public struct IndexEntry: Sendable, Equatable {
    public var sequence: UInt64
    public var position: Int
    /// Largest arrival time of the records up to and including this one.
    public var arrivalMsMax: Int64
}

/// The summary and sparse index of one segment.
public struct SegmentIndex: Sendable, Equatable {
    /// Bytes of log between index entries.
    public static let intervalBytes = 4096
    static let magic: [UInt8] = Array("SPATEIDX".utf8)
    static let headerBytes = 64
    static let entryBytes = 24

    public var firstSequence: UInt64
    public var nextSequence: UInt64
    public var segmentBytes: Int
    public var arrivalMsMin: Int64
    public var arrivalMsMax: Int64
    public var entries: [IndexEntry]

    public init(firstSequence: UInt64) {
        self.firstSequence = firstSequence
        self.nextSequence = firstSequence
        self.segmentBytes = 0
        self.arrivalMsMin = .max
        self.arrivalMsMax = .min
        self.entries = []
    }

    public var recordCount: UInt64 { nextSequence - firstSequence }

    /// Accounts for one more record of `frameLength` bytes at `position`.
    mutating func add(sequence: UInt64, arrivalMs: Int64, position: Int, frameLength: Int) {
        arrivalMsMin = min(arrivalMsMin, arrivalMs)
        arrivalMsMax = max(arrivalMsMax, arrivalMs)
        let lastIndexed = entries.last?.position ?? -Self.intervalBytes
        if position - lastIndexed >= Self.intervalBytes {
            entries.append(IndexEntry(sequence: sequence, position: position, arrivalMsMax: arrivalMsMax))
        }
        nextSequence = sequence + 1
        segmentBytes = position + frameLength
    }

    /// Where to start scanning to find `sequence`: the last entry at or before
    /// it (the segment start when none), as a file position and the sequence of
    /// the record there.
    public func scanStart(forSequence sequence: UInt64) -> (position: Int, sequence: UInt64) {
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].sequence <= sequence { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? (0, firstSequence) : (entries[low - 1].position, entries[low - 1].sequence)
    }

    /// Where to start scanning to find the first record that arrived at or after
    /// `timeMs`: the last entry whose records all arrived before it.
    public func scanStart(forTime timeMs: Int64) -> (position: Int, sequence: UInt64) {
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].arrivalMsMax < timeMs { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? (0, firstSequence) : (entries[low - 1].position, entries[low - 1].sequence)
    }

    /// The index file's bytes.
    func encoded() -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(Self.headerBytes + entries.count * Self.entryBytes)
        out.append(contentsOf: Self.magic)
        appendLE(&out, UInt32(1))
        appendLE(&out, UInt32(0))  // CRC, filled below
        appendLE(&out, firstSequence)
        appendLE(&out, nextSequence)
        appendLE(&out, UInt64(segmentBytes))
        appendLE(&out, UInt64(bitPattern: arrivalMsMin))
        appendLE(&out, UInt64(bitPattern: arrivalMsMax))
        appendLE(&out, UInt64(entries.count))
        for entry in entries {
            appendLE(&out, entry.sequence)
            appendLE(&out, UInt64(entry.position))
            appendLE(&out, UInt64(bitPattern: entry.arrivalMsMax))
        }
        let crc = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[16...])) }
        out.withUnsafeMutableBytes { $0.storeBytes(of: crc.littleEndian, toByteOffset: 12, as: UInt32.self) }
        return out
    }

    /// Parses index bytes; nil when they are not a valid index.
    static func decode(_ bytes: [UInt8]) -> SegmentIndex? {
        guard bytes.count >= headerBytes, Array(bytes[0..<8]) == magic else { return nil }
        return bytes.withUnsafeBytes { raw -> SegmentIndex? in
            func u64(_ at: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
            guard UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self)) == 1 else { return nil }
            let storedCRC = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
            guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[16...])) == storedCRC else { return nil }
            let count = Int(u64(56))
            guard bytes.count == headerBytes + count * entryBytes else { return nil }
            var index = SegmentIndex(firstSequence: u64(16))
            index.nextSequence = u64(24)
            index.segmentBytes = Int(u64(32))
            index.arrivalMsMin = Int64(bitPattern: u64(40))
            index.arrivalMsMax = Int64(bitPattern: u64(48))
            index.entries.reserveCapacity(count)
            for i in 0..<count {
                let at = headerBytes + i * entryBytes
                index.entries.append(IndexEntry(sequence: u64(at), position: Int(u64(at + 8)),
                                                arrivalMsMax: Int64(bitPattern: u64(at + 16))))
            }
            return index
        }
    }
}

@inline(__always)
func appendLE<T: FixedWidthInteger>(_ out: inout [UInt8], _ value: T) {
    withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
}
