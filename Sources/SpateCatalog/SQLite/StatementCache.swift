// A bounded cache of prepared statements, keyed by their SQL text.
//
// The typed catalog API runs the same few dozen statements over and over
// (a checkpoint is the same handful of INSERTs every second); preparing them
// once saves the parse and plan. Limit: `capacity` statements; when full, the
// whole cache is dropped and refilled — the working set is the fixed SQL of
// this module, far below the capacity, so this happens only if code starts
// caching SQL built at run time, which it must not (user queries are never cached).
//
// Invariant: a statement is either in `idle` (ready, reset, no bindings) or
// checked out to exactly one caller; a checked-out SQL is never handed out twice.

final class StatementCache {
    let capacity: Int
    private var idle: [String: SQLiteStatement] = [:]
    private var checkedOut: Set<String> = []

    init(capacity: Int) {
        precondition(capacity > 0, "statement cache capacity must be positive")
        self.capacity = capacity
    }

    /// The idle statement for `sql`, now checked out; nil when none is idle.
    func checkOut(_ sql: String) -> SQLiteStatement? {
        guard let statement = idle.removeValue(forKey: sql) else { return nil }
        checkedOut.insert(sql)
        return statement
    }

    func isCheckedOut(_ sql: String) -> Bool { checkedOut.contains(sql) }

    /// Marks `sql`, just prepared by the caller, as checked out.
    func reserve(_ sql: String) {
        precondition(!checkedOut.contains(sql) && idle[sql] == nil, "statement cache: \(sql) reserved twice")
        checkedOut.insert(sql)
    }

    /// Returns a statement (reset by the caller) to the cache.
    func checkIn(_ sql: String, _ statement: SQLiteStatement) {
        checkedOut.remove(sql)
        if idle.count + checkedOut.count >= capacity { idle.removeAll() }
        idle[sql] = statement
    }

    var count: Int { idle.count + checkedOut.count }

    func removeAll() {
        idle.removeAll()
        checkedOut.removeAll()
    }
}
