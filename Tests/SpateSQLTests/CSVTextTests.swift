// CSVText writes RFC 4180 fields as bytes: checked on the cases that need
// quoting, and on random text against the rule written the plain way (a
// String per field, quotes doubled with replacing).

import SpateSQL
import Testing

@Suite struct CSVTextTests {
    @Test func fieldsAreQuotedOnlyWhenTheyMustBe() {
        let row: [Value] = [.string("plain"), .string("a,b"), .string("say \"hi\""), .string("two\nlines"), .string("cr\r"),
                            .string("héllo ✓"), .string(""), .null, .bigint(-42), .timestamp(1_700_000_000_000),
                            .double(1.5), .boolean(true), .string("\"")]
        #expect(CSVText.row(row) == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",héllo ✓,,,-42,1700000000000,1.5,true,\"\"\"\"\r\n")
        #expect(CSVText.header(["a", "b,c"]) == "a,\"b,c\"\r\n")
        #expect(CSVText.row([]) == "\r\n")
        // CR LF is one Character in Swift, neither "\r" nor "\n": a search by Character missed it.
        #expect(CSVText.field("a\r\nb") == "\"a\r\nb\"")
    }

    @Test func randomTextMatchesThePlainRule() {
        var random = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["a", "Z", "0", " ", ",", "\"", "\n", "\r", "é", "✓", "🚀", "\t"]
        for _ in 0..<2_000 {
            let fields = (0..<Int.random(in: 0...6, using: &random)).map { _ in
                String((0..<Int.random(in: 0...12, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
            }
            #expect(CSVText.row(fields.map(Value.string)) == fields.map(Self.plainField).joined(separator: ",") + "\r\n")
        }
    }

    /// RFC 4180's rule, written the plain way.
    static func plainField(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }
}
