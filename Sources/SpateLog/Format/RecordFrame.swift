// The on-disk frame of one record, the unit of a segment file (`<first>.log`):
//
//   offset  size  field
//   0       4     body length L (little-endian), 18 + key bytes + payload bytes
//   4       4     CRC32C of the L body bytes
//   8       8     sequence number (u64 LE), strictly increasing within a shard
//   16      8     arrival time, Unix ms (i64 LE), non-decreasing within a shard
//   24      2     partition key length K (u16 LE)
//   26      K     partition key bytes
//   26+K    L-18-K payload bytes, stored exactly as appended
//
// A segment is nothing but frames back to back; there is no file header, so a
// segment's first sequence lives in its file name. A frame is valid when its
// length is within limits and its CRC matches; recovery and readers stop at the
// first frame that is not.

/// Limits and layout of a record frame.
public enum RecordFrame {
    /// Bytes before the body: length and CRC.
    public static let headerBytes = 8
    /// Bytes of the body before the key: sequence, arrival time, key length.
    public static let bodyFixedBytes = 18
    /// Largest partition key plus payload of one record (1 MiB, as in Kinesis).
    public static let recordBytesMax = 1 << 20
    /// Largest partition key in bytes (Kinesis allows 256 characters; 1,024 bytes
    /// holds 256 characters of any UTF-8).
    public static let partitionKeyBytesMax = 1024
    /// Largest body length a valid frame can declare.
    public static let bodyBytesMax = bodyFixedBytes + recordBytesMax

    /// Throws when a record of this key and payload is over a limit (the one
    /// check of every way into the log: AppendBatch and FrameBatch).
    static func checkLimits(keyCount: Int, payloadCount: Int) throws(LogError) {
        if keyCount > partitionKeyBytesMax {
            throw .partitionKeyTooLong(bytes: keyCount, limit: partitionKeyBytesMax)
        }
        if keyCount + payloadCount > recordBytesMax {
            throw .recordTooLarge(bytes: keyCount + payloadCount, limit: recordBytesMax)
        }
    }

    /// Bytes one record occupies on disk.
    @inlinable
    public static func frameBytes(keyCount: Int, payloadCount: Int) -> Int {
        headerBytes + bodyFixedBytes + keyCount + payloadCount
    }

    /// Writes one frame at `destination` (which must have room for
    /// `frameBytes(...)`); returns the bytes written.
    static func encode(
        into destination: UnsafeMutableRawPointer,
        sequence: UInt64, arrivalMs: Int64,
        key: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer
    ) -> Int {
        let length = encodeUnsealed(into: destination, key: key, payload: payload)
        seal(destination, sequence: sequence, arrivalMs: arrivalMs)
        return length
    }

    /// Writes a frame's length, key length, key and payload at `destination`,
    /// leaving its sequence, arrival time and CRC for `seal` (a frame is built
    /// on any thread, and sealed by the shard that appends it); returns its bytes.
    static func encodeUnsealed(
        into destination: UnsafeMutableRawPointer,
        key: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer
    ) -> Int {
        let bodyLength = bodyFixedBytes + key.count + payload.count
        // The append path checks limits before it frames (an error for the caller); here they are invariants.
        assert(key.count <= Int(UInt16.max), "a partition key is at most \(UInt16.max) bytes, this one \(key.count)")
        assert(bodyLength <= Int(UInt32.max), "a frame's body length fits its 32-bit length field")
        let body = destination + headerBytes
        body.storeBytes(of: UInt16(key.count).littleEndian, toByteOffset: 16, as: UInt16.self)
        if key.count > 0 { (body + bodyFixedBytes).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        if payload.count > 0 {
            (body + bodyFixedBytes + key.count).copyMemory(from: payload.baseAddress!, byteCount: payload.count)
        }
        destination.storeBytes(of: UInt32(bodyLength).littleEndian, toByteOffset: 0, as: UInt32.self)
        return headerBytes + bodyLength
    }

    /// Stores the sequence and arrival time of the unsealed frame at `frame`
    /// and then its CRC, which covers them.
    @inline(__always)
    static func seal(_ frame: UnsafeMutableRawPointer, sequence: UInt64, arrivalMs: Int64) {
        stamp(frame, sequence: sequence, arrivalMs: arrivalMs)
        let bodyLength = Int(UInt32(littleEndian: frame.loadUnaligned(as: UInt32.self)))
        frame.storeBytes(of: CRC32C.updateRaw(0, UnsafeRawPointer(frame + headerBytes), bodyLength).littleEndian,
                         toByteOffset: 4, as: UInt32.self)
    }

    /// Stores the sequence and arrival time of the frame at `frame` (its CRC is then stale).
    @inline(__always)
    static func stamp(_ frame: UnsafeMutableRawPointer, sequence: UInt64, arrivalMs: Int64) {
        frame.storeBytes(of: sequence.littleEndian, toByteOffset: headerBytes, as: UInt64.self)
        frame.storeBytes(of: arrivalMs.littleEndian, toByteOffset: headerBytes + 8, as: Int64.self)
    }

    /// The body length of the frame at `frame`.
    @inline(__always)
    static func bodyLength(_ frame: UnsafeRawPointer) -> Int {
        Int(UInt32(littleEndian: frame.loadUnaligned(as: UInt32.self)))
    }

    /// What `decode` finds at a position.
    enum Decoded {
        /// A whole, valid frame of `length` bytes.
        case record(RecordDescriptor, length: Int)
        /// The bytes end inside the frame; more may follow.
        case incomplete
        /// Not a valid frame: a torn write or corruption.
        case invalid(String)
    }

    /// When the three frames starting at `position` are whole and their CRCs
    /// match, checked together (three interleaved CRC chains): the offset past
    /// the third, for `decode(…, crcVerified:)`. Otherwise `position` — the
    /// frames then get the one-by-one check, which names what is wrong.
    static func verifyThree(_ bytes: UnsafeRawBufferPointer, at position: Int) -> Int {
        var starts = (0, 0, 0), lengths = (0, 0, 0)
        var at = position
        for frame in 0..<3 {
            guard bytes.count - at >= headerBytes else { return position }
            let bodyLength = Int(UInt32(littleEndian: (bytes.baseAddress! + at).loadUnaligned(as: UInt32.self)))
            guard bodyLength >= bodyFixedBytes, bodyLength <= bodyBytesMax, bytes.count - at >= headerBytes + bodyLength else { return position }
            switch frame {
            case 0: (starts.0, lengths.0) = (at, bodyLength)
            case 1: (starts.1, lengths.1) = (at, bodyLength)
            default: (starts.2, lengths.2) = (at, bodyLength)
            }
            at += headerBytes + bodyLength
        }
        let base = bytes.baseAddress!
        let crcs = CRC32C.checksums(base + starts.0 + headerBytes, lengths.0, base + starts.1 + headerBytes, lengths.1,
                                    base + starts.2 + headerBytes, lengths.2)
        func stored(_ start: Int) -> UInt32 { UInt32(littleEndian: (base + start + 4).loadUnaligned(as: UInt32.self)) }
        guard crcs.0 == stored(starts.0), crcs.1 == stored(starts.1), crcs.2 == stored(starts.2) else { return position }
        return at
    }

    /// Decodes the frame that starts at `position` of `bytes`; `crcVerified`
    /// when `verifyThree` has checked its CRC already.
    static func decode(_ bytes: UnsafeRawBufferPointer, at position: Int, crcVerified: Bool = false) -> Decoded {
        let available = bytes.count - position
        if available < headerBytes { return .incomplete }
        let base = bytes.baseAddress! + position
        let bodyLength = Int(UInt32(littleEndian: base.loadUnaligned(as: UInt32.self)))
        if bodyLength < bodyFixedBytes || bodyLength > bodyBytesMax {
            return .invalid("frame length \(bodyLength) out of range")
        }
        if available < headerBytes + bodyLength { return .incomplete }
        let storedCRC = UInt32(littleEndian: (base + 4).loadUnaligned(as: UInt32.self))
        let body = base + headerBytes
        if !crcVerified && CRC32C.updateRaw(0, body, bodyLength) != storedCRC { return .invalid("CRC mismatch") }
        let keyCount = Int(UInt16(littleEndian: (body + 16).loadUnaligned(as: UInt16.self)))
        if bodyFixedBytes + keyCount > bodyLength { return .invalid("key length \(keyCount) exceeds frame") }
        let descriptor = RecordDescriptor(
            sequence: UInt64(littleEndian: body.loadUnaligned(as: UInt64.self)),
            arrivalMs: Int64(littleEndian: (body + 8).loadUnaligned(as: Int64.self)),
            keyStart: Int32(position + headerBytes + bodyFixedBytes),
            keyCount: Int32(keyCount),
            payloadStart: Int32(position + headerBytes + bodyFixedBytes + keyCount),
            payloadCount: Int32(bodyLength - bodyFixedBytes - keyCount)
        )
        return .record(descriptor, length: headerBytes + bodyLength)
    }
}

/// Where one record lies in a buffer: its metadata and the byte ranges of its key
/// and payload. Plain data, so a batch of them is one array with no per-record
/// allocation.
public struct RecordDescriptor: Sendable, Equatable {
    public var sequence: UInt64
    public var arrivalMs: Int64
    public var keyStart: Int32
    public var keyCount: Int32
    public var payloadStart: Int32
    public var payloadCount: Int32
}
