// ThriftCompactWriter.swift — the Thrift Compact Protocol, encode side only, into a byte array.
//
// Layer: SpateParquet (internal). Parquet's footer and page headers are Thrift
// structs in the compact protocol (thrift/doc/specs/thrift-compact-protocol.md).
// The writer emits exactly the wire format and knows nothing about Parquet:
//
// - A field is a header then its value. The header is one byte
//   `(id - previous id) << 4 | type` when the delta is 1...15, else the type byte
//   followed by the id as a zigzag varint (i16).
// - Booleans live in the field header's type (1 true, 2 false); no value byte.
// - i16, i32, i64: zigzag, then ULEB128 varint. Binary and strings: varint
//   length, then the bytes.
// - A list: one byte `count << 4 | element type` when count < 15, else
//   `0xF0 | element type` and the count as a varint; then the elements, without
//   field headers.
// - A struct: its fields, then a stop byte 0. Field ids are deltas within one
//   struct, so nesting saves the enclosing struct's last id and restores it.
//
// Invariant: field ids within one struct are written in increasing order (the
// caller's duty, asserted), as the delta encoding needs and Parquet's readers expect.

/// Encodes Thrift compact-protocol values into `bytes`.
struct ThriftCompactWriter {
    /// The compact protocol's type nibbles (those this writer uses).
    enum CompactType: UInt8 {
        case booleanTrue = 1
        case booleanFalse = 2
        case i32 = 5
        case i64 = 6
        case binary = 8
        case list = 9
        case `struct` = 12
    }

    private(set) var bytes: [UInt8] = []
    /// The id of the last field written in the struct being written (0 at its start).
    private var lastFieldId: Int16 = 0
    /// The `lastFieldId`s of the enclosing structs.
    private var enclosingFieldIds: [Int16] = []

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    // MARK: Fields

    mutating func field(_ id: Int16, i32 value: Int32) {
        fieldHeader(id, .i32)
        varint(zigzag(Int64(value)))
    }

    mutating func field(_ id: Int16, i64 value: Int64) {
        fieldHeader(id, .i64)
        varint(zigzag(value))
    }

    mutating func field(_ id: Int16, bool value: Bool) {
        fieldHeader(id, value ? .booleanTrue : .booleanFalse)
    }

    mutating func field(_ id: Int16, binary value: [UInt8]) {
        fieldHeader(id, .binary)
        binary(value)
    }

    mutating func field(_ id: Int16, string value: String) {
        field(id, binary: Array(value.utf8))
    }

    /// A struct-valued field: the header, the fields `body` writes, the stop byte.
    mutating func field(_ id: Int16, struct body: (inout ThriftCompactWriter) -> Void) {
        fieldHeader(id, .struct)
        structValue(body)
    }

    /// The header of a list-valued field; the caller then writes exactly `count`
    /// elements of `elementType` with the `element` methods.
    mutating func field(_ id: Int16, listOf elementType: CompactType, count: Int) {
        fieldHeader(id, .list)
        listHeader(elementType, count: count)
    }

    // MARK: List elements

    mutating func element(i32 value: Int32) { varint(zigzag(Int64(value))) }

    mutating func element(string value: String) { binary(Array(value.utf8)) }

    mutating func element(struct body: (inout ThriftCompactWriter) -> Void) { structValue(body) }

    // MARK: Wire primitives

    /// A struct value (a field's, a list element's, or the top-level message's):
    /// its fields with ids counted from 0, then the stop byte.
    mutating func structValue(_ body: (inout ThriftCompactWriter) -> Void) {
        enclosingFieldIds.append(lastFieldId)
        lastFieldId = 0
        body(&self)
        bytes.append(0)
        lastFieldId = enclosingFieldIds.removeLast()
    }

    private mutating func fieldHeader(_ id: Int16, _ type: CompactType) {
        precondition(id > lastFieldId, "Thrift field ids must increase within a struct")
        let delta = id - lastFieldId
        if delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            varint(zigzag(Int64(id)))
        }
        lastFieldId = id
    }

    private mutating func listHeader(_ elementType: CompactType, count: Int) {
        precondition(count >= 0)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | elementType.rawValue)
        } else {
            bytes.append(0xF0 | elementType.rawValue)
            varint(UInt64(count))
        }
    }

    private mutating func binary(_ value: [UInt8]) {
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    private mutating func varint(_ value: UInt64) { ULEB128.append(value, to: &bytes) }

    private func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }
}
