// How wide each column of a table is, given how wide its values are and how
// wide the table may be (the terminal's width). Pure functions, so the widths
// can be tested without a terminal.
//
// A line is ` a | b | c`: each cell padded to its column's width with one blank
// either side, `|` between cells. When the natural widths do not fit, the widest
// of the columns that may be cut (text: a cut number or time would read as
// another one) are cut first, to one common cap, never below `columnWidthMin`
// (or their natural width, if less): narrow columns stay whole, and one long
// value does not push the others off the screen. A table that does not fit even
// at the minimum wraps rather than showing nothing.

enum TableLayout {
    /// The narrowest a cut column gets.
    static let columnWidthMin = 8

    /// The width of a line whose columns are `widths` wide.
    static func lineWidth(_ widths: [Int]) -> Int {
        widths.isEmpty ? 0 : widths.reduce(0, +) + 3 * (widths.count - 1) + 2
    }

    /// Widths no wider than `natural` whose line fits in `widthMax` columns when
    /// possible; only columns whose `cuttable` is true get narrower, and never
    /// below min(natural, columnWidthMin).
    static func fit(_ natural: [Int], cuttable: [Bool], widthMax: Int) -> [Int] {
        precondition(natural.count == cuttable.count, "one flag per column")
        guard lineWidth(natural) > widthMax, let widest = natural.max() else { return natural }
        func capped(_ cap: Int) -> [Int] { natural.indices.map { cuttable[$0] ? min(natural[$0], cap) : natural[$0] } }
        // The largest cap that fits: lineWidth(capped(cap)) grows with cap.
        var low = columnWidthMin, high = widest
        guard lineWidth(capped(low)) <= widthMax else { return capped(low) }
        while low < high {
            let middle = (low + high + 1) / 2
            if lineWidth(capped(middle)) <= widthMax { low = middle } else { high = middle - 1 }
        }
        // What the cap leaves over goes to the cut columns, one column each.
        var widths = capped(low)
        var spare = widthMax - lineWidth(widths)
        for index in widths.indices where spare > 0 && natural[index] > widths[index] {
            widths[index] += 1
            spare -= 1
        }
        return widths
    }
}
