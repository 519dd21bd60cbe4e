// Encodes a row's GROUP BY values as bytes for the key table, and decodes them
// back into output vectors when a group is emitted. Format per key value:
// tag (0 NULL, 1 integer/timestamp, 2 double, 3 boolean, 4 string), then
// 8 bytes little-endian, 1 byte, or a 4-byte length and the bytes.

import SpateSQL

struct GroupKeyCodec {
    let types: [ValueType]

    /// Appends the encoding of row `row` of `vectors` to `out`.
    @inline(__always)
    func encode(_ vectors: UnsafeBufferPointer<VectorView>, _ row: Int, into out: KeyBuffer) {
        for vector in vectors {
            if vector.isNull[row] { out.append(0); continue }
            switch vector.type {
            case .double:
                out.append(2)
                let d = vector.doubles[row] == 0 ? 0.0 : vector.doubles[row]  // -0 groups with 0
                out.append(littleEndian: d.bitPattern)
            case .boolean:
                out.append(3)
                out.append(vector.bools[row] ? 1 : 0)
            case .string:
                out.append(4)
                let bytes = vector.string(row)
                out.append(littleEndian: UInt32(bytes.count))
                out.append(bytes)
            case .null:
                out.append(0)
            default:
                out.append(1)
                out.append(littleEndian: UInt64(bitPattern: vector.ints[row]))
            }
        }
    }

    /// Writes the key values encoded in `bytes` into row `row` of `vectors`.
    func decode(_ bytes: UnsafeRawBufferPointer, into vectors: [ColumnVector], _ row: Int) {
        var at = 0
        for vector in vectors {
            let tag = bytes[at]
            at += 1
            switch tag {
            case 0: vector.setNull(row)
            case 1:
                vector.set(row, int: Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: Int64.self)))
                at += 8
            case 2:
                vector.set(row, double: Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self))))
                at += 8
            case 3:
                vector.set(row, bool: bytes[at] != 0)
                at += 1
            default:
                let length = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
                at += 4
                vector.set(row, string: UnsafeRawBufferPointer(rebasing: bytes[at..<at + length]))
                at += length
            }
        }
    }
}
