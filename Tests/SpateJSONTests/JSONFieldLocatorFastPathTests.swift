// JSONFieldLocatorFastPathTests.swift — a locator of several top-level keys
// (which tries `spate_json_fast_locate` first) against JSONParser's scan of
// the same paths (`JSONScanner.scanFully`): the same verdict, the same error,
// the same slot for every path, on the fast path's seeds, every single-byte
// edit of them, objects with the keys in every order, repeated or missing,
// and the most paths a set may hold.

import CSpateJSONKernels
import Testing
@testable import SpateJSON

@Suite struct JSONFieldLocatorFastPathTests {
    /// Locates `paths` in `bytes` both ways and compares.
    static func agree(_ bytes: [UInt8], paths: JSONPathSet, locator: JSONFieldLocator) {
        let scanner = JSONScanner(paths: paths)
        var values = JSONFieldValues(pathCount: paths.count)
        bytes.withUnsafeBytes { buffer in
            let expected = scanner.scanFully(buffer, into: &values)
            let got = locator.locate(buffer)
            let text = String(decoding: bytes, as: UTF8.self).debugDescription
            #expect(got == expected, "\(text)")
            if expected == nil, got == nil {
                for index in 0..<paths.count { #expect(locator[index] == values[index], "\(text) path \(paths.paths[index])") }
            }
        }
    }

    @Test func seedsAndEverySingleByteEditAgree() throws {
        let paths = try JSONPathSet(["userId", "amount", "ts", "b", "note"])
        let locator = JSONFieldLocator(paths: paths)
        for seed in JSONFastCheckTests.seeds {
            let bytes = Array(seed.utf8)
            Self.agree(bytes, paths: paths, locator: locator)
            for position in bytes.indices {
                for replacement in JSONFastCheckTests.interestingBytes where replacement != bytes[position] {
                    var edited = bytes
                    edited[position] = replacement
                    Self.agree(edited, paths: paths, locator: locator)
                }
                var removed = bytes
                removed.remove(at: position)
                Self.agree(removed, paths: paths, locator: locator)
            }
        }
    }

    @Test func keysInAnyOrderRepeatedOrMissing() throws {
        let paths = try JSONPathSet(["a", "bb", "ccc"])
        let locator = JSONFieldLocator(paths: paths)
        let values = [#""x""#, "12.5", "true", "null", #"{"a":1}"#, "[1,2]", #""e\"sc""#]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let keys = (0..<Int.random(in: 0...6, using: &random)).map { _ in ["a", "bb", "ccc", "d", "ab"].randomElement(using: &random)! }
            let members = keys.map { #""\#($0)":\#(values.randomElement(using: &random)!)"# }
            Self.agree(Array(("{" + members.joined(separator: ",") + "}").utf8), paths: paths, locator: locator)
        }
    }

    @Test func theMostPathsASetHoldsAreLocatedInOnePass() throws {
        #expect(JSONPathSet.pathCountMax <= Int(SPATE_JSON_NAMES_MAX))
        let names = (0..<JSONPathSet.pathCountMax).map { "k\($0)" }
        let paths = try JSONPathSet(names)
        let record = "{" + names.enumerated().map { #""\#($0.element)":\#($0.offset)"# }.joined(separator: ",") + "}"
        Self.agree(Array(record.utf8), paths: paths, locator: JSONFieldLocator(paths: paths))
    }
}
