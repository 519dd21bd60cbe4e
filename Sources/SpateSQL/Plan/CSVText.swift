// CSV text for values (RFC 4180), as COPY … FORMAT CSV and CSV file sinks
// write them: a field with a comma, quote or line break is quoted and its
// quotes doubled; NULL is an empty field; numbers, booleans and timestamps
// (epoch milliseconds) as JSON writes them. Rows end with CRLF.
//
// Rows are written as bytes into the caller's buffer: a String per field,
// joined, and a search of each field by Character (grapheme breaking) made a
// CSV file sink 2.9 times slower than JSON lines of twice the bytes.
//
// Layer: SpateSQL (a plan's values as text, like JSONText).

import SpateJSON

/// CSV text for SQL values.
public enum CSVText {
    /// One row's fields joined, with the line ending.
    public static func row(_ values: [Value]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(values.count * 16)
        appendRow(values, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends one row's fields, joined, with the line ending, to `out`.
    public static func appendRow(_ values: [Value], to out: inout [UInt8]) {
        appendRow(values[...], to: &out)
    }

    /// Appends `values` as one record (a row of a job's RowArena).
    public static func appendRow(_ values: ArraySlice<Value>, to out: inout [UInt8]) {
        values.withUnsafeBufferPointer { values in
            for i in values.indices {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendField(values[i], to: &out)
            }
        }
        out.append(contentsOf: lineEnd)
    }

    /// The header row of `names`.
    public static func header(_ names: [String]) -> String {
        names.map(field).joined(separator: ",") + "\r\n"
    }

    /// One value as a field.
    public static func field(_ value: Value) -> String {
        var out: [UInt8] = []
        appendField(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// One text as a field, quoted when it must be.
    public static func field(_ text: String) -> String {
        var out: [UInt8] = []
        appendField(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends one value as a field to `out`.
    static func appendField(_ value: Value, to out: inout [UInt8]) {
        switch value {
        case .null: return
        case let .string(s): appendField(s, to: &out)
        case let .bigint(i), let .timestamp(i): JSONNumber.appendDecimal(i, to: &out)
        default: appendField(JSONText.plain(value), to: &out)  // booleans and doubles: never quoted
        }
    }

    /// Appends `text` as a field to `out`, quoted (its quotes doubled) when it
    /// holds a comma, a quote or a line break.
    static func appendField(_ text: String, to out: inout [UInt8]) {
        text.withUTF8Bytes { appendField(utf8: $0, to: &out) }
    }

    private static func appendField(utf8 text: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        guard text.contains(where: { $0 == comma || $0 == quote || $0 == lineFeed || $0 == carriageReturn }) else {
            return out.append(contentsOf: text)
        }
        out.append(quote)
        var run = text.startIndex
        for i in text.indices where text[i] == quote {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[run ... i]))  // through the quote, then once more
            out.append(quote)
            run = i + 1
        }
        out.append(contentsOf: UnsafeBufferPointer(rebasing: text[run...]))
        out.append(quote)
    }

    private static let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\"")
    private static let carriageReturn = UInt8(ascii: "\r"), lineFeed = UInt8(ascii: "\n")
    private static let lineEnd = [carriageReturn, lineFeed]
}
