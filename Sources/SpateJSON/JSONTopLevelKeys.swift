// JSONTopLevelKeys.swift — the keys of a JSON object's top level, in order.
//
// Layer: SpateJSON. For tools that show a schemaless stream's fields
// (the REPL's Tab completion samples a few records); queries never need it,
// they locate the fields they read with JSONScanner.
//
// Invariant: a record that is not one well-formed JSON object has no keys;
// a key is returned once, at its first occurrence, unescaped.

public enum JSONTopLevelKeys {
    /// The top-level keys of the object in `bytes`, or [] when it is not one
    /// well-formed JSON object. O(bytes.count); allocates the key strings.
    public static func keys(in bytes: UnsafeRawBufferPointer) -> [String] {
        guard let base = bytes.baseAddress, bytes.count > 0,
              JSONScanner.validate(bytes) == nil else { return [] }
        let parser = JSONParser(
            base: base.assumingMemoryBound(to: UInt8.self), end: bytes.count, depthMax: 64,
            nodes: .init(start: nil, count: 0), edges: .init(start: nil, count: 0),
            names: .init(start: nil, count: 0), subtree: .init(start: nil, count: 0), slots: nil)
        do throws(JSONSyntaxError) {
            return try walkObject(parser, bytes)
        } catch {
            return []  // not reached: the bytes were validated
        }
    }

    /// The keys of an object already known to be valid JSON.
    private static func walkObject(_ parser: JSONParser, _ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> [String] {
        var index = parser.skipWhitespace(0)
        guard parser.base[index] == JSONByte.openBrace else { return [] }
        index = parser.skipWhitespace(index + 1)
        var keys: [String] = []
        var seen: Set<String> = []
        var unescaped: [UInt8] = []
        while index < parser.end, parser.base[index] == JSONByte.quote {
            let key = try parser.parseString(at: index)
            let raw = UnsafeRawBufferPointer(rebasing: bytes[(index + 1)..<(key.end - 1)])
            let name: String
            if key.hasEscapes {
                try JSONString.unescape(raw, into: &unescaped)
                name = String(decoding: unescaped, as: UTF8.self)
            } else {
                name = String(decoding: raw, as: UTF8.self)
            }
            if seen.insert(name).inserted { keys.append(name) }
            index = parser.skipWhitespace(key.end) + 1  // past the colon
            index = try parser.parseValue(at: parser.skipWhitespace(index), depth: 1)
            index = parser.skipWhitespace(index)
            guard index < parser.end, parser.base[index] == JSONByte.comma else { break }
            index = parser.skipWhitespace(index + 1)
        }
        return keys
    }
}
