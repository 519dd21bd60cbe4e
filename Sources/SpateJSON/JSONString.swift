// JSONString.swift — JSON string tokens: unescaping and comparison.
//
// Layer: SpateJSON. A "raw token" here is the bytes BETWEEN the
// quotes of a JSON string, still escaped, exactly as `JSONScanner` reports a
// string field (`JSONFieldValue.start/count`).
//
// - `unescape` writes the UTF-8 of the string into a caller-owned buffer that
//   is reused across records (no allocation once its capacity suffices; the
//   result is never longer than the raw token).
// - `equals(rawToken:key:)` compares a raw token with a key without producing
//   the unescaped string at all; the scanner uses it for escaped object keys.
// - `\uXXXX` escapes are decoded to UTF-8; a UTF-16 surrogate pair
//   (`\uD83D\uDE00`) becomes one 4-byte scalar; an unpaired surrogate cannot be
//   written as UTF-8, so it is an error (`unpairedSurrogate`), never replaced.
// - Bytes that are not escapes are copied as they are: like the scanner, this
//   does not check UTF-8 validity (see JSONScanner.swift).
// Error offsets are relative to the start of the raw token.

/// Helpers for JSON string tokens (the bytes between the quotes).
public enum JSONString {
    /// Replaces the contents of `buffer` with the unescaped UTF-8 of `rawToken`.
    ///
    /// Keep one buffer per scanning thread: its capacity is reused, so steady
    /// state costs no allocation. When `JSONFieldValue.hasEscapes` is false the
    /// raw bytes are already the value and this call can be skipped.
    /// - Throws: `JSONSyntaxError` (offset relative to `rawToken`) for an
    ///   invalid escape, a malformed `\u`, or an unpaired surrogate.
    /// - Complexity: O(rawToken.count).
    public static func unescape(_ rawToken: UnsafeRawBufferPointer, into buffer: inout [UInt8]) throws(JSONSyntaxError) {
        buffer.removeAll(keepingCapacity: true)
        guard let base = rawToken.baseAddress, rawToken.count > 0 else { return }
        let text = base.assumingMemoryBound(to: UInt8.self)
        let count = rawToken.count
        buffer.reserveCapacity(count)
        var runStart = 0
        var index = 0
        while index < count {
            guard text[index] == JSONByte.backslash else { index += 1; continue }
            if index > runStart {
                buffer.append(contentsOf: UnsafeRawBufferPointer(start: text + runStart, count: index - runStart))
            }
            let escape = try decodeEscape(text, count: count, at: index)
            var utf8 = escape.utf8
            for _ in 0 ..< escape.utf8Count {
                buffer.append(UInt8(truncatingIfNeeded: utf8))
                utf8 >>= 8
            }
            index = escape.next
            runStart = index
        }
        if count > runStart {
            buffer.append(contentsOf: UnsafeRawBufferPointer(start: text + runStart, count: count - runStart))
        }
    }

    /// True when the string `rawToken` denotes, once unescaped, exactly the
    /// UTF-8 bytes `key`. A malformed escape makes it false.
    /// - Complexity: O(rawToken.count); no allocation.
    public static func equals(rawToken: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer) -> Bool {
        guard rawToken.count > 0 else { return key.count == 0 }
        guard key.count > 0 else { return false }
        return equalsEscaped(rawToken: rawToken.baseAddress!.assumingMemoryBound(to: UInt8.self),
                             rawCount: rawToken.count,
                             key: key.baseAddress!.assumingMemoryBound(to: UInt8.self),
                             keyCount: key.count)
    }

    /// `equals(rawToken:key:)` with the key's UTF-8; no allocation for native
    /// Swift strings (bytewise: no Unicode normalization).
    public static func equals(rawToken: UnsafeRawBufferPointer, key: String) -> Bool {
        var key = key
        return key.withUTF8 { equals(rawToken: rawToken, key: UnsafeRawBufferPointer($0)) }
    }

    /// Compares a raw (possibly escaped) token with unescaped key bytes.
    static func equalsEscaped(rawToken text: UnsafePointer<UInt8>, rawCount: Int,
                              key: UnsafePointer<UInt8>, keyCount: Int) -> Bool {
        if keyCount > rawCount { return false }  // unescaping never lengthens
        var index = 0
        var keyIndex = 0
        while index < rawCount {
            let byte = text[index]
            if byte != JSONByte.backslash {
                guard keyIndex < keyCount, key[keyIndex] == byte else { return false }
                index += 1
                keyIndex += 1
                continue
            }
            guard let escape = try? decodeEscape(text, count: rawCount, at: index),
                  keyCount - keyIndex >= escape.utf8Count else { return false }
            var utf8 = escape.utf8
            for _ in 0 ..< escape.utf8Count {
                if key[keyIndex] != UInt8(truncatingIfNeeded: utf8) { return false }
                utf8 >>= 8
                keyIndex += 1
            }
            index = escape.next
        }
        return keyIndex == keyCount
    }

    /// Decodes the escape whose backslash is at `start`: its UTF-8 bytes packed
    /// little-endian (first byte lowest), their number, and where it ends.
    static func decodeEscape(_ text: UnsafePointer<UInt8>, count: Int, at start: Int)
        throws(JSONSyntaxError) -> (utf8: UInt32, utf8Count: Int, next: Int)
    {
        guard start + 1 < count else { throw JSONSyntaxError(offset: start, reason: .invalidEscape) }
        let simple: UInt8
        switch text[start + 1] {
        case JSONByte.quote: simple = JSONByte.quote
        case JSONByte.backslash: simple = JSONByte.backslash
        case JSONByte.slash: simple = JSONByte.slash
        case 0x62: simple = 0x08  // \b
        case 0x66: simple = 0x0C  // \f
        case 0x6E: simple = 0x0A  // \n
        case 0x72: simple = 0x0D  // \r
        case 0x74: simple = 0x09  // \t
        case 0x75:  // \u
            return try decodeUnicodeEscape(text, count: count, at: start)
        default:
            throw JSONSyntaxError(offset: start, reason: .invalidEscape)
        }
        return (UInt32(simple), 1, start + 2)
    }

    /// Decodes `\uXXXX` (and a following `\uXXXX` low surrogate) at `start`.
    private static func decodeUnicodeEscape(_ text: UnsafePointer<UInt8>, count: Int, at start: Int)
        throws(JSONSyntaxError) -> (utf8: UInt32, utf8Count: Int, next: Int)
    {
        guard let unit = hex4(text, count: count, at: start + 2) else {
            throw JSONSyntaxError(offset: start, reason: .invalidUnicodeEscape)
        }
        var scalar = unit
        var next = start + 6
        if unit >= 0xD800 && unit <= 0xDBFF {
            guard next + 1 < count, text[next] == JSONByte.backslash, text[next + 1] == 0x75 else {
                throw JSONSyntaxError(offset: start, reason: .unpairedSurrogate)
            }
            guard let low = hex4(text, count: count, at: next + 2) else {
                throw JSONSyntaxError(offset: next, reason: .invalidUnicodeEscape)
            }
            guard low >= 0xDC00 && low <= 0xDFFF else {
                throw JSONSyntaxError(offset: start, reason: .unpairedSurrogate)
            }
            scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
            next += 6
        } else if unit >= 0xDC00 && unit <= 0xDFFF {
            throw JSONSyntaxError(offset: start, reason: .unpairedSurrogate)
        }
        return encodeUTF8(scalar, next: next)
    }

    @inline(__always)
    private static func hex4(_ text: UnsafePointer<UInt8>, count: Int, at start: Int) -> UInt32? {
        guard start + 4 <= count else { return nil }
        var value: UInt32 = 0
        for index in start ..< start + 4 {
            guard let digit = JSONByte.hexValue(text[index]) else { return nil }
            value = value << 4 | digit
        }
        return value
    }

    @inline(__always)
    private static func encodeUTF8(_ scalar: UInt32, next: Int) -> (utf8: UInt32, utf8Count: Int, next: Int) {
        if scalar < 0x80 { return (scalar, 1, next) }
        if scalar < 0x800 {
            return ((0xC0 | scalar >> 6) | (0x80 | scalar & 0x3F) << 8, 2, next)
        }
        if scalar < 0x10000 {
            return ((0xE0 | scalar >> 12) | (0x80 | scalar >> 6 & 0x3F) << 8 | (0x80 | scalar & 0x3F) << 16, 3, next)
        }
        return ((0xF0 | scalar >> 18) | (0x80 | scalar >> 12 & 0x3F) << 8
                | (0x80 | scalar >> 6 & 0x3F) << 16 | (0x80 | scalar & 0x3F) << 24, 4, next)
    }
}
