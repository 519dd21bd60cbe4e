// ThriftCompactWriterTests.swift — the compact protocol's bytes, worked out by hand from
// the specification, and a round trip through the test-only reader.

import Testing
@testable import SpateParquet

@Suite struct ThriftCompactWriterTests {
    @Test func fieldHeadersValuesAndNestingMatchTheSpecification() {
        var thrift = ThriftCompactWriter()
        thrift.structValue { s in
            s.field(1, i32: 1)                  // 0x15: delta 1, i32; zigzag(1) = 2
            s.field(3, i64: -1)                 // 0x26: delta 2, i64; zigzag(-1) = 1
            s.field(20, binary: [0x61, 0x62])   // delta 17: long form 0x08, zigzag(20) = 40; length 2
            s.field(21, bool: true)             // 0x11
            s.field(22, bool: false)            // 0x12
            s.field(23, listOf: .i32, count: 3) // 0x19; list header 0x35
            s.element(i32: 0)
            s.element(i32: -2)                  // zigzag 3
            s.element(i32: 300)                 // zigzag 600 = 0xD8 0x04
            s.field(24, struct: { inner in      // 0x1C
                inner.field(1, i32: 7)          // ids restart inside: 0x15, zigzag 14
            })
            s.field(25, i32: -300)              // delta from 24 again: 0x15; zigzag 599 = 0xD7 0x04
        }
        #expect(thrift.bytes == [
            0x15, 0x02, 0x26, 0x01, 0x08, 0x28, 0x02, 0x61, 0x62, 0x11, 0x12,
            0x19, 0x35, 0x00, 0x03, 0xD8, 0x04,
            0x1C, 0x15, 0x0E, 0x00,
            0x15, 0xD7, 0x04,
            0x00,
        ])
    }

    @Test func longListsAndExtremeIntegers() {
        var thrift = ThriftCompactWriter()
        thrift.structValue { s in
            s.field(1, listOf: .binary, count: 15)
            for _ in 0..<15 { s.element(string: "") }
            s.field(2, i64: .min)
        }
        #expect(Array(thrift.bytes.prefix(3)) == [0x19, 0xF8, 0x0F], "count 15 takes the long form")
        #expect(Array(thrift.bytes[3..<18]) == [UInt8](repeating: 0, count: 15))
        #expect(Array(thrift.bytes[18...]) == [0x16] + [UInt8](repeating: 0xFF, count: 9) + [0x01, 0x00])
    }

    @Test func roundTripsThroughAnIndependentReader() throws {
        var thrift = ThriftCompactWriter()
        thrift.structValue { s in
            s.field(2, string: "héllo")
            s.field(4, listOf: .struct, count: 2)
            s.element(struct: { $0.field(1, i64: Int64.max) })
            s.element(struct: { $0.field(100, bool: true) })
            s.field(300, i32: Int32.min)
        }
        var reader = ThriftCompactReader(thrift.bytes)
        let decoded = try reader.readStruct()
        #expect(reader.offset == thrift.bytes.count)
        #expect(decoded == .structure([
            2: .binary(Array("héllo".utf8)),
            4: .list([.structure([1: .int(Int64.max)]), .structure([100: .bool(true)])]),
            300: .int(Int64(Int32.min)),
        ]))
    }
}
