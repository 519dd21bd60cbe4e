// A small writer of JSON text for the dashboard's endpoints: objects keep
// their keys in the order written (stable output, easy to read in a
// terminal); strings are escaped per RFC 8259; non-finite numbers, which JSON
// cannot hold, are written as null. Columns the catalog already holds as JSON
// (alerts.row_json, alerts.explanation) are inserted as they are, once SQLite
// has said they are valid (json_valid in the query).

struct JSONObject {
    private var text = "{"
    private var empty = true

    private mutating func key(_ name: String) {
        if !empty { text += "," }
        empty = false
        text += JSONOut.string(name) + ":"
    }

    mutating func raw(_ name: String, _ json: String) { key(name); text += json }
    mutating func string(_ name: String, _ value: String?) { key(name); text += value.map(JSONOut.string) ?? "null" }
    mutating func int(_ name: String, _ value: Int64?) { key(name); text += value.map { String($0) } ?? "null" }
    mutating func number(_ name: String, _ value: Double?) { key(name); text += JSONOut.number(value) }
    mutating func bool(_ name: String, _ value: Bool) { key(name); text += value ? "true" : "false" }

    var json: String { text + "}" }
}

enum JSONOut {
    static func string(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // < and > escaped too, so that JSON embedded in a page cannot close a <script>.
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    static func array(_ items: [String]) -> String { "[" + items.joined(separator: ",") + "]" }

    static func series(_ values: [Double?]) -> String { array(values.map(number)) }
}
