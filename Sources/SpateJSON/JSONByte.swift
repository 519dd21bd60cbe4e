// JSONByte.swift — the ASCII bytes of the JSON grammar, by name.
//
// Layer: SpateJSON (internal). Named constants keep the scanner's
// switch statements readable; they are compile-time constants, so using them
// costs nothing.

enum JSONByte {
    static let quote: UInt8 = 0x22          // "
    static let backslash: UInt8 = 0x5C      // \
    static let slash: UInt8 = 0x2F          // /
    static let openBrace: UInt8 = 0x7B      // {
    static let closeBrace: UInt8 = 0x7D     // }
    static let openBracket: UInt8 = 0x5B    // [
    static let closeBracket: UInt8 = 0x5D   // ]
    static let colon: UInt8 = 0x3A          // :
    static let comma: UInt8 = 0x2C          // ,
    static let minus: UInt8 = 0x2D          // -
    static let plus: UInt8 = 0x2B           // +
    static let dot: UInt8 = 0x2E            // .
    static let zero: UInt8 = 0x30           // 0
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let lowerE: UInt8 = 0x65         // e (also E after `| 0x20`)
    static let lowerT: UInt8 = 0x74         // t
    static let lowerF: UInt8 = 0x66         // f
    static let lowerN: UInt8 = 0x6E         // n

    /// True for the four whitespace bytes RFC 8259 allows between tokens.
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == lineFeed || byte == carriageReturn || byte == tab
    }

    /// True for `0`...`9`.
    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- zero < 10
    }

    /// True for the bytes a number token may contain (`-+.eE` and digits).
    @inline(__always)
    static func isNumberByte(_ byte: UInt8) -> Bool {
        isDigit(byte) || byte == minus || byte == plus || byte == dot || byte | 0x20 == lowerE
    }

    /// The value of a hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt32? {
        if byte &- 0x30 < 10 { return UInt32(byte &- 0x30) }
        let lower = byte | 0x20
        if lower &- 0x61 < 6 { return UInt32(lower &- 0x61 &+ 10) }
        return nil
    }
}
