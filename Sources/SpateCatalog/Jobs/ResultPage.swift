// A page of a job's result rows: the rows one checkpoint commits, written as
// the JSON array that job_result_pages keeps in one row (schema/0013 says how
// the job_results view numbers them, schema/0014 how a page groups them). The
// job's thread appends each row's JSON straight into the page's buffer, so a
// row costs no String and no SQLite insert of its own.

import SpateJSON

/// Result rows held for the next checkpoint, as one JSON array of runs
/// `[first, window_start, window_end, created_at, row, row, …]`: the rows of
/// a run share their times, written once (schema/0014).
public struct ResultPage: Sendable, Equatable {
    /// The size at which a writer starts a new page: a page is at most this
    /// plus its last row. Bounds what a reader of job_results holds per page,
    /// far below SQLite's 1 GB limit on a value.
    public static let bytesMax = 16 << 20

    /// Rows in the page.
    public private(set) var rowCount = 0
    /// The array's text, closed: `[]` when empty, else ending with the last
    /// run's `]]`.
    private var bytes: [UInt8] = Self.empty
    /// The times of the last run's rows (nil when the page is empty): the
    /// rows of a step share its time, and most share their window with the
    /// row before, so a run is often hundreds of rows (writing three numbers
    /// per row was ~13 % of a job's thread with parallelism 2, and a quarter
    /// of the reference job's page bytes).
    private var runTimes: (windowStartMs: Int64?, windowEndMs: Int64?, createdMs: Int64)?

    public init() {}

    /// A page of `results`, in order.
    public init(_ results: [NewResult]) {
        for result in results { append(result) }
    }

    public var isEmpty: Bool { rowCount == 0 }

    /// Bytes of JSON text in the page.
    public var byteCount: Int { bytes.count }

    /// Whether the next row belongs in a new page.
    public var isFull: Bool { bytes.count >= Self.bytesMax }

    /// Appends one row; `writeRow` appends the row's JSON object to the buffer
    /// it is given (it must write exactly one JSON value).
    public mutating func append(windowStartMs: Int64?, windowEndMs: Int64?, createdMs: Int64,
                                row writeRow: (inout [UInt8]) -> Void) {
        if let runTimes, runTimes.windowStartMs == windowStartMs, runTimes.windowEndMs == windowEndMs, runTimes.createdMs == createdMs {
            bytes.removeLast(2)  // the run's and the page's closing brackets, written again below
            bytes.append(UInt8(ascii: ","))
        } else {
            bytes.removeLast()  // the page's closing bracket
            if rowCount > 0 { bytes.append(UInt8(ascii: ",")) }
            runTimes = (windowStartMs, windowEndMs, createdMs)
            bytes.append(UInt8(ascii: "["))
            JSONNumber.appendDecimal(Int64(rowCount), to: &bytes)
            bytes.append(UInt8(ascii: ","))
            Self.appendOptional(windowStartMs, to: &bytes)
            bytes.append(UInt8(ascii: ","))
            Self.appendOptional(windowEndMs, to: &bytes)
            bytes.append(UInt8(ascii: ","))
            JSONNumber.appendDecimal(createdMs, to: &bytes)
            bytes.append(UInt8(ascii: ","))
        }
        writeRow(&bytes)
        bytes.append(contentsOf: Self.closeRunAndPage)
        rowCount += 1
    }

    /// Appends `result`, whose `rowJSON` is a JSON object.
    public mutating func append(_ result: NewResult) {
        append(windowStartMs: result.windowStartMs, windowEndMs: result.windowEndMs, createdMs: result.createdMs) {
            $0.append(contentsOf: result.rowJSON.utf8)
        }
    }

    /// Empties the page, keeping its buffer for the next checkpoint's rows.
    public mutating func removeAll() {
        rowCount = 0
        runTimes = nil
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: Self.empty)
    }

    /// The page's JSON text.
    var json: [UInt8] { bytes }

    /// Pages are equal when their text is (the last run's times are in it).
    public static func == (lhs: ResultPage, rhs: ResultPage) -> Bool { lhs.rowCount == rhs.rowCount && lhs.bytes == rhs.bytes }

    private static let empty = Array("[]".utf8), closeRunAndPage = Array("]]".utf8), null = Array("null".utf8)

    private static func appendOptional(_ value: Int64?, to out: inout [UInt8]) {
        if let value { JSONNumber.appendDecimal(value, to: &out) } else { out.append(contentsOf: null) }
    }
}
