// A string as a JSON string literal (RFC 8259 escaping: quote, backslash, the
// named control escapes, \u00XX for the other control characters). The one
// implementation for every layer: the catalog writes a few JSON documents
// itself (stream columns, alarm dimensions, summary alerts), and the runtime's
// JSONText, above it, uses this for the rows of alerts, results and INSERT.

public enum JSONStringLiteral {
    public static func quoted(_ text: String) -> String {
        var json = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": json += "\\\""
            case "\\": json += "\\\\"
            case "\n": json += "\\n"
            case "\r": json += "\\r"
            case "\t": json += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                json += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: json.unicodeScalars.append(scalar)
            }
        }
        return json + "\""
    }
}
