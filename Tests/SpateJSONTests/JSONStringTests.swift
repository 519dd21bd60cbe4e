// JSONStringTests.swift — unescaping string tokens and comparing them with keys.

import Foundation
import Testing
import SpateJSON

@Suite struct JSONStringTests {
    /// Unescapes the raw token (the text between the quotes).
    func unescape(_ raw: String) -> Result<[UInt8], JSONSyntaxError> {
        var buffer: [UInt8] = []
        return withBytes(raw) { bytes in
            do throws(JSONSyntaxError) {
                try JSONString.unescape(bytes, into: &buffer)
                return .success(buffer)
            } catch {
                return .failure(error)
            }
        }
    }

    @Test func unescapesEveryEscape() {
        #expect(unescape("plain") == .success(Array("plain".utf8)))
        #expect(unescape("") == .success([]))
        #expect(unescape(#"a\"b\\c\/d\be\ff\ng\rh\ti"#) == .success(Array("a\"b\\c/d\u{8}e\u{C}f\ng\rh\ti".utf8)))
        #expect(unescape(#"\u0041\u00e9\u20AC"#) == .success(Array("Aé€".utf8)))
        #expect(unescape(#"\u0000"#) == .success([0]))
        #expect(unescape(#"x\ud83d\ude00y"#) == .success(Array("x😀y".utf8)))
        #expect(unescape(#"\uDBFF\uDFFF"#) == .success(Array("\u{10FFFF}".utf8)))
        #expect(unescape("日本") == .success(Array("日本".utf8)))
    }

    @Test func invalidEscapesAreErrorsWithOffsets() {
        #expect(unescape(#"ab\x"#) == .failure(syntaxError(2, .invalidEscape)))
        #expect(unescape(#"ab\"#) == .failure(syntaxError(2, .invalidEscape)))
        #expect(unescape(#"\u12"#) == .failure(syntaxError(0, .invalidUnicodeEscape)))
        #expect(unescape(#"\u12g4"#) == .failure(syntaxError(0, .invalidUnicodeEscape)))
        #expect(unescape(#"a\ud800"#) == .failure(syntaxError(1, .unpairedSurrogate)))
        #expect(unescape(#"\ud800\u0041"#) == .failure(syntaxError(0, .unpairedSurrogate)))
        #expect(unescape(#"\ud800\ud800"#) == .failure(syntaxError(0, .unpairedSurrogate)))
        #expect(unescape(#"\ud800\uzzzz"#) == .failure(syntaxError(6, .invalidUnicodeEscape)))
        #expect(unescape(#"\udc00"#) == .failure(syntaxError(0, .unpairedSurrogate)))
    }

    @Test func theBufferIsReusedAndReplaced() throws {
        var buffer: [UInt8] = []
        try withBytes(String(repeating: "x", count: 100)) { try JSONString.unescape($0, into: &buffer) }
        let capacity = buffer.capacity
        try withBytes(#"a\nb"#) { try JSONString.unescape($0, into: &buffer) }
        #expect(buffer == Array("a\nb".utf8))
        #expect(buffer.capacity == capacity)
    }

    /// Random strings (ASCII, controls, 2-, 3- and 4-byte scalars), escaped by
    /// Foundation and by an escape-everything encoder: unescaping gives back the UTF-8.
    @Test func roundTripsEncodedStrings() throws {
        var random = SplitMix64(seed: 7)
        let alphabet: [Unicode.Scalar] = ["a", "Z", "\"", "\\", "/", "\n", "\u{0}", "\u{1F}", "\u{7F}",
                                          "é", "€", "\u{FFFF}", "😀", "\u{10FFFF}", " "]
        for _ in 0 ..< 2_000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0 ..< Int.random(in: 0 ... 12, using: &random) {
                scalars.append(alphabet.randomElement(using: &random)!)
            }
            let string = String(scalars)
            let encoded = try JSONSerialization.data(withJSONObject: [string], options: [])
            let foundationRaw = String(decoding: encoded.dropFirst(2).dropLast(2), as: UTF8.self)
            #expect(unescape(foundationRaw) == .success(Array(string.utf8)), "\(foundationRaw)")
            let everything = string.utf16.map { "\\u" + String($0, radix: 16).leftPadded(to: 4) }.joined()
            #expect(unescape(everything) == .success(Array(string.utf8)), "\(everything)")
            #expect(withBytes(everything) { JSONString.equals(rawToken: $0, key: string) })
            #expect(withBytes(foundationRaw) { JSONString.equals(rawToken: $0, key: string) })
        }
    }

    @Test func equalsComparesWithoutUnescapingFirst() {
        func equals(_ raw: String, _ key: String) -> Bool {
            withBytes(raw) { JSONString.equals(rawToken: $0, key: key) }
        }
        #expect(equals("userId", "userId"))
        #expect(!equals("userId", "userid"))
        #expect(!equals("userId", "userIds"))
        #expect(!equals("userIds", "userId"))
        #expect(equals(#"us\u0065rId"#, "userId"))
        #expect(equals(#"a\"b"#, "a\"b"))
        #expect(!equals(#"a\"b"#, "a\\\"b"))
        #expect(equals(#"caf\u00e9"#, "café"))
        #expect(!equals(#"caf\u00e9"#, "cafe\u{301}"))  // no Unicode normalization
        #expect(equals(#"\ud83d\ude00"#, "😀"))
        #expect(!equals(#"\ud83d\ude00"#, "😀x"))
        #expect(!equals(#"\ud83d"#, "\u{FFFD}"))         // a lone surrogate equals nothing
        #expect(!equals(#"bad\x"#, "bad\\x"))
        #expect(equals("", ""))
        #expect(!equals("", "a"))
        #expect(!equals("a", ""))
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: Swift.max(0, width - count)) + self
    }
}
