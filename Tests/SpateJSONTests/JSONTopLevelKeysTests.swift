// JSONTopLevelKeys: the keys of an object's top level, in order, once each,
// unescaped; nothing for a record that is not one well-formed object.

import SpateJSON
import Testing

@Suite struct JSONTopLevelKeysTests {
    func keys(_ text: String) -> [String] { withBytes(text) { JSONTopLevelKeys.keys(in: $0) } }

    @Test func topLevelKeysInOrderOnceEachAndUnescaped() {
        #expect(keys(#"{"userId":"u1","amount":12.5,"tags":["a"],"device":{"lat":1,"lon":2}}"#)
                == ["userId", "amount", "tags", "device"])
        #expect(keys(#"  { "a" : 1 , "b":{"a":2}, "a": 3 }  "#) == ["a", "b"])
        #expect(keys(#"{"merchant\u0049d":"m1","caf\u00e9":1}"#) == ["merchantId", "café"])
        #expect(keys("{}") == [])
    }

    @Test func aRecordThatIsNotOneObjectHasNoKeys() {
        #expect(keys("[1,2]") == [])
        #expect(keys(#"{"a":1"#) == [])
        #expect(keys(#"{"a":1} {"b":2}"#) == [])
        #expect(keys("not json") == [])
        #expect(keys("") == [])
    }
}
