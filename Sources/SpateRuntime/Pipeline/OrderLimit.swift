// ORDER BY and LIMIT, the pipeline's last operator. Under LIMIT alone a row
// passes straight through and the query stops once `limit` rows went out.
// With ORDER BY, rows are buffered until the query finishes (the analyzer
// allows ORDER BY on bounded queries only), then sorted — NULLs first, as
// SQLite — and the first `limit` emitted. Memory: with ORDER BY, every result
// row of the query (the result of a bounded query, as any SQL engine holds it).

import SpateSQL

final class OrderLimit {
    let orderBy: [OrderKey]
    let limit: Int64?
    /// Rows emitted so far (restored from a checkpoint with the query's counters).
    @exclusivity(unchecked) var rowsEmitted = 0
    /// True once the limit was reached or the consumer declined a row.
    @exclusivity(unchecked) private(set) var stopped = false
    @exclusivity(unchecked) private var buffered: [EmittedRow] = []

    init(orderBy: [OrderKey], limit: Int64?) {
        precondition(limit.map { $0 >= 0 } ?? true, "LIMIT is not negative")
        self.orderBy = orderBy
        self.limit = limit
    }

    /// Whether every row passes as it comes: no ORDER BY, no LIMIT.
    var passesEveryRow: Bool { orderBy.isEmpty && limit == nil }

    /// A LIMIT 0 query emits nothing and reads nothing.
    var emitsNothing: Bool { limit == 0 }

    /// Takes one row; returns false when the query should stop producing.
    func offer(_ row: EmittedRow, to emit: (EmittedRow) -> Bool) -> Bool {
        if !orderBy.isEmpty {
            buffered.append(row)
            return true
        }
        return pass(row, to: emit)
    }

    /// At the end of the query: the buffered rows, sorted, up to the limit.
    func finish(to emit: (EmittedRow) -> Bool) {
        guard !orderBy.isEmpty else { return }
        let keys = orderBy
        buffered.sort { a, b in
            for key in keys {
                let order = compareValues(a.values[key.output], b.values[key.output])
                if order != 0 { return key.descending ? order > 0 : order < 0 }
            }
            return false
        }
        for row in buffered where !stopped {
            _ = pass(row, to: emit)
        }
        buffered.removeAll()
    }

    private func pass(_ row: EmittedRow, to emit: (EmittedRow) -> Bool) -> Bool {
        assert(!stopped, "no row after the query stopped")
        if let limit, rowsEmitted >= limit { stopped = true; return false }
        rowsEmitted += 1
        if !emit(row) { stopped = true; return false }
        if let limit, rowsEmitted >= limit { stopped = true; return false }
        return true
    }
}

/// Orders values for ORDER BY: NULLs first (as SQLite), then by value.
func compareValues(_ a: Value, _ b: Value) -> Int {
    switch (a, b) {
    case (.null, .null): return 0
    case (.null, _): return -1
    case (_, .null): return 1
    case let (.string(x), .string(y)): return x < y ? -1 : (x > y ? 1 : 0)
    case let (.boolean(x), .boolean(y)): return x == y ? 0 : (x ? 1 : -1)
    default:
        let x = numericValue(a), y = numericValue(b)
        return x < y ? -1 : (x > y ? 1 : 0)
    }
}

private func numericValue(_ v: Value) -> Double {
    switch v {
    case let .bigint(i), let .timestamp(i): return Double(i)
    case let .double(d): return d
    case let .boolean(b): return b ? 1 : 0
    default: return 0
    }
}
