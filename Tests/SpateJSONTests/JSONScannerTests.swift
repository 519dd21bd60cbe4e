// JSONScannerTests.swift — the grammar: what is accepted, what is rejected, and where.

import Testing
import SpateJSON

@Suite struct JSONScannerTests {
    /// RFC 8259 §13 examples, and the other value kinds at the top level.
    static let validTexts: [String] = [
        """
        {
          "Image": {
            "Width":  800,
            "Height": 600,
            "Title":  "View from 15th Floor",
            "Thumbnail": {
              "Url":    "http://www.example.com/image/481989943",
              "Height": 125,
              "Width":  100
            },
            "Animated" : false,
            "IDs": [116, 943, 234, 38793]
          }
        }
        """,
        """
        [
          {
             "precision": "zip",
             "Latitude":  37.7668,
             "Longitude": -122.3959,
             "Address":   "",
             "City":      "SAN FRANCISCO",
             "State":     "CA",
             "Zip":       "94107",
             "Country":   "US"
          },
          {
             "precision": "zip",
             "Latitude":  37.371991,
             "Longitude": -122.026020,
             "Address":   "",
             "City":      "SUNNYVALE",
             "State":     "CA",
             "Zip":       "94085",
             "Country":   "US"
          }
        ]
        """,
        "\"Hello world!\"", "42", "true", "false", "null", "-0", "0", "-0.0e-0", "1E+2", "1e-2",
        "123456789012345678901234567890", "[]", "{}", "[[]]", "{\"\":\"\"}", " \t\r\n{} \n\r\t",
        "{\"userId\":\"user274\",\"amount\":338.72,\"timestamp\":1732400000004,\"transactionId\":\"txn_0\",\"merchantId\":\"merchant_2\"}",
        "\"\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
        "\"é日本😀\"", "\"\u{7F}\"",
        "\"\\ud83d\\ude00 \\uDBFF\\uDFFF\"",  // surrogate pairs, either case
        "[1,-2.5,3e10,\"x\",true,false,null,{},[],{\"a\":[{\"b\":null}]}]",
        "{ \"a\" : 1 , \"b\" : [ 1 , 2 ] }",
    ]

    @Test(arguments: validTexts)
    func acceptsValidJSON(_ text: String) {
        #expect(validate(text) == nil)
    }

    /// Every reason, with the exact offset where it is reported.
    static let invalidTexts: [(String, JSONSyntaxError)] = [
        ("", syntaxError(0, .emptyInput)),
        ("   ", syntaxError(3, .emptyInput)),
        ("\u{0C}{}", syntaxError(0, .expectedValue)),          // form feed is not JSON whitespace
        ("{\"a\" 1}", syntaxError(5, .expectedColon)),
        ("{\"a\":1 \"b\":2}", syntaxError(7, .expectedCommaOrObjectEnd)),
        ("[1 2]", syntaxError(3, .expectedCommaOrArrayEnd)),
        ("{a:1}", syntaxError(1, .expectedObjectKey)),
        ("{'a':1}", syntaxError(1, .expectedObjectKey)),
        ("{\"a\":1,}", syntaxError(7, .expectedObjectKey)),     // trailing comma
        ("[1,]", syntaxError(3, .expectedValue)),               // trailing comma
        ("[,1]", syntaxError(1, .expectedValue)),
        ("{\"a\":}", syntaxError(5, .expectedValue)),
        ("NaN", syntaxError(0, .expectedValue)),
        ("Infinity", syntaxError(0, .expectedValue)),
        ("'a'", syntaxError(0, .expectedValue)),
        ("// c\n{}", syntaxError(0, .expectedValue)),
        (".5", syntaxError(0, .expectedValue)),
        ("+1", syntaxError(0, .expectedValue)),
        ("\"abc", syntaxError(0, .unterminatedString)),
        ("{\"a\":\"b", syntaxError(5, .unterminatedString)),
        ("{\"a", syntaxError(1, .unterminatedString)),
        ("\"ab\\", syntaxError(0, .unterminatedString)),
        ("\"\\u12", syntaxError(0, .unterminatedString)),
        ("[\"a\u{01}\"]", syntaxError(3, .controlCharacterInString)),
        ("\"a\tb\"", syntaxError(2, .controlCharacterInString)),
        ("\"line\nbreak\"", syntaxError(5, .controlCharacterInString)),
        ("\"\\x\"", syntaxError(1, .invalidEscape)),
        ("\"\\'\"", syntaxError(1, .invalidEscape)),
        ("\"\\U0041\"", syntaxError(1, .invalidEscape)),
        ("\"\\u12G4\"", syntaxError(1, .invalidUnicodeEscape)),
        ("\"\\u12\"", syntaxError(1, .invalidUnicodeEscape)),
        ("\"\\ud800\"", syntaxError(1, .unpairedSurrogate)),          // strict: a lone high surrogate
        ("\"a\\udc00\"", syntaxError(2, .unpairedSurrogate)),         // a lone low one
        ("\"\\ud800\\u0041\"", syntaxError(1, .unpairedSurrogate)),    // a high one not followed by a low one
        ("\"\\ud800\\ud800\"", syntaxError(1, .unpairedSurrogate)),
        ("{\"k\\ud800\":1}", syntaxError(3, .unpairedSurrogate)),      // in a key too
        ("01", syntaxError(0, .leadingZero)),
        ("-007", syntaxError(1, .leadingZero)),
        ("[00]", syntaxError(1, .leadingZero)),
        ("1.", syntaxError(2, .expectedDigit)),
        ("-", syntaxError(1, .expectedDigit)),
        ("-a", syntaxError(1, .expectedDigit)),
        ("1e", syntaxError(2, .expectedDigit)),
        ("1e+", syntaxError(3, .expectedDigit)),
        ("1.e5", syntaxError(2, .expectedDigit)),
        ("[-]", syntaxError(2, .expectedDigit)),
        ("tru", syntaxError(0, .invalidLiteral)),
        ("trux", syntaxError(0, .invalidLiteral)),
        ("nul", syntaxError(0, .invalidLiteral)),
        ("fals", syntaxError(0, .invalidLiteral)),
        ("f", syntaxError(0, .invalidLiteral)),
        ("[True]", syntaxError(1, .expectedValue)),
        ("nulll", syntaxError(4, .trailingCharacters)),
        ("true false", syntaxError(5, .trailingCharacters)),
        ("{\"a\":1}x", syntaxError(7, .trailingCharacters)),
        ("{} {}", syntaxError(3, .trailingCharacters)),
        ("1 2", syntaxError(2, .trailingCharacters)),
        ("{\"a\":1", syntaxError(6, .unexpectedEndOfInput)),
        ("{\"a\":1,", syntaxError(7, .unexpectedEndOfInput)),
        ("{\"a\"", syntaxError(4, .unexpectedEndOfInput)),
        ("{\"a\":", syntaxError(5, .unexpectedEndOfInput)),
        ("{", syntaxError(1, .unexpectedEndOfInput)),
        ("[", syntaxError(1, .unexpectedEndOfInput)),
        ("[1, ", syntaxError(4, .unexpectedEndOfInput)),
    ]

    @Test(arguments: invalidTexts)
    func rejectsInvalidJSONAtTheExactOffset(_ text: String, _ expected: JSONSyntaxError) {
        #expect(validate(text) == expected, "\(text.debugDescription)")
    }

    @Test func errorDescriptionNamesOffsetAndReason() {
        let found = validate("{\"userId\":\"user1\" 17}")
        #expect(found?.description == "invalid JSON at byte 18: expected ',' or '}' after object member")
        #expect(validate("{\"a\" 1}")?.description == "invalid JSON at byte 5: expected ':' after object key")
        #expect(validate("1 x")?.description == "invalid JSON at byte 2: trailing characters after JSON value")
    }

    @Test func nestingIsLimited() {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        let tooDeep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(validate(ok) == nil)
        #expect(validate(tooDeep) == syntaxError(64, .nestingTooDeep(limit: 64)))
        #expect(validate(tooDeep)?.description == "invalid JSON at byte 64: nesting deeper than 64")
        let objects = String(repeating: "{\"a\":", count: 3) + "1" + String(repeating: "}", count: 3)
        #expect(validate(objects, depthMax: 3) == nil)
        #expect(validate(objects, depthMax: 2) == syntaxError(10, .nestingTooDeep(limit: 2)))
        // A hostile, very deep input fails cleanly instead of exhausting the stack.
        let hostile = String(repeating: "[", count: 1_000_000)
        #expect(validate(hostile, depthMax: 512) == syntaxError(512, .nestingTooDeep(limit: 512)))
    }

    @Test func scanRequiresAnObjectAtTheTopLevel() throws {
        #expect(try scanFields("[1]", ["a"]) == .failure(syntaxError(0, .topLevelNotObject)))
        #expect(try scanFields("  \"x\"", ["a"]) == .failure(syntaxError(2, .topLevelNotObject)))
        #expect(try scanFields(" 42 ", []) == .failure(syntaxError(1, .topLevelNotObject)))
        #expect(try scanFields(" {} ", []) == .success([]))
    }

    @Test(arguments: invalidTexts.filter { $0.0.hasPrefix("{") })
    func scanReportsTheSameErrorsAsValidate(_ text: String, _ expected: JSONSyntaxError) throws {
        #expect(try scanFields(text, ["a", "a.b"]) == .failure(expected))
    }

    @Test func everyPrefixOfAValidRecordIsRejected() {
        let record = "{\"a\":[1,-2.5e3,\"x\\u0041\\n\",true,false,null,{\"b\":{}}],\"c\":\"d\"}"
        #expect(validate(record) == nil)
        let bytes = Array(record.utf8)
        for length in 0 ..< bytes.count {
            let result = Array(bytes[0 ..< length]).withUnsafeBytes { JSONScanner.validate($0) }
            #expect(result != nil, "prefix of length \(length) was accepted")
            #expect((result?.offset ?? -1) <= length)
        }
    }

    /// Bulk ingest: validate a line and take its partition key, unescaped.
    @Test func extractsAPartitionKeyForIngest() throws {
        let scanner = JSONScanner(paths: try JSONPathSet(["userId"]))
        var values = JSONFieldValues(for: scanner.paths)
        var key: [UInt8] = []
        func partitionKey(_ line: String) throws -> String? {
            try withBytes(line) { bytes throws -> String? in
                if let error = scanner.scan(bytes, into: &values) { throw error }
                let value = values[0]
                switch value.kind {
                case .missing: return nil
                case .string where value.hasEscapes:
                    try JSONString.unescape(value.bytes(in: bytes), into: &key)
                    return String(decoding: key, as: UTF8.self)
                default:
                    return String(decoding: value.bytes(in: bytes), as: UTF8.self)
                }
            }
        }
        #expect(try partitionKey("{\"userId\":\"user274\",\"amount\":1}\r\n") == "user274")
        #expect(try partitionKey("{\"userId\":\"us\\u00e9r\\n\"}") == "usér\n")
        #expect(try partitionKey("{\"userId\":12.50}") == "12.50")
        #expect(try partitionKey("{\"userId\":true}") == "true")
        #expect(try partitionKey("{\"other\":1}") == nil)
        #expect(throws: syntaxError(12, .expectedCommaOrObjectEnd)) { try partitionKey("{\"userId\":1 2}") }
        #expect(throws: syntaxError(0, .topLevelNotObject)) { try partitionKey("[\"userId\"]") }
    }
}

/// Strict JSON means strict UTF-8 (issue 14): every malformed sequence in a
/// string is rejected where it starts, by `validate` and by `scan`, in keys and
/// values; well-formed multi-byte text is accepted.
@Suite struct JSONStrictUTF8Tests {
    static let malformed: [([UInt8], String)] = [
        ([0x80], "a stray continuation byte"),
        ([0xC0, 0x80], "an overlong NUL"),
        ([0xC1, 0xBF], "an overlong two-byte form"),
        ([0xE0, 0x80, 0x80], "an overlong three-byte form"),
        ([0xED, 0xA0, 0x80], "an encoded surrogate U+D800"),
        ([0xF4, 0x90, 0x80, 0x80], "above U+10FFFF"),
        ([0xF5, 0x80, 0x80, 0x80], "an invalid lead byte"),
        ([0xE2, 0x82], "a sequence cut short by the quote"),
        ([0xE2, 0x28, 0xA1], "a bad second byte"),
        ([0xFF], "0xFF"),
    ]

    func object(_ bytes: [UInt8], prefix: String = "abcdefghij") -> [UInt8] {
        Array("{\"userId\":\"\(prefix)".utf8) + bytes + Array("\",\"n\":1}".utf8)
    }

    @Test func malformedUTF8IsRejectedWhereItStarts() throws {
        let scanner = JSONScanner(paths: try JSONPathSet(["userId"]))
        var values = JSONFieldValues(for: scanner.paths)
        for (bytes, what) in Self.malformed {
            for prefix in ["", "abc", "abcdefghijklmnop"] {  // inside and after the 8-byte word loop
                let record = object(bytes, prefix: prefix)
                let offset = 11 + prefix.utf8.count
                #expect(record.withUnsafeBytes { JSONScanner.validate($0) } == syntaxError(offset, .invalidUTF8), "\(what)")
                #expect(record.withUnsafeBytes { scanner.scan($0, into: &values) } == syntaxError(offset, .invalidUTF8), "\(what)")
            }
        }
        let inKey = Array("{\"a".utf8) + [0xC0, 0xAF] + Array("\":1}".utf8)
        #expect(inKey.withUnsafeBytes { JSONScanner.validate($0) } == syntaxError(3, .invalidUTF8))
    }

    @Test func wellFormedMultiByteTextIsAccepted() throws {
        for text in ["é", "日本語", "😀", "\u{7FF}\u{800}\u{FFFF}\u{10000}\u{10FFFF}", "ascii then é then ascii again, long"] {
            #expect(object(Array(text.utf8)).withUnsafeBytes { JSONScanner.validate($0) } == nil, "\(text)")
        }
    }
}
