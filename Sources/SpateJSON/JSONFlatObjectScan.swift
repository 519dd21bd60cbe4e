// JSONFlatObjectScan.swift — the scanner's fast path for the common record: one
// object of scalars, compact or not, no escapes in its strings.
//
// Layer: SpateJSON (internal). `JSONFieldLocator.locate` tries this
// first and runs the full recursive parser (`parseDocument`) only when it
// declines. The fast path is one loop over the top-level object with every
// position in a local variable, the string, number and literal checks inline,
// and no error values: a record it does not fully understand — an escape, a
// control byte, a nested path, any syntax error — makes it return false, and
// the full parser then gives the exact verdict, error and slots. So it only has
// to be right when it says yes: then the record is valid RFC 8259 JSON and the
// slots are exactly what the full parser fills. Nested objects and arrays that
// no path enters are checked by the full parser's `parseValue` in place.
// Measured on the reference query: the recursive parser, with a call and an
// error check per value, cost about twice as many instructions per record.

extension JSONParser {
    /// Scans a top-level object whose paths are all top-level keys; true when
    /// the record is valid and the slots are filled, false to hand over.
    @inline(__always)
    func scanFlatObject() -> Bool {
        let base = self.base, end = self.end
        guard let slots, !nodes.isEmpty else { return false }
        var index = 0
        while index < end, base[index] <= JSONByte.space, JSONByte.isWhitespace(base[index]) { index += 1 }
        guard index < end, base[index] == JSONByte.openBrace else { return false }
        index += 1
        while index < end, base[index] <= JSONByte.space, JSONByte.isWhitespace(base[index]) { index += 1 }
        guard index < end else { return false }
        let root = nodes[0]
        let firstEdge = Int(root.firstEdge), edgeEnd = firstEdge + Int(root.edgeCount)
        if base[index] != JSONByte.closeBrace {
            while true {
                // The key: a string without escapes.
                guard base[index] == JSONByte.quote else { return false }
                let keyStart = index + 1
                guard let keyEnd = plainStringEnd(from: keyStart) else { return false }
                let keyCount = keyEnd - keyStart
                var edge = -1
                var candidate = firstEdge
                if keyCount <= 8 && keyStart + 8 <= end {
                    // One masked word holds the whole key: compare it with each name's prefix word.
                    let word = UnsafeRawPointer(base + keyStart).loadUnaligned(as: UInt64.self).littleEndian
                    let key = word & (keyCount == 8 ? ~0 : (1 << (8 * UInt64(keyCount))) - 1)
                    while candidate < edgeEnd {
                        if edges[candidate].prefix == key && Int(edges[candidate].nameCount) == keyCount { edge = candidate; break }
                        candidate += 1
                    }
                } else {
                    while candidate < edgeEnd {
                        if Int(edges[candidate].nameCount) == keyCount
                            && Self.bytesEqual(base + keyStart, names.baseAddress! + Int(edges[candidate].nameStart), keyCount) {
                            edge = candidate
                            break
                        }
                        candidate += 1
                    }
                }
                if edge >= 0 && edges[edge].childNode >= 0 { return false }  // a path continues below: the full parser
                index = keyEnd + 1
                while index < end, base[index] <= JSONByte.space, JSONByte.isWhitespace(base[index]) { index += 1 }
                guard index < end, base[index] == JSONByte.colon else { return false }
                index += 1
                while index < end, base[index] <= JSONByte.space, JSONByte.isWhitespace(base[index]) { index += 1 }
                guard index < end else { return false }
                // The value.
                let valueStart = index
                let first = base[index]
                var kind = JSONValueKind.number
                switch first {
                case JSONByte.quote:
                    guard let stringEnd = plainStringEnd(from: index + 1) else { return false }
                    index = stringEnd + 1
                    kind = .string
                case JSONByte.minus, JSONByte.zero ... 0x39:
                    // -?(0|[1-9][0-9]*)(.[0-9]+)? here; an exponent goes to the full parser.
                    if first == JSONByte.minus { index += 1 }
                    guard index < end, JSONByte.isDigit(base[index]) else { return false }
                    if base[index] == JSONByte.zero {
                        index += 1
                        if index < end && JSONByte.isDigit(base[index]) { return false }
                    } else {
                        index = skipDigits(index + 1)
                    }
                    if index < end && base[index] == JSONByte.dot {
                        index += 1
                        guard index < end, JSONByte.isDigit(base[index]) else { return false }
                        index = skipDigits(index + 1)
                    }
                    if index < end && base[index] | 0x20 == JSONByte.lowerE { return false }
                case JSONByte.lowerT, JSONByte.lowerF, JSONByte.lowerN, JSONByte.openBrace, JSONByte.openBracket:
                    guard let valueEnd = try? parseValue(at: index, depth: 1) else { return false }
                    index = valueEnd
                    kind = Self.kind(startingWith: first)
                default:
                    return false
                }
                if edge >= 0 {
                    let pathIndex = Int(edges[edge].pathIndex)
                    slots[pathIndex] = kind == .string
                        ? JSONFieldValue(kind: .string, hasEscapes: false, start: valueStart + 1, count: index - valueStart - 2)
                        : JSONFieldValue(kind: kind, hasEscapes: false, start: valueStart, count: index - valueStart)
                }
                while index < end, base[index] <= JSONByte.space, JSONByte.isWhitespace(base[index]) { index += 1 }
                guard index < end else { return false }
                if base[index] == JSONByte.comma {
                    index += 1
                    while index < end, base[index] <= JSONByte.space, JSONByte.isWhitespace(base[index]) { index += 1 }
                    guard index < end else { return false }
                    continue
                }
                guard base[index] == JSONByte.closeBrace else { return false }
                break
            }
        }
        index += 1
        while index < end, base[index] <= JSONByte.space, JSONByte.isWhitespace(base[index]) { index += 1 }
        return index == end
    }

    /// The offset of the closing quote of a string starting at `start` (just
    /// past its opening quote), or nil when it has an escape, a control byte,
    /// bytes that are not UTF-8 or no end (the full parser decides those).
    /// ASCII goes 8 bytes at a time; a non-ASCII byte stops the word loop and
    /// its scalar is checked in place.
    @inline(__always)
    private func plainStringEnd(from start: Int) -> Int? {
        var index = start
        while true {
            index = plainASCIIRunEnd(from: index)
            guard index < end else { return nil }
            let byte = base[index]
            if byte == JSONByte.quote { return index }
            if byte >= 0x80 {
                guard let next = Self.utf8ScalarEnd(base, at: index, end: end) else { return nil }
                index = next
                continue
            }
            if byte == JSONByte.backslash || byte < 0x20 { return nil }
            index += 1
        }
    }
}
