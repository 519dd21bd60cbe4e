// A stream-name pattern of a grant (`transactions*`, `*`, `eu-*-raw`): the
// characters of stream names (letters, digits, `_`, `.`, `-`) and `*`, which
// stands for any run of characters, none included. Compiled once when the
// credentials file is read into its literal pieces (the text between stars),
// so matching a name walks its UTF-8 bytes once and allocates nothing:
//
//     prefix * middle₁ * … * middleₙ * suffix
//
// a name matches when it starts with the prefix, ends with the suffix (the two
// not overlapping) and holds the middles in order between them; the leftmost
// place of each middle is the right one to take (a later middle only gets more
// room), so there is no backtracking.

import SpateJSON

/// A compiled stream-name glob.
public struct StreamPattern: Sendable, Equatable, CustomStringConvertible {
    /// The pattern as written.
    public let text: String
    private let prefix: [UInt8]
    private let middles: [[UInt8]]
    private let suffix: [UInt8]
    /// Whether `text` has a star at all (else the name must equal `prefix`).
    private let hasStar: Bool

    /// Longest pattern: a stream name (128) with room for stars.
    static let textBytesMax = 256

    /// Compiles `text`; throws the reason when it is not a pattern.
    public init(_ text: String) throws(PatternError) {
        guard !text.isEmpty, text.utf8.count <= Self.textBytesMax else {
            throw PatternError("stream pattern '\(text)' must have 1 to \(Self.textBytesMax) characters")
        }
        for c in text.utf8 where !(Self.isNameByte(c) || c == UInt8(ascii: "*")) {
            throw PatternError("stream pattern '\(text)' may hold only letters, digits, '_', '.', '-' (as stream names do) and '*'")
        }
        self.text = text
        let pieces = text.utf8.split(separator: UInt8(ascii: "*"), omittingEmptySubsequences: false).map(Array.init)
        hasStar = pieces.count > 1
        prefix = pieces[0]
        suffix = hasStar ? pieces[pieces.count - 1] : []
        middles = hasStar ? pieces[1..<(pieces.count - 1)].filter { !$0.isEmpty } : []
    }

    /// Why a text is not a pattern, in one line.
    public struct PatternError: Error, Sendable {
        public var message: String
        init(_ message: String) { self.message = message }
    }

    static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2E || c == 0x2D
    }

    public var description: String { text }

    /// Whether every stream name matches (the pattern is only stars).
    public var matchesEveryName: Bool { hasStar && prefix.isEmpty && suffix.isEmpty && middles.isEmpty }

    /// Whether `name` matches. Allocates nothing for a native Swift string.
    public func matches(_ name: String) -> Bool {
        name.withUTF8Bytes { matches(bytes: $0) }
    }

    private func matches(bytes name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard hasStar else { return name.elementsEqual(prefix) }
        guard name.count >= prefix.count + suffix.count else { return false }
        guard Self.equal(name, at: 0, prefix), Self.equal(name, at: name.count - suffix.count, suffix) else { return false }
        var from = prefix.count
        let end = name.count - suffix.count
        for middle in middles {
            guard let at = Self.find(middle, in: name, from: from, end: end) else { return false }
            from = at + middle.count
        }
        return true
    }

    private static func equal(_ name: UnsafeBufferPointer<UInt8>, at offset: Int, _ piece: [UInt8]) -> Bool {
        for i in 0..<piece.count where name[offset + i] != piece[i] { return false }
        return true
    }

    /// The first offset ≥ `from` where `piece` lies wholly before `end`.
    private static func find(_ piece: [UInt8], in name: UnsafeBufferPointer<UInt8>, from: Int, end: Int) -> Int? {
        guard end - from >= piece.count else { return nil }
        for start in from...(end - piece.count) where equal(name, at: start, piece) { return start }
        return nil
    }
}
