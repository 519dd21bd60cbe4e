// A batch of rows as columns: the unit operators pass along. `rowCapacity` rows
// at most (1,024: big enough to amortize the per-batch work, small enough to
// stay in cache). A selection (the rows a filter kept) travels with it so a
// filter does not copy columns.

import SpateSQL

/// Rows per batch in the operator pipeline.
public let batchRowCapacity = 1024

/// A batch of rows as typed columns.
public final class DataChunk {
    public let columns: [ColumnVector]
    @exclusivity(unchecked) public internal(set) var count = 0
    /// Rows still selected (ascending indexes); all rows when nil.
    @exclusivity(unchecked) var selection: [Int32]?

    public init(types: [ValueType], capacity: Int = batchRowCapacity) {
        columns = types.map { ColumnVector(type: $0, capacity: capacity) }
    }

    func reset(count: Int) {
        self.count = count
        selection = nil
        for column in columns { column.reset(count: count) }
    }

    /// Number of selected rows.
    var selectedCount: Int { selection?.count ?? count }

    /// Calls `body` with each selected row index.
    @inline(__always) func forEachSelected(_ body: (Int) throws -> Void) rethrows {
        if let selection {
            for row in selection { try body(Int(row)) }
        } else {
            for row in 0..<count { try body(row) }
        }
    }
}
