import SpateJSON
// Shard iterators: opaque to clients, base64 (standard alphabet) of
//
//     "SPI1"            magic and version (4 bytes)
//     issuedMs          Int64, Unix ms the iterator was handed out
//     streamCreatedMs   Int64: a stream deleted and created again under the same
//                       name does not accept the old stream's iterators
//     shard             UInt32
//     kind              UInt8: 0 = at offset, 1 = at arrival time (AT_TIMESTAMP,
//                       resolved when read, so records that arrive later count)
//     position          UInt64 offset, or Int64 Unix ms as bits
//     name length, name UInt8, then the stream name's UTF-8 (≤ 128 bytes)
//
// all integers big-endian. An iterator expires 5 minutes after it was issued
// (ExpiredIteratorException), as in Kinesis; GetRecords hands out a fresh one.
// Iterators are not signed: one forged by hand reads no more than
// GetShardIterator would give the same client.

/// Where a shard iterator points.
enum IteratorPosition: Equatable, Sendable {
    case offset(UInt64)
    case arrival(ms: Int64)
}

/// A decoded shard iterator.
struct ShardIterator: Equatable, Sendable {
    static let lifetimeMs: Int64 = 5 * 60_000
    private static let magic: [UInt8] = Array("SPI1".utf8)

    var stream: String
    var streamCreatedMs: Int64
    var shard: Int
    var position: IteratorPosition
    var issuedMs: Int64

    var token: String {
        var bytes = Self.magic
        func put(_ value: UInt64, _ count: Int) {
            for i in (0..<count).reversed() { bytes.append(UInt8(truncatingIfNeeded: value >> (UInt64(i) * 8))) }
        }
        put(UInt64(bitPattern: issuedMs), 8)
        put(UInt64(bitPattern: streamCreatedMs), 8)
        put(UInt64(shard), 4)
        switch position {
        case let .offset(offset): put(0, 1); put(offset, 8)
        case let .arrival(ms): put(1, 1); put(UInt64(bitPattern: ms), 8)
        }
        let name = Array(stream.utf8)
        put(UInt64(name.count), 1)
        bytes.append(contentsOf: name)
        return Base64.encode(bytes)
    }

    init(stream: String, streamCreatedMs: Int64, shard: Int, position: IteratorPosition, issuedMs: Int64) {
        self.stream = stream
        self.streamCreatedMs = streamCreatedMs
        self.shard = shard
        self.position = position
        self.issuedMs = issuedMs
    }

    /// Decodes a token; nil when it is not one this server wrote.
    init?(token: String) {
        guard token.utf8.count <= 512, let bytes = Base64.decode(token), bytes.count >= 34,
              Array(bytes[0..<4]) == Self.magic else { return nil }
        var at = 4
        func take(_ count: Int) -> UInt64 {
            var value: UInt64 = 0
            for _ in 0..<count { value = value << 8 | UInt64(bytes[at]); at += 1 }
            return value
        }
        issuedMs = Int64(bitPattern: take(8))
        streamCreatedMs = Int64(bitPattern: take(8))
        shard = Int(take(4))
        let kind = take(1)
        let value = take(8)
        let nameCount = Int(take(1))
        guard bytes.count == at + nameCount, let name = String(validating: bytes[at...], as: UTF8.self) else { return nil }
        switch kind {
        case 0: position = .offset(value)
        case 1: position = .arrival(ms: Int64(bitPattern: value))
        default: return nil
        }
        stream = name
    }
}
