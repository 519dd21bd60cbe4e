// Aligned tables printed a row at a time, so a long phase shows its figures as
// they come, plus the number formats the tables use (no Foundation here).
// Column widths are fixed up front for that reason; a cell wider than its column
// pushes the rest of its row right rather than being cut.

#if canImport(Glibc)
import Glibc
#endif

/// A table whose header is printed first and whose rows follow one by one.
struct Table {
    struct Column {
        var title: String
        var width: Int
        var leftAligned = false
    }

    let columns: [Column]

    init(_ columns: [Column]) { self.columns = columns }

    func printHeader() {
        printRow(columns.map(\.title))
        printLine(columns.map { String(repeating: "-", count: $0.width) }.joined(separator: "  "))
    }

    func printRow(_ cells: [String]) {
        precondition(cells.count == columns.count, "a row has one cell per column")
        var line = ""
        for (cell, column) in zip(cells, columns) {
            let padding = String(repeating: " ", count: max(0, column.width - cell.count))
            if !line.isEmpty { line += "  " }
            line += column.leftAligned ? cell + padding : padding + cell
        }
        printLine(line)
    }
}

/// Prints a line and flushes, so progress shows when stdout is a pipe.
func printLine(_ line: String = "") {
    print(line)
    fflush(nil)
}

/// Prints a section title.
func printSection(_ title: String) {
    printLine()
    printLine(title)
}

// MARK: Number formats

/// `value` with `digits` digits after the point ("-" when not finite).
func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "-" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    guard scaled < 9e18 else { return String(value) }
    let units = Int(scaled)
    let whole = units / Int(scale)
    let fraction = units % Int(scale)
    var text = (value < 0 && units != 0 ? "-" : "") + String(whole)
    if digits > 0 {
        let digitsText = String(fraction)
        text += "." + String(repeating: "0", count: digits - digitsText.count) + digitsText
    }
    return text
}

/// An integer with thousands separators: 1,234,567.
func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
        out.append(c)
    }
    return (value < 0 ? "-" : "") + out
}

/// A rate with thousands separators, rounded to an integer.
func groupedRate(_ value: Double) -> String {
    value.isFinite ? grouped(Int(value.rounded())) : "-"
}

/// A duration in the unit that keeps three significant digits: µs, ms or s.
func formatNs(_ ns: UInt64) -> String {
    let value = Double(ns)
    if value < 1_000 { return "\(ns) ns" }
    if value < 1_000_000 { return fixed(value / 1e3, value < 10_000 ? 1 : 0) + " µs" }
    if value < 1_000_000_000 { return fixed(value / 1e6, value < 10_000_000 ? 2 : 1) + " ms" }
    return fixed(value / 1e9, 2) + " s"
}

/// Seconds between two monotonic readings.
func seconds(from startNs: UInt64, to endNs: UInt64) -> Double {
    Double(endNs - startNs) / 1e9
}
