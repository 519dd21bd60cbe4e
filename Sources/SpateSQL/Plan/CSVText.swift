// CSV text for values (RFC 4180), as COPY … FORMAT CSV and CSV file sinks
// write them: a field with a comma, quote or line break is quoted and its
// quotes doubled; NULL is an empty field; numbers, booleans and timestamps
// (epoch milliseconds) as JSON writes them. Rows end with CRLF.
//
// Layer: SpateSQL (a plan's values as text, like JSONText).

/// CSV text for SQL values.
public enum CSVText {
    /// One row's fields joined, with the line ending.
    public static func row(_ values: [Value]) -> String {
        values.map(field).joined(separator: ",") + "\r\n"
    }

    /// The header row of `names`.
    public static func header(_ names: [String]) -> String {
        names.map(field).joined(separator: ",") + "\r\n"
    }

    /// One value as a field.
    public static func field(_ value: Value) -> String {
        if case .null = value { return "" }
        return field(JSONText.plain(value))
    }

    /// One text as a field, quoted when it must be.
    public static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }
}
