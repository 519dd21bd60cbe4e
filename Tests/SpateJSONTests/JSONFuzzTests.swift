// JSONFuzzTests.swift — random mutations of valid records, checked against Foundation.
//
// Every mutated input must (1) not crash validate or scan, (2) get the same
// verdict from validate as from Foundation's JSONSerialization, and (3) get a
// scan verdict consistent with validate. Inputs are restricted to ASCII:
// Foundation checks UTF-8, which the scanner deliberately does not.
//
// Foundation differs from RFC 8259 (and from us) in three known ways; a
// disagreement is accepted only when it is explained by one of them:
// - it accepts a trailing comma (`[1,]`, `{"a":1,}`), which RFC 8259 forbids;
// - it rejects `\u` escapes of unpaired surrogates, which the grammar allows
//   (our `JSONString.unescape` rejects them too, when the string is decoded);
// - it rejects numbers that overflow a Double (`1e400`); we accept the text
//   and `JSONNumber.parseDouble` gives infinity.

import Foundation
import Testing
@testable import SpateJSON

@Suite struct JSONFuzzTests {
    static let seeds: [String] = [
        "{\"userId\":\"user274\",\"amount\":338.72,\"timestamp\":1732400000004,\"transactionId\":\"txn_0\",\"merchantId\":\"merchant_2\"}",
        "{\"a\":[1,-2.5e3,0,true,false,null],\"b\":{\"c\":\"x\\\"y\\\\z\\u00e9\",\"d\":{}},\"e\":[]}",
        "{ \"device\" : { \"location\" : { \"lat\" : 52.37 , \"lon\" : -4.9E+1 } } , \"ok\" : true }",
        "[{\"k\":\"v\"},[1,[2,[3]]],\"s\",-0.0,1e-7]",
        "{\"esc\":\"\\b\\f\\n\\r\\t\\/\\ud83d\\ude00\",\"n\":null}",
    ]

    /// Bytes that make mutations likely to hit the interesting corners of the grammar.
    static let interestingBytes: [UInt8] = Array("{}[]:,\"\\ 0123456789eE.-+tfnulrsa/bx\t\n\r".utf8) + [0x01, 0x1F, 0x7F, 0x00]

    enum Explained: Hashable { case trailingComma, unpairedSurrogate, doubleOverflow }

    /// The locator's flat fast path against the full parser, exhaustively: every
    /// single-byte replacement, deletion and insertion of interesting bytes in
    /// flat records must give the same verdict, error and slots.
    @Test func flatFastPathAgreesWithTheFullParserOnEverySingleByteEdit() throws {
        let paths = try JSONPathSet(["userId", "amount", "timestamp", "ok", "n", "a"])
        let scanner = JSONScanner(paths: paths)
        var values = JSONFieldValues(for: paths)
        let locator = JSONFieldLocator(paths: paths)
        let seeds = [
            #"{"userId":"user274","amount":338.72,"timestamp":1732400000004,"transactionId":"txn_0","merchantId":"merchant_2"}"#,
            #" { "userId" : "u" , "amount" : -0.5 , "ok" : true , "n" : null , "a" : [1, {"b": 2}] , "z" : {"y": false} } "#,
            #"{"amount":0,"amount":-12,"timestamp":10,"userId":"x"y","q":"é"}"#,
            #"{}"#,
        ]
        var checked = 0
        for seed in seeds {
            let original = Array(seed.utf8)
            var edits: [[UInt8]] = [original]
            for position in original.indices {
                var deleted = original
                deleted.remove(at: position)
                edits.append(deleted)
                for byte in Self.interestingBytes {
                    var replaced = original
                    replaced[position] = byte
                    edits.append(replaced)
                    var inserted = original
                    inserted.insert(byte, at: position)
                    edits.append(inserted)
                }
            }
            for bytes in edits {
                let expected = bytes.withUnsafeBytes { scanner.scan($0, into: &values) }
                let located = bytes.withUnsafeBytes { locator.locate($0) }
                let text = String(decoding: bytes, as: UTF8.self)
                #expect(located == expected, "\(text)")
                if expected == nil {
                    for slot in 0 ..< values.count { #expect(locator[slot] == values[slot], "\(text) slot \(slot)") }
                }
                checked += 1
            }
        }
        #expect(checked > 20_000)
    }

    @Test func mutationsNeverCrashAndAgreeWithFoundation() throws {
        var random = SplitMix64(seed: 0xF022)
        let scanner = JSONScanner(paths: try JSONPathSet(["userId", "a", "b.c", "device.location.lat", "ok"]))
        var values = JSONFieldValues(for: scanner.paths)
        let locator = JSONFieldLocator(paths: scanner.paths)
        let flatScanner = JSONScanner(paths: try JSONPathSet(["userId", "amount", "timestamp", "merchantId", "a", "b", "e", "esc", "n", "ok", "k"]))
        var flatValues = JSONFieldValues(for: flatScanner.paths)
        let flatLocator = JSONFieldLocator(paths: flatScanner.paths)
        var verdicts = (valid: 0, invalid: 0)
        var explained: [Explained: Int] = [:]
        for iteration in 0 ..< 30_000 {
            var bytes = Array(Self.seeds[iteration % Self.seeds.count].utf8)
            for _ in 0 ... Int.random(in: 0 ..< 3, using: &random) { Self.mutate(&bytes, using: &random) }
            let ours = bytes.withUnsafeBytes { JSONScanner.validate($0) }
            let scanned = bytes.withUnsafeBytes { scanner.scan($0, into: &values) }
            // The runtime's locator: the same verdict and, when valid, the same slots.
            let located = bytes.withUnsafeBytes { locator.locate($0) }
            #expect(located == scanned, "\(String(decoding: bytes, as: UTF8.self))")
            if scanned == nil {
                for slot in 0 ..< values.count { #expect(locator[slot] == values[slot]) }
            }
            // Top-level paths only: the locator's flat fast path runs first.
            let flatScanned = bytes.withUnsafeBytes { flatScanner.scan($0, into: &flatValues) }
            #expect(bytes.withUnsafeBytes { flatLocator.locate($0) } == flatScanned, "\(String(decoding: bytes, as: UTF8.self))")
            if flatScanned == nil {
                for slot in 0 ..< flatValues.count { #expect(flatLocator[slot] == flatValues[slot], "\(String(decoding: bytes, as: UTF8.self))") }
            }
            let theirs = (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
            let text = String(decoding: bytes, as: UTF8.self)

            // scan = validate + "the top level is an object", with the same errors.
            let firstNonSpace = bytes.firstIndex { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
            if let first = firstNonSpace, bytes[first] == UInt8(ascii: "{") {
                #expect(scanned == ours, "\(text)")
            } else if let first = firstNonSpace {
                #expect(scanned == ours ?? syntaxError(first, .topLevelNotObject) || scanned == syntaxError(first, .topLevelNotObject),
                        "\(text)")
            } else {
                #expect(scanned == ours && ours?.reason == .emptyInput, "\(text)")
            }

            if ours == nil { verdicts.valid += 1 } else { verdicts.invalid += 1 }
            if (ours == nil) == theirs { continue }
            if let reason = Self.explain(bytes, ours: ours) {
                explained[reason, default: 0] += 1
            } else {
                Issue.record("validate says \(ours?.description ?? "valid"), Foundation says \(theirs ? "valid" : "invalid"): \(text.debugDescription)")
            }
        }
        // The test means something only if both verdicts are common.
        #expect(verdicts.valid > 2_000 && verdicts.invalid > 10_000, "\(verdicts)")
        print("fuzz: \(verdicts), explained disagreements: \(explained)")
    }

    static func mutate(_ bytes: inout [UInt8], using random: inout SplitMix64) {
        let byte = Bool.random(using: &random)
            ? interestingBytes.randomElement(using: &random)!
            : UInt8.random(in: 0 ... 0x7F, using: &random)
        let position = Int.random(in: 0 ... bytes.count, using: &random)
        switch Int.random(in: 0 ..< 5, using: &random) {
        case 0 where position < bytes.count: bytes[position] = byte
        case 1: bytes.insert(byte, at: position)
        case 2 where position < bytes.count: bytes.remove(at: position)
        case 3: bytes.removeSubrange(position...)  // truncation
        default:  // duplicate a short chunk
            let end = Swift.min(bytes.count, position + Int.random(in: 1 ... 8, using: &random))
            bytes.insert(contentsOf: bytes[position ..< end], at: position)
        }
    }

    /// Which known Foundation difference explains a disagreement, if any.
    static func explain(_ bytes: [UInt8], ours: JSONSyntaxError?) -> Explained? {
        if let ours {
            // We reject, Foundation accepts: only a trailing comma may explain it.
            guard [.expectedObjectKey, .expectedValue].contains(ours.reason), ours.offset < bytes.count,
                  [UInt8(ascii: "}"), UInt8(ascii: "]")].contains(bytes[ours.offset]),
                  bytes[..<ours.offset].last(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: ",")
            else { return nil }
            return .trailingComma
        }
        // We accept, Foundation rejects: look at every string and number token.
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                var end = index + 1
                while bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
                var buffer: [UInt8] = []
                let decoded = Array(bytes[index + 1 ..< end]).withUnsafeBytes { raw in
                    Result { () throws(JSONSyntaxError) in try JSONString.unescape(raw, into: &buffer) }
                }
                if case .failure(let error) = decoded, error.reason == .unpairedSurrogate { return .unpairedSurrogate }
                index = end + 1
            } else if byte == UInt8(ascii: "-") || (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains(byte) {
                var end = index
                while end < bytes.count, Array("+-.eE0123456789".utf8).contains(bytes[end]) { end += 1 }
                let value = Array(bytes[index ..< end]).withUnsafeBytes { JSONNumber.parseDouble($0) }
                if value?.isInfinite == true { return .doubleOverflow }
                index = end
            } else {
                index += 1
            }
        }
        return nil
    }
}
