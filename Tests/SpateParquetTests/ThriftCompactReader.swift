// ThriftCompactReader.swift — a test-only decoder of the Thrift compact protocol into a
// tree, to look inside what the writer wrote (page headers, the footer) without
// trusting the writer's own encoder. It follows the protocol specification, not
// ThriftCompactWriter, so the two check each other.

import Testing

/// A decoded compact-protocol value.
indirect enum ThriftValue: Equatable {
    case bool(Bool)
    case int(Int64)
    case binary([UInt8])
    case list([ThriftValue])
    case structure([Int16: ThriftValue])

    subscript(field: Int16) -> ThriftValue? {
        if case .structure(let fields) = self { return fields[field] }
        return nil
    }

    var int: Int64? { if case .int(let value) = self { return value }; return nil }
    var binary: [UInt8]? { if case .binary(let value) = self { return value }; return nil }
    var bool: Bool? { if case .bool(let value) = self { return value }; return nil }
    var list: [ThriftValue]? { if case .list(let value) = self { return value }; return nil }
    var string: String? { binary.map { String(decoding: $0, as: UTF8.self) } }
}

struct ThriftCompactReader {
    struct Malformed: Error {}

    let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    /// Reads one struct (fields until the stop byte).
    mutating func readStruct() throws -> ThriftValue {
        var fields: [Int16: ThriftValue] = [:]
        var lastId: Int16 = 0
        while true {
            let header = try byte()
            if header == 0 { return .structure(fields) }
            let type = header & 0x0F
            let delta = header >> 4
            let id = delta == 0 ? Int16(try zigzag()) : lastId + Int16(delta)
            lastId = id
            switch type {
            case 1: fields[id] = .bool(true)
            case 2: fields[id] = .bool(false)
            default: fields[id] = try value(type)
            }
        }
    }

    private mutating func value(_ type: UInt8) throws -> ThriftValue {
        switch type {
        case 3: return .int(Int64(Int8(bitPattern: try byte())))
        case 4, 5, 6: return .int(try zigzag())
        case 8:
            let length = Int(try varint())
            guard offset + length <= bytes.count else { throw Malformed() }
            defer { offset += length }
            return .binary(Array(bytes[offset..<(offset + length)]))
        case 9:
            let header = try byte()
            let count = header >> 4 == 15 ? Int(try varint()) : Int(header >> 4)
            let elementType = header & 0x0F
            var elements: [ThriftValue] = []
            for _ in 0..<count {
                if elementType == 1 || elementType == 2 {
                    elements.append(.bool(try byte() == 1))
                } else {
                    elements.append(try value(elementType))
                }
            }
            return .list(elements)
        case 12: return try readStruct()
        default: throw Malformed()
        }
    }

    private mutating func byte() throws -> UInt8 {
        guard offset < bytes.count else { throw Malformed() }
        defer { offset += 1 }
        return bytes[offset]
    }

    private mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            result |= UInt64(next & 0x7F) << shift
            if next < 0x80 { return result }
            shift += 7
            guard shift < 64 else { throw Malformed() }
        }
    }

    private mutating func zigzag() throws -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }
}

/// The footer of a Parquet file, decoded.
func decodeFooter(_ file: [UInt8]) throws -> ThriftValue {
    let length = Int(UInt32(file[file.count - 8]) | UInt32(file[file.count - 7]) << 8
                     | UInt32(file[file.count - 6]) << 16 | UInt32(file[file.count - 5]) << 24)
    var reader = ThriftCompactReader(file, offset: file.count - 8 - length)
    return try reader.readStruct()
}

/// One data page as its header describes it.
struct PageSummary {
    let header: ThriftValue
    var rowCount: Int { Int(header[5]?[1]?.int ?? -1) }
    var statistics: ThriftValue? { header[5]?[5] }
}

/// The pages of the column chunk whose first page is at `offset` and whose pages take
/// `totalBytes` bytes (headers included), in order.
func pages(of file: [UInt8], offset: Int, totalBytes: Int) throws -> [PageSummary] {
    var pages: [PageSummary] = []
    var position = offset
    while position < offset + totalBytes {
        var reader = ThriftCompactReader(file, offset: position)
        let header = try reader.readStruct()
        pages.append(PageSummary(header: header))
        position = reader.offset + Int(header[3]?.int ?? 0)
    }
    #expect(position == offset + totalBytes, "the pages overrun the chunk")
    return pages
}
