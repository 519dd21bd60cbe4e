// JSONFieldValues.swift — the per-record result of a scan: one slot per path.
//
// Layer: SpateJSON. Owned by the caller and reused for every record
// of a batch: `JSONScanner.scan` overwrites all slots and never grows the
// storage, so scanning a record allocates nothing.
//
// Format of a slot (`JSONFieldValue`): the kind, and the byte range of the
// value in the scanned buffer:
// - string: the bytes BETWEEN the quotes, still escaped; `hasEscapes` tells
//   whether `JSONString.unescape` is needed (when false the bytes are the
//   value's UTF-8 as is);
// - number, true, false, null: the literal text (`-1.5e3`, `true`, ...);
// - object, array: the whole text from `{`/`[` to `}`/`]` inclusive;
// - missing: start 0, count 0.
//
// `@inlinable` on the read accessors: measured on json-bench (b), where the
// caller is in another module, 650 -> 770 MB/s; without it every field read is
// a call that also retains the storage.
//
// Invariants: `count == paths.count` of the path set it was made for; after a
// successful scan every range lies inside the scanned buffer. After a failed
// scan the slots are unspecified (the record is invalid; do not read them).

import CSpateJSONKernels

/// Where one path's value lies in a scanned record.
public struct JSONFieldValue: Sendable, Hashable {
    /// The kind of value, or `.missing`.
    public var kind: JSONValueKind
    /// For strings: true when the raw bytes contain a backslash escape.
    public var hasEscapes: Bool
    /// Offset of the first byte of the value in the scanned buffer.
    public var start: Int
    /// Number of bytes of the value (see the file header for what is included).
    public var count: Int

    /// The slot of a path that does not occur in the record.
    public static let missing = JSONFieldValue(kind: .missing, hasEscapes: false, start: 0, count: 0)

    /// What the C fast path (CSpateJSONKernels) located.
    init(_ field: spate_json_field) {
        self.init(kind: JSONValueKind(rawValue: UInt8(truncatingIfNeeded: field.kind)) ?? .missing,
                  hasEscapes: field.has_escapes != 0, start: field.start, count: field.count)
    }

    public init(kind: JSONValueKind, hasEscapes: Bool, start: Int, count: Int) {
        self.kind = kind
        self.hasEscapes = hasEscapes
        self.start = start
        self.count = count
    }

    /// The value's bytes as a sub-buffer of `record` (the buffer that was
    /// scanned). Costs nothing; the result is valid as long as `record` is.
    @inlinable
    public func bytes(in record: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: record[start ..< start + count])
    }
}

/// Preallocated storage for the values of the paths of one `JSONPathSet`.
/// Make one per scanning thread and reuse it for every record.
public struct JSONFieldValues: Sendable {
    @usableFromInline
    internal var slots: [JSONFieldValue]

    /// Storage for the `pathCount` paths of a path set, all `.missing`.
    public init(pathCount: Int) {
        precondition(pathCount >= 0 && pathCount <= JSONPathSet.pathCountMax, "pathCount out of range")
        slots = Array(repeating: .missing, count: pathCount)
    }

    /// Storage sized for `paths`, all `.missing`.
    public init(for paths: JSONPathSet) {
        self.init(pathCount: paths.count)
    }

    /// The number of slots (the number of paths).
    @inlinable
    public var count: Int { slots.count }

    /// The value of path number `index` (in the order the paths were given).
    @inlinable
    public subscript(index: Int) -> JSONFieldValue {
        slots[index]
    }
}
