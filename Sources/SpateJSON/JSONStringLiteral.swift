// JSONStringLiteral.swift — text as a JSON string literal: the one escaper.
//
// Layer: SpateJSON. RFC 8259 escaping: quote, backslash, the named control
// escapes \n \r \t, \u00XX for the other bytes below 0x20; everything else is
// copied as UTF-8. Every layer that writes JSON uses it: the catalog's few
// documents (stream columns, alarm dimensions), the runtime's rows (alerts,
// results, INSERT), the Kinesis responses (JSONWriter). Terminal-safe escaping
// (DEL, U+2028, visible control characters) is a presentation concern of the
// CLI, built there on top of what is valid JSON.

/// Quotes and escapes text for JSON.
public enum JSONStringLiteral {
    /// `text` quoted, as a String.
    public static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        append(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `text` to `out` as a quoted JSON string literal (a native
    /// String's bytes read in place).
    public static func append(_ text: String, to out: inout [UInt8]) {
        text.withUTF8Bytes { append(UnsafeRawBufferPointer($0), to: &out) }
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// Appends the UTF-8 bytes `text` to `out` as a quoted JSON string literal.
    /// - Complexity: O(text.count); unescaped runs are copied at once.
    public static func append(_ text: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.reserveCapacity(out.count + text.count + 2)
        out.append(JSONByte.quote)
        var run = 0
        for (i, c) in text.enumerated() where c == JSONByte.quote || c == JSONByte.backslash || c < 0x20 {
            if i > run { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[run ..< i])) }
            run = i + 1
            switch c {
            case JSONByte.quote: out.append(contentsOf: [JSONByte.backslash, JSONByte.quote])
            case JSONByte.backslash: out.append(contentsOf: [JSONByte.backslash, JSONByte.backslash])
            case JSONByte.lineFeed: out.append(contentsOf: [JSONByte.backslash, UInt8(ascii: "n")])
            case JSONByte.carriageReturn: out.append(contentsOf: [JSONByte.backslash, UInt8(ascii: "r")])
            case JSONByte.tab: out.append(contentsOf: [JSONByte.backslash, UInt8(ascii: "t")])
            default: out.append(contentsOf: [JSONByte.backslash, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 15)]])
            }
        }
        if text.count > run { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[run...])) }
        out.append(JSONByte.quote)
    }
}
