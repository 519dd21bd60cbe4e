// The answer to a read-only catalog query: column names and rows of values.
// Rows are kept flat (row-major, one array for the whole result) so that
// reading N rows allocates the values and nothing per row.

/// The result of `Catalog.query(sql:parameters:)`.
public struct CatalogRows: Equatable, Sendable {
    /// Column names as SQLite reports them (the `AS` alias where there is one).
    public let columnNames: [String]
    /// All values, row after row; `values.count == rowCount * columnNames.count`.
    public let values: [CatalogValue]

    init(columnNames: [String], values: [CatalogValue]) {
        precondition(columnNames.isEmpty ? values.isEmpty : values.count % columnNames.count == 0,
                     "catalog rows: \(values.count) values do not fill rows of \(columnNames.count) columns")
        self.columnNames = columnNames
        self.values = values
    }

    /// The number of rows.
    public var rowCount: Int { columnNames.isEmpty ? 0 : values.count / columnNames.count }

    /// Row `index` (0-based): one value per column, in column order.
    public func row(_ index: Int) -> ArraySlice<CatalogValue> {
        precondition(index >= 0 && index < rowCount, "catalog rows: row \(index) of \(rowCount)")
        let start = index * columnNames.count
        return values[start..<(start + columnNames.count)]
    }

    /// The value at `row`, `column` (both 0-based).
    public subscript(row: Int, column: Int) -> CatalogValue {
        precondition(column >= 0 && column < columnNames.count, "catalog rows: column \(column) of \(columnNames.count)")
        return self.row(row)[row * columnNames.count + column]
    }

    /// Every row, for `for row in rows.rows { … }`.
    public var rows: [ArraySlice<CatalogValue>] { (0..<rowCount).map(row) }
}
