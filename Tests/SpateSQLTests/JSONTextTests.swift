// JSONText writes the objects of jobs' rows (results, alerts, output streams):
// each object must parse back, with Foundation's JSON parser as the independent
// reader, to exactly the values written — integers at their extremes, doubles
// (non-finite ones as null), strings with every kind of byte JSON escapes — and
// its text must be what `value(_:)` gives for each member.

import Foundation
import SpateSQL
import Testing

@Suite struct JSONTextTests {
    static let strings = ["", "plain", "quote\"d", "back\\slash", "tab\t new\n line\r", "\u{0}\u{1}\u{7}\u{1F}", "ünïcødé ✓ 🚀", "/slash", "\u{7F}"]
    static let integers: [Int64] = [0, 1, -1, 9, 10, -10, 1_732_400_000_000, Int64.max, Int64.min, Int64.min + 1]
    static let doubles: [Double] = [0, -0.0, 1.5, -2.25, 301.2345678, 1e300, -1e-300, .greatestFiniteMagnitude, .leastNonzeroMagnitude]

    @Test func objectsParseBackToTheirValues() throws {
        var values: [Value] = [.null, .boolean(true), .boolean(false), .double(.nan), .double(.infinity), .double(-.infinity)]
        values += Self.strings.map(Value.string) + Self.integers.map(Value.bigint) + Self.integers.map(Value.timestamp) + Self.doubles.map(Value.double)
        let names = values.indices.map { "c\($0)" } + ["extra"]  // one name more than values: unused
        let text = JSONText.object(names: names, values: values)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
        #expect(parsed.count == values.count)
        for (i, value) in values.enumerated() {
            let read = parsed["c\(i)"]
            switch value {
            case .null: #expect(read is NSNull)
            case let .boolean(b): #expect((read as? Bool) == b)
            case let .double(d) where !d.isFinite: #expect(read is NSNull, "\(d) is null in JSON")
            case let .double(d): #expect((read as? NSNumber)?.doubleValue == d, "\(d) read back as \(String(describing: read))")
            case let .bigint(n), let .timestamp(n): #expect((read as? NSNumber)?.int64Value == n, "\(n) read back as \(String(describing: read))")
            case let .string(s): #expect((read as? String) == s)
            }
        }
    }

    @Test func eachMemberIsItsValueText() {
        for value: Value in [.null, .boolean(false), .bigint(-42), .timestamp(Int64.min), .double(0.1), .double(.nan), .string("a\"b")] {
            #expect(JSONText.object(names: ["v"], values: [value]) == "{\"v\":" + JSONText.value(value) + "}")
        }
        #expect(JSONText.object(names: [], values: [.bigint(1), .bigint(2)]) == #"{"column_1":1,"column_2":2}"#)
        #expect(JSONText.object(names: ["a"], values: []) == "{}")
        #expect(JSONText.object(names: ["say \"hi\""], values: [.bigint(0)]) == #"{"say \"hi\"":0}"#)
    }
}
