// The text being edited on the prompt line and the cursor in it. Pure: the
// editor maps keys to these operations and draws the result.
//
// Invariant: 0 <= cursor <= scalars.count. Text is kept as Unicode scalars and
// each counts as one column (wide CJK characters will misalign the cursor).

struct LineBuffer: Equatable {
    private(set) var scalars: [Unicode.Scalar] = []
    private(set) var cursor = 0

    init(_ text: String = "") {
        scalars = Array(text.unicodeScalars)
        cursor = scalars.count
    }

    var text: String {
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars)
        return out
    }

    var isEmpty: Bool { scalars.isEmpty }

    mutating func insert(_ scalar: Unicode.Scalar) {
        scalars.insert(scalar, at: cursor)
        cursor += 1
    }

    /// Replaces the `count` scalars before the cursor with `text`, the cursor after it (Tab completion).
    mutating func replaceBeforeCursor(count: Int, with text: String) {
        let start = max(0, cursor - count)
        let inserted = Array(text.unicodeScalars)
        scalars.replaceSubrange(start..<cursor, with: inserted)
        cursor = start + inserted.count
    }

    mutating func moveLeft() { cursor = max(0, cursor - 1) }
    mutating func moveRight() { cursor = min(scalars.count, cursor + 1) }
    mutating func moveHome() { cursor = 0 }
    mutating func moveEnd() { cursor = scalars.count }

    mutating func moveWordLeft() { cursor = wordStart(before: cursor) }

    mutating func moveWordRight() {
        var index = cursor
        while index < scalars.count, !isWordScalar(scalars[index]) { index += 1 }
        while index < scalars.count, isWordScalar(scalars[index]) { index += 1 }
        cursor = index
    }

    /// Backspace: deletes the character before the cursor.
    mutating func deleteBackward() {
        guard cursor > 0 else { return }
        scalars.remove(at: cursor - 1)
        cursor -= 1
    }

    /// Delete: deletes the character under the cursor.
    mutating func deleteForward() {
        guard cursor < scalars.count else { return }
        scalars.remove(at: cursor)
    }

    /// Ctrl-U.
    mutating func deleteToStart() {
        scalars.removeSubrange(0..<cursor)
        cursor = 0
    }

    /// Ctrl-K.
    mutating func deleteToEnd() { scalars.removeSubrange(cursor...) }

    /// Ctrl-W: the word before the cursor and the blanks after it, as in a shell.
    mutating func deleteWordBefore() {
        var start = cursor
        while start > 0, scalars[start - 1] == " " { start -= 1 }
        while start > 0, scalars[start - 1] != " " { start -= 1 }
        scalars.removeSubrange(start..<cursor)
        cursor = start
    }

    private func wordStart(before position: Int) -> Int {
        var index = position
        while index > 0, !isWordScalar(scalars[index - 1]) { index -= 1 }
        while index > 0, isWordScalar(scalars[index - 1]) { index -= 1 }
        return index
    }

    private func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar == "_"
    }
}
