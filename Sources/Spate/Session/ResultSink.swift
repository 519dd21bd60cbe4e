// Where the results of statements go. The REPL and `spate -c/-f` implement it
// as a table, CSV or JSON printer; an embedding program implements it to take
// rows. Rows arrive as they are produced: a push query's rows as windows close.

import SpateSQL
import Synchronization

/// One column of a result.
public struct ResultColumn: Sendable, Equatable {
    public var name: String
    public var type: ValueType

    public init(name: String, type: ValueType) {
        self.name = name
        self.type = type
    }
}

/// What a query did, reported when it ends (or is cancelled).
public struct QuerySummary: Sendable, Equatable {
    public var rows = 0
    /// Whether the statement read records from a stream (a SELECT FROM a stream,
    /// even an empty one); false for catalog tables, SHOW, DESCRIBE, EXPLAIN. The
    /// record counts below mean something only when it is true.
    public var readsRecords = false
    /// Records read from the log.
    public var recordsRead = 0
    /// Records whose event time was behind the watermark: counted and dropped.
    public var lateRecords = 0
    /// Records that lacked a field the query reads or had it null: counted; the field reads as NULL.
    public var missingRecords = 0
    /// Records that were not JSON objects, or had a value that does not convert to
    /// its column's type: counted; their fields read as NULL.
    public var badRecords = 0
    public var elapsedNs: UInt64 = 0
    public var cancelled = false

    public init() {}
}

/// Receives the results of statements.
public protocol ResultSink: AnyObject {
    /// A result with these columns begins.
    func begin(columns: [ResultColumn])
    /// One row, values in column order.
    func row(_ values: [Value])
    /// Every row there is for now has been sent: a query that follows the live
    /// stream has caught up with the log and waits for more. Called by such
    /// queries each time they catch up; a bounded result ends instead.
    func caughtUp()
    /// The result ended.
    func end(_ summary: QuerySummary)
    /// A statement without rows finished: "created stream tx".
    func message(_ text: String)
    /// Long work under way, in one line that the next replaces ("COPY: 1,200,000
    /// rows, 88 MB"): a sink on a terminal shows it, any other drops it.
    func progress(_ text: String)
}

extension ResultSink {
    /// Nothing to do by default: a sink that prints each row as it comes needs no signal.
    public func caughtUp() {}
    /// Dropped by default (a sink not on a terminal stays quiet).
    public func progress(_ text: String) {}
}

/// A flag another thread (a Ctrl-C handler) sets to stop the running statement.
public final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}

    /// Asks the running statement to stop.
    public func cancel() { flag.store(true, ordering: .relaxed) }
    public func reset() { flag.store(false, ordering: .relaxed) }
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}
