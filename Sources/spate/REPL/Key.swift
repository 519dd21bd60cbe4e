// Keys of the line editor, decoded from the bytes a terminal sends in raw mode:
// UTF-8 characters, control characters (Ctrl-A is 0x01) and escape sequences
// (`ESC [ D` is the left arrow; xterm, VT100 `ESC O` and rxvt `ESC [ 1 ~` forms).
//
// Invariant: decoding never blocks for long on a lone Escape: after ESC the
// decoder waits at most `escapeTimeoutMs` for the rest of a sequence.

/// One key press, as the editor acts on it.
enum Key: Equatable {
    case character(Unicode.Scalar)
    case enter, backspace, delete, tab
    case left, right, up, down, home, end, wordLeft, wordRight
    /// Ctrl-U, Ctrl-K, Ctrl-W.
    case deleteToStart, deleteToEnd, deleteWordBefore
    /// Ctrl-L.
    case clearScreen
    /// Ctrl-C.
    case interrupt
    /// Ctrl-D.
    case endOfFile
    /// A key the editor ignores (F-keys, a lone Escape, invalid UTF-8).
    case ignored
}

/// Where the decoder reads bytes: a terminal, or an array in tests.
protocol ByteSource {
    /// The next byte, waiting at most `timeoutMs` (forever when nil); nil on
    /// timeout, end of input or a read error.
    mutating func next(timeoutMs: Int?) -> UInt8?
}

enum KeyDecoder {
    static let escapeTimeoutMs = 50

    /// The next key, or nil at end of input.
    static func next<Source: ByteSource>(from source: inout Source) -> Key? {
        guard let byte = source.next(timeoutMs: nil) else { return nil }
        switch byte {
        case 0x01: return .home
        case 0x02: return .left
        case 0x03: return .interrupt
        case 0x04: return .endOfFile
        case 0x05: return .end
        case 0x06: return .right
        case 0x08, 0x7F: return .backspace
        case 0x09: return .tab
        case 0x0A, 0x0D: return .enter
        case 0x0B: return .deleteToEnd
        case 0x0C: return .clearScreen
        case 0x0E: return .down
        case 0x10: return .up
        case 0x15: return .deleteToStart
        case 0x17: return .deleteWordBefore
        case 0x1B: return escape(from: &source)
        case 0x20..<0x7F: return .character(Unicode.Scalar(byte))
        case 0xC0...0xF7: return utf8(lead: byte, from: &source)
        default: return .ignored
        }
    }

    private static func escape<Source: ByteSource>(from source: inout Source) -> Key {
        guard let byte = source.next(timeoutMs: escapeTimeoutMs) else { return .ignored }
        switch byte {
        case UInt8(ascii: "["): return controlSequence(from: &source)
        case UInt8(ascii: "O"):
            switch source.next(timeoutMs: escapeTimeoutMs) {
            case UInt8(ascii: "A"): return .up
            case UInt8(ascii: "B"): return .down
            case UInt8(ascii: "C"): return .right
            case UInt8(ascii: "D"): return .left
            case UInt8(ascii: "H"): return .home
            case UInt8(ascii: "F"): return .end
            default: return .ignored
            }
        case UInt8(ascii: "b"): return .wordLeft
        case UInt8(ascii: "f"): return .wordRight
        case 0x7F, 0x08: return .deleteWordBefore
        default: return .ignored
        }
    }

    /// `ESC [ params final`: arrows, Home/End, Delete; Ctrl or Alt with an arrow moves by word.
    private static func controlSequence<Source: ByteSource>(from source: inout Source) -> Key {
        var parameters: [UInt8] = []
        while let byte = source.next(timeoutMs: escapeTimeoutMs) {
            if (0x40...0x7E).contains(byte) {
                let modified = parameters.count > 2 && parameters.starts(with: Array("1;".utf8))
                switch byte {
                case UInt8(ascii: "A"): return .up
                case UInt8(ascii: "B"): return .down
                case UInt8(ascii: "C"): return modified ? .wordRight : .right
                case UInt8(ascii: "D"): return modified ? .wordLeft : .left
                case UInt8(ascii: "H"): return .home
                case UInt8(ascii: "F"): return .end
                case UInt8(ascii: "~"):
                    switch String(decoding: parameters, as: UTF8.self) {
                    case "1", "7": return .home
                    case "4", "8": return .end
                    case "3": return .delete
                    default: return .ignored
                    }
                default: return .ignored
                }
            }
            parameters.append(byte)
            if parameters.count > 16 { return .ignored }  // not a sequence we know
        }
        return .ignored
    }

    private static func utf8<Source: ByteSource>(lead: UInt8, from source: inout Source) -> Key {
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        var bytes = [lead]
        for _ in 1..<length {
            guard let byte = source.next(timeoutMs: escapeTimeoutMs), byte & 0xC0 == 0x80 else { return .ignored }
            bytes.append(byte)
        }
        let scalars = String(decoding: bytes, as: UTF8.self).unicodeScalars
        guard scalars.count == 1, let scalar = scalars.first, scalar != "\u{FFFD}" else { return .ignored }
        return .character(scalar)
    }
}
