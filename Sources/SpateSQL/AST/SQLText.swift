// SQLText: helpers that spell values as canonical SQL, used by every AST `description`.
//
// Layer: SpateSQL AST (printing). Invariant: what these functions produce lexes back
// to the same value: names that are not plain words, or that are reserved, are
// double-quoted; strings are single-quoted with quotes doubled.

enum SQLText {
    /// A name, quoted when needed.
    static func identifier(_ name: String) -> String {
        isPlainWord(name) && !Keywords.isReserved(name) ? name : "\"" + name.replacing("\"", with: "\"\"") + "\""
    }

    /// A string literal.
    static func string(_ text: String) -> String {
        "'" + text.replacing("'", with: "''") + "'"
    }

    /// True when `name` lexes as one bare word.
    static func isPlainWord(_ name: String) -> Bool {
        guard let first = name.utf8.first else { return false }
        let isStart = { (b: UInt8) in (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b >= 0x80 }
        guard isStart(first) else { return false }
        return name.utf8.allSatisfy { isStart($0) || ($0 >= 0x30 && $0 <= 0x39) }
    }

    /// Comma-separated descriptions.
    static func list<T: CustomStringConvertible>(_ items: [T]) -> String {
        items.map(\.description).joined(separator: ", ")
    }
}
