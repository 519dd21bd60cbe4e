// The query benchmark: the reference query of issue 3 — per userId, one-minute
// tumbling windows with COUNT(*), AVG, MAX and STDDEV of amount — over
// transactions shaped like shared/data/transactions.jsonl, stored in the log,
// through the real parser, analyzer and runtime on one thread. Loading is not
// timed; the query is run three times and each run is printed.

import SpateLog
import SpateRuntime
import SpateSQL

#if canImport(Glibc)
import Glibc
#endif

let referenceQuery = """
    SELECT userId, WINDOW_START, COUNT(*) AS n, AVG(amount) AS avg_amount, MAX(amount) AS top, STDDEV(amount) AS sd
    FROM transactions SINCE EARLIEST UNTIL NOW
    WINDOW TUMBLING (SIZE 1 MINUTE)
    GROUP BY userId
    """

struct TransactionsSchema: SchemaProvider {
    let schema = StreamSchema(name: "transactions", columns: [
        SchemaColumn(name: "userId", type: .string), SchemaColumn(name: "amount", type: .double),
        SchemaColumn(name: "merchantId", type: .string), SchemaColumn(name: "transactionId", type: .string),
        SchemaColumn(name: "timestamp", type: .timestamp),
    ], keyColumn: "userId", eventTimeColumn: "timestamp")

    func stream(named name: String) -> StreamSchema? { name == "transactions" ? schema : nil }
    func catalogTable(named name: String) -> CatalogTableSchema? { nil }
    var relationNames: [String] { ["transactions"] }
}

func runQueryBenchmark(in directory: String, scale: Scale) throws {
    let count = scale.queryRecordCount
    let store = try LogStore.open(directory + "/query")
    let stream = try store.createStream("transactions", settings: StreamSettings(durability: .none))
    var random = SplitMix64(seed: 42)
    var batch = AppendBatch()
    var t: Int64 = 1_732_400_000_000
    var bytes = 0
    for i in 0..<count {
        t += Int64(random.next(below: 7))
        let user = 1 + random.next(below: 500)
        let cents = 50 + random.next(below: 60_000)
        let line = #"{"userId":"user\#(user)","amount":\#(cents / 100).\#(cents % 100 < 10 ? "0" : "")\#(cents % 100),"timestamp":\#(t),"transactionId":"txn_\#(i)","merchantId":"merchant_\#(1 + random.next(below: 50))"}"#
        bytes += line.utf8.count
        try batch.append(key: "user\(user)", payload: Array(line.utf8))
        if batch.count == 8192 {
            _ = try stream.append(batch)
            batch.removeAll()
        }
    }
    if !batch.isEmpty { _ = try stream.append(batch) }

    printSection("Query: the reference windowed aggregate over \(grouped(count)) stored transactions (\(fixed(Double(bytes) / Double(count), 0)) B of JSON each), one thread")
    printLine(referenceQuery.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
    let statement: Statement
    do { statement = try Parser.parseStatement(referenceQuery) } catch { throw BenchError("\(error)") }
    guard case let .select(select) = statement.kind else { throw BenchError("not a SELECT") }
    let plan: QueryPlan
    do { plan = try Analyzer.plan(select, schemas: TransactionsSchema(), nowMs: wallClockMs()) } catch { throw BenchError("\(error)") }
    let table = Table([
        Table.Column(title: "run", width: 3, leftAligned: true), Table.Column(title: "events/s", width: 12),
        Table.Column(title: "MB/s of JSON", width: 12), Table.Column(title: "rows out", width: 10), Table.Column(title: "time", width: 8),
        Table.Column(title: "events per CPU s", width: 16),
    ])
    table.printHeader()
    for run in 1...3 {
        let execution: QueryExecution
        do { execution = try QueryExecution(plan: plan, stream: stream) } catch { throw BenchError("\(error)") }
        var rows = 0
        let startCPU = cpuSeconds()
        let startNs = monotonicNs()
        let statistics: QueryStatistics
        do { statistics = try execution.run { _ in rows += 1; return true } } catch { throw BenchError("\(error)") }
        let elapsed = seconds(from: startNs, to: monotonicNs())
        let cpu = cpuSeconds() - startCPU
        guard statistics.recordsRead == count else { throw BenchError("read \(statistics.recordsRead) of \(count) records") }
        table.printRow(["\(run)", groupedRate(Double(count) / elapsed), fixed(Double(bytes) / elapsed / 1e6, 1), grouped(rows),
                        fixed(elapsed, 2) + " s", groupedRate(Double(count) / cpu)])
    }
}

/// User plus system CPU time of this process, in seconds: the figure for "on
/// one core" that other load on the machine does not inflate.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
}
