// JSONFastCheckTests.swift — the scanner's C fast path against JSONParser.
//
// `spate_json_fast_check` may only say "valid" where JSONParser does, and must
// then locate the field exactly as JSONParser's scan does; where JSONParser
// says "valid" it must say so too, except for the one case it leaves to the
// full scanner on purpose (a top-level key with an escape while a field is
// looked for). Inputs: seeds with every JSON feature (escapes, surrogate
// pairs, non-ASCII, nesting, whitespace, repeated keys, the field as every
// kind), every single-byte edit of them, random documents with random edits,
// every length around the classified path's limits, and every text placed
// against a guard page, so a read past its end would crash the test.

import CSpateJSONKernels
import Testing
@testable import SpateJSON

#if canImport(Glibc)
import Glibc
#endif

@Suite struct JSONFastCheckTests {
    static let seeds: [String] = [
        #"{"userId":"user274","amount":338.72,"ts":1732400000004,"note":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"#,
        #"{"a":[1,-2.5e3,0,true,false,null],"b":{"c":"x\"y\\z\u00e9","d":{}},"e":[],"userId":7}"#,
        #" { "userId" : { "location" : { "lat" : 52.37 , "lon" : -4.9E+1 } } , "ok" : true } "#,
        "{\"esc\":\"\\b\\f\\n\\r\\t\\/\\ud83d\\ude00\",\"n\":null,\"userId\":\"caf\u{E9} \u{1F600} \u{4E2D}\"}",
        #"{"userId":"a","userId":[1,{"x":2}],"z":"\u0041","userId":false}"#,
        "{\"userId\":\"us\\u0065r\",\"t\":\"\u{10FFFF}\u{800}\u{7FF}\u{80}\"}",
        "\t{\"userId\":-0.0e-7}\r\n",
        #"{"user\u0049d":"escaped key","userId":"plain"}"#,
        #"[{"k":"v"},[1,[2,[3]]],"s",-0.0,1e-7]"#,
        #"{"userId":null,"deep":[[[[[[[[[[{"a":[[[]]]}]]]]]]]]]]}"#,
        #"{"userId":1e400,"q":"\ud800\udc00"}"#,
        #"{}"#,
        #"{"userId":""}"#,
    ]

    /// Bytes that make edits likely to hit the corners of the grammar, and
    /// some that are not UTF-8 on their own.
    static let interestingBytes: [UInt8] = Array("{}[]:,\"\\ 0123456789eE.-+tfnulrsa/bx\t\n\r".utf8)
        + [0x00, 0x01, 0x1F, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xE0, 0xED, 0xF0, 0xF4, 0xF5, 0xFF]

    /// One input checked both ways; returns whether JSONParser accepted it as an object with the field.
    @discardableResult
    static func check(_ bytes: [UInt8], scanner: JSONScanner, values: inout JSONFieldValues, depthMax: Int = 64) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self).debugDescription
        return withGuardedCopy(bytes) { guarded in
            let base = guarded.baseAddress?.assumingMemoryBound(to: UInt8.self)
            // validate: the same verdict, always.
            let fullVerdict = JSONScanner.validateFully(guarded, depthMax: depthMax)
            let fastValid = spate_json_fast_check(base, guarded.count, Int32(depthMax), 0, nil, 0, nil) == 1
            #expect(fastValid == (fullVerdict == nil), "validate \(text): full \(fullVerdict?.description ?? "valid")")
            #expect(JSONScanner.validate(guarded, depthMax: depthMax) == fullVerdict, "validate \(text)")

            // scan of one top-level field.
            let name = Array(scanner.paths.paths[0].utf8)
            let fullScan = scanner.scanFully(guarded, into: &values)
            let fullField = values[0]
            var field = spate_json_field()
            let fastScanned = name.withUnsafeBufferPointer { name in
                spate_json_fast_check(base, guarded.count, Int32(depthMax), 1, name.baseAddress, name.count, &field) == 1
            }
            if fastScanned {
                #expect(fullScan == nil, "scan \(text): fast valid, full \(fullScan?.description ?? "")")
                let fast = JSONFieldValue(kind: JSONValueKind(rawValue: UInt8(field.kind))!, hasEscapes: field.has_escapes != 0,
                                          start: field.start, count: field.count)
                #expect(fast == fullField, "scan \(text): fast \(fast), full \(fullField)")
            } else if fullScan == nil {
                // The one case left to the full scanner on purpose.
                #expect(bytes.contains(UInt8(ascii: "\\")), "scan \(text): full valid, fast gave up")
            }
            #expect(scanner.scan(guarded, into: &values) == fullScan, "scan \(text)")
            if fullScan == nil { #expect(values[0] == fullField, "scan \(text)") }
            return fullScan == nil
        }
    }

    /// Runs `body` on a copy of `bytes` that ends at a page the process may not read.
    static func withGuardedCopy<R>(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let pages = (bytes.count + page - 1) / page + 1
        let memory = mmap(nil, pages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)!
        precondition(memory != MAP_FAILED)
        defer { munmap(memory, pages * page) }
        precondition(mprotect(memory + (pages - 1) * page, page, PROT_NONE) == 0)
        let start = memory + (pages - 1) * page - bytes.count
        bytes.withUnsafeBytes { if $0.count > 0 { start.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
        return body(UnsafeRawBufferPointer(start: start, count: bytes.count))
    }

    @Test func everySingleByteEditOfTheSeedsAgrees() throws {
        let scanner = JSONScanner(paths: try JSONPathSet(["userId"]))
        var values = JSONFieldValues(for: scanner.paths)
        var checked = 0, valid = 0
        for seed in Self.seeds {
            let original = Array(seed.utf8)
            if Self.check(original, scanner: scanner, values: &values) { valid += 1 }
            for position in original.indices {
                var deleted = original
                deleted.remove(at: position)
                if Self.check(deleted, scanner: scanner, values: &values) { valid += 1 }
                for byte in Self.interestingBytes {
                    var replaced = original
                    replaced[position] = byte
                    if Self.check(replaced, scanner: scanner, values: &values) { valid += 1 }
                    var inserted = original
                    inserted.insert(byte, at: position)
                    if Self.check(inserted, scanner: scanner, values: &values) { valid += 1 }
                    checked += 2
                }
                checked += 1
            }
        }
        #expect(checked > 40_000 && valid > 2_000, "checked \(checked), valid \(valid)")
    }

    @Test func randomDocumentsAndTheirEditsAgree() throws {
        var random = SplitMix64(seed: 0xFA57)
        let scanner = JSONScanner(paths: try JSONPathSet(["userId"]))
        var values = JSONFieldValues(for: scanner.paths)
        var valid = 0
        for _ in 0 ..< 20_000 {
            var bytes = Array(Self.randomObject(depth: 1, using: &random).utf8)
            if Self.check(bytes, scanner: scanner, values: &values) { valid += 1 }
            for _ in 0 ... Int.random(in: 0 ..< 3, using: &random) {
                let position = Int.random(in: 0 ... bytes.count, using: &random)
                let byte = Self.interestingBytes.randomElement(using: &random)!
                switch Int.random(in: 0 ..< 3, using: &random) {
                case 0 where position < bytes.count: bytes[position] = byte
                case 1 where position < bytes.count: bytes.remove(at: position)
                default: bytes.insert(byte, at: position)
                }
            }
            Self.check(bytes, scanner: scanner, values: &values)
        }
        #expect(valid == 20_000)
    }

    /// Every length through the classified path's limits (16 and 256 bytes)
    /// and across its 16- and 64-byte steps, with the special byte (a quote, an
    /// escape, a control byte, non-ASCII) at every position of a long string.
    @Test func everyLengthAndPositionAroundTheVectorSteps() throws {
        let scanner = JSONScanner(paths: try JSONPathSet(["userId"]))
        var values = JSONFieldValues(for: scanner.paths)
        for length in 0 ..< 300 {
            let filler = String(repeating: "x", count: length)
            Self.check(Array(#"{"userId":"\#(filler)"}"#.utf8), scanner: scanner, values: &values)
            Self.check(Array(#"{"a":"\#(filler)","userId":1}"#.utf8), scanner: scanner, values: &values)
            Self.check(Array(#"{"userId":"\#(filler)"#.utf8), scanner: scanner, values: &values)
            // A string opened by the last byte: no closing quote past the text.
            Self.check(Array(#"{"a":"\#(filler)","b":""#.utf8), scanner: scanner, values: &values)
        }
        for special in [#"\""#, #"\\"#, #"\n"#, #"\u00e9"#, "\u{E9}", "\u{1F600}", "\u{01}", "\u{7F}", "\""] {
            for position in 0 ..< 280 {
                let text = #"{"userId":"k","s":""# + String(repeating: "y", count: position) + special + String(repeating: "z", count: 280 - position) + #""}"#
                Self.check(Array(text.utf8), scanner: scanner, values: &values)
            }
        }
    }

    @Test func nestingAtTheDepthLimit() throws {
        let scanner = JSONScanner(paths: try JSONPathSet(["userId"]), depthMax: 5)
        var values = JSONFieldValues(for: scanner.paths)
        for depth in 1 ... 8 {
            let inner = String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1)
            Self.check(Array(#"{"userId":\#(inner.isEmpty ? "1" : inner)}"#.utf8), scanner: scanner, values: &values, depthMax: 5)
            Self.check(Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8),
                       scanner: scanner, values: &values, depthMax: 5)
        }
        let deep = JSONScanner(paths: try JSONPathSet(["userId"]), depthMax: JSONScanner.depthLimitMax)
        var deepValues = JSONFieldValues(for: deep.paths)
        for depth in [511, 512, 513] {
            let text = #"{"userId":"# + String(repeating: "[", count: depth - 1) + String(repeating: "]", count: depth - 1) + "}"
            Self.check(Array(text.utf8), scanner: deep, values: &deepValues, depthMax: JSONScanner.depthLimitMax)
        }
    }

    /// The errors a user reads are JSONParser's, whichever path ran first.
    @Test func errorsAreTheFullScannersWordForWord() throws {
        let scanner = JSONScanner(paths: try JSONPathSet(["userId"]))
        var values = JSONFieldValues(for: scanner.paths)
        let cases: [(String, String)] = [
            (#"{"userId":"a",}"#, "invalid JSON at byte 14: expected '\"' to begin an object key"),
            (#"{"userId":"a" "b":1}"#, "invalid JSON at byte 14: expected ',' or '}' after object member"),
            (#"{"userId":01}"#, "invalid JSON at byte 10: leading zeros are not allowed in numbers"),
            (#"{"userId":"a\qb"}"#, "invalid JSON at byte 12: invalid escape sequence in string"),
            ("{\"userId\":\"a\u{01}b\"}", "invalid JSON at byte 12: control character in string (must be escaped)"),
            (#"{"userId":"\ud800"}"#, "invalid JSON at byte 11: unpaired UTF-16 surrogate in \\u escape"),
            (#"{"userId":tru}"#, "invalid JSON at byte 10: invalid literal (expected true, false or null)"),
            (#"{"userId":"abc"#, "invalid JSON at byte 10: unterminated string"),
            (#"{"userId":1} x"#, "invalid JSON at byte 13: trailing characters after JSON value"),
            (#"[1,2]"#, "invalid JSON at byte 0: expected an object at the top level"),
        ]
        for (text, message) in cases {
            let error = withBytes(text) { scanner.scan($0, into: &values) }
            #expect(error?.description == message, "\(text)")
        }
        var bytes = Array(#"{"userId":"ab"}"#.utf8)
        bytes[12] = 0xFF
        #expect(bytes.withUnsafeBytes { scanner.scan($0, into: &values) }?.description == "invalid JSON at byte 12: invalid UTF-8 in string")
    }

    // MARK: random documents

    static func randomObject(depth: Int, using random: inout SplitMix64) -> String {
        let keys = ["userId", "amount", "ts", "note", "a", "user", "userIds", "é", "k\\u0041", "deep"]
        var members: [String] = []
        for _ in 0 ..< Int.random(in: 0 ... 6, using: &random) {
            let key = keys.randomElement(using: &random)!
            members.append(space(&random) + "\"" + key + "\"" + space(&random) + ":" + space(&random) + randomValue(depth: depth, using: &random) + space(&random))
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    static func randomValue(depth: Int, using random: inout SplitMix64) -> String {
        switch Int.random(in: 0 ..< (depth < 4 ? 9 : 7), using: &random) {
        case 0: return ["true", "false", "null"].randomElement(using: &random)!
        case 1: return ["0", "-0", "12", "-3.25", "1e9", "2.5E-3", "1732400000004", "-0.0e+0"].randomElement(using: &random)!
        case 2, 3, 4:
            let pieces = ["x", "user42", " ", "\\\"", "\\\\", "\\n", "\\u00e9", "\\ud83d\\ude00", "é", "€", "😀", "/", String(repeating: "w", count: 20)]
            return "\"" + (0 ..< Int.random(in: 0 ... 5, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined() + "\""
        case 5, 6: return "\"" + String(repeating: "p", count: Int.random(in: 0 ... 70, using: &random)) + "\""
        case 7: return randomObject(depth: depth + 1, using: &random)
        default:
            return "[" + (0 ..< Int.random(in: 0 ... 3, using: &random)).map { _ in randomValue(depth: depth + 1, using: &random) }
                .joined(separator: ",") + "]"
        }
    }

    static func space(_ random: inout SplitMix64) -> String {
        Int.random(in: 0 ..< 4, using: &random) == 0 ? [" ", "\t", "\n", "\r\n", "  "].randomElement(using: &random)! : ""
    }
}
