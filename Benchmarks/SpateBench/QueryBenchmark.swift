// The query benchmark: the reference query of issue 3 — per userId, one-minute
// tumbling windows with COUNT(*), AVG, MAX and STDDEV of amount — and the same
// per merchantId, over generated transactions stored in the log, through the
// real parser, analyzer and runtime: on one thread over a 1-shard stream, then
// on two workers over a 2-shard copy of the same records (what `SET threads =
// 2` runs, issue 17: split by shard for userId, the stream's key; partial
// aggregates merged for merchantId), then — when `python3 -c 'import duckdb'`
// works — DuckDB over the same records as JSON lines with 1 and 2 threads, and
// the ratios. Loading is not timed; each query is run three times and each run
// is printed. Then, for the reference query, paired rounds: Spate and DuckDB
// back to back, one thread then two, each round's ratios and their median
// (the VM's speed drifts within minutes). SPATE_BENCH_ONLY=TEXT runs only the
// phases whose label contains TEXT: "one thread", "two workers",
// "independent", "DuckDB", "paired", "score series" (to profile one).

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
    let twoShards = try store.createStream("transactions2", settings: StreamSettings(shardCount: 2, durability: .none))
    let jsonPath = directory + "/query/transactions.jsonl"
    guard let json = fopen(jsonPath, "w") else { throw BenchError("cannot write \(jsonPath)") }
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
        fputs(line + "\n", json)
        try batch.append(key: "user\(user)", payload: Array(line.utf8))
        if batch.count == 8192 {
            _ = try stream.append(batch)
            _ = try twoShards.append(batch)
            batch.removeAll()
        }
    }
    if !batch.isEmpty {
        _ = try stream.append(batch)
        _ = try twoShards.append(batch)
    }
    fclose(json)

    for query in BenchmarkQuery.all {
        try runQueryCase(query, count: count, bytes: bytes, oneShard: stream, twoShards: twoShards, jsonPath: jsonPath)
    }
    unlink(jsonPath)
    if runsPhase("score series") { try runScoreSeriesCost(stream: stream, count: count) }
}

/// A windowed aggregate the benchmark runs in Spate and in DuckDB.
struct BenchmarkQuery {
    var title: String
    /// The issue's reference query (its budgets are about this one).
    var isReference = false
    var spate: String
    /// DuckDB's SQL over `read_json(…)` (the placeholder `JSON`).
    var duckdb: String

    static let all = [
        BenchmarkQuery(title: "the reference windowed aggregate, per userId (the stream's key: the workers split by shard)", isReference: true, spate: referenceQuery,
                       duckdb: "SELECT userId, time_bucket(INTERVAL 1 MINUTE, epoch_ms(timestamp)) AS w, COUNT(*), AVG(amount), MAX(amount), STDDEV_SAMP(amount) FROM JSON GROUP BY userId, w"),
        BenchmarkQuery(title: "the same per merchantId (not the key: the workers' partial aggregates merge)", spate: """
            SELECT merchantId, WINDOW_START, COUNT(*) AS n, AVG(amount) AS avg_amount, MAX(amount) AS top, STDDEV(amount) AS sd
            FROM transactions SINCE EARLIEST UNTIL NOW
            WINDOW TUMBLING (SIZE 1 MINUTE)
            GROUP BY merchantId
            """,
                       duckdb: "SELECT merchantId, time_bucket(INTERVAL 1 MINUTE, epoch_ms(timestamp)) AS w, COUNT(*), AVG(amount), MAX(amount), STDDEV_SAMP(amount) FROM JSON GROUP BY merchantId, w"),
    ]
}

/// One query: on one thread over the 1-shard stream, on two workers over the
/// 2-shard copy (as `SET threads = 2` runs it), then DuckDB and the ratios.
private func runQueryCase(_ query: BenchmarkQuery, count: Int, bytes: Int, oneShard: LogStream, twoShards: LogStream, jsonPath: String) throws {
    printSection("Query: \(query.title), over \(grouped(count)) stored transactions (\(fixed(Double(bytes) / Double(count), 0)) B of JSON each), one thread")
    printLine(query.spate.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
    let statement: Statement
    do { statement = try Parser.parseStatement(query.spate) } catch { throw BenchError("\(error)") }
    guard case let .select(select) = statement.kind else { throw BenchError("not a SELECT") }
    let plan: QueryPlan
    do { plan = try Analyzer.plan(select, schemas: TransactionsSchema(), nowMs: wallClockMs()) } catch { throw BenchError("\(error)") }
    let table = Table([
        Table.Column(title: "run", width: 3, leftAligned: true), Table.Column(title: "events/s", width: 12),
        Table.Column(title: "MB/s of JSON", width: 12), Table.Column(title: "rows out", width: 10), Table.Column(title: "time", width: 8),
        Table.Column(title: "events per CPU s", width: 16),
    ])
    let merges = plan.stateNotSplittable(byKey: "userId") != nil
    let runs = QueryRuns(plan: plan, count: count, oneShard: oneShard, twoShards: twoShards, mergesPartials: merges)
    func printRun(_ run: Int, _ timed: TimedRun) {
        let json = timed.events == count ? fixed(Double(bytes) / timed.seconds / 1e6, 1) : ""
        table.printRow(["\(run)", groupedRate(timed.rate), json, grouped(timed.rows),
                        fixed(timed.seconds, 2) + " s", groupedRate(Double(timed.events) / timed.cpuSeconds)])
    }
    var best = (one: 0.0, two: 0.0)
    if runsPhase("one thread") { table.printHeader() }
    for run in 1...3 where runsPhase("one thread") {
        let timed = try runs.oneThread()
        printRun(run, timed)
        best.one = max(best.one, timed.rate)
    }
    if runsPhase("two workers") {
        printSection("The same query on two workers over a 2-shard copy of the records (SET threads = 2\(merges ? ", partial aggregates merged" : ""))")
        table.printHeader()
    }
    for run in 1...3 where runsPhase("two workers") {
        let timed = try runs.twoWorkers()
        printRun(run, timed)
        best.two = max(best.two, timed.rate)
    }
    if runsPhase("independent") {
        printSection("Ceiling: two independent one-thread executions of it at once, on two threads of this process (events of both)")
        table.printHeader()
        for run in 1...3 { printRun(run, try runs.independentPair()) }
    }
    let duckdb = DuckDBRunner(sql: query.duckdb, jsonPath: jsonPath)
    if runsPhase("DuckDB") { printDuckDBComparison(duckdb, count: count, spateOne: best.one, spateTwo: best.two) }
    if query.isReference && runsPhase("paired") { try printPairedRounds(runs, duckdb: duckdb) }
}

/// One timed execution of a benchmark query.
private struct TimedRun {
    var seconds: Double
    var cpuSeconds: Double
    /// Rows out (of one execution, for a pair).
    var rows: Int
    /// Events read (of both executions, for a pair).
    var events: Int
    var rate: Double { Double(events) / seconds }
}

/// Timed executions of one query: on one thread over the 1-shard stream, on
/// two workers over the 2-shard copy (as `SET threads = 2` runs it).
private struct QueryRuns {
    let plan: QueryPlan
    let count: Int
    let oneShard: LogStream
    let twoShards: LogStream
    let mergesPartials: Bool

    func oneThread() throws -> TimedRun {
        let execution = try oneThreadExecution()
        var rows = 0
        let startCPU = cpuSeconds(), startNs = monotonicNs()
        let statistics: QueryStatistics
        do { statistics = try execution.run { _ in rows += 1; return true } } catch { throw BenchError("\(error)") }
        return try timed(since: startNs, cpu: startCPU, rows: rows, read: statistics.recordsRead)
    }

    func twoWorkers() throws -> TimedRun {
        let execution: ParallelQueryExecution
        do {
            execution = try ParallelQueryExecution(plan: plan, stream: twoShards, parallelism: 2, mergesPartials: mergesPartials)
        } catch { throw BenchError("\(error)") }
        var rows = 0
        let emit: (EmittedRow) -> Bool = { _ in rows += 1; return true }
        let startCPU = cpuSeconds(), startNs = monotonicNs()
        loop: while true {
            switch try execution.step(emit: emit) {
            case .progressed: continue
            case .finished: break loop
            case .idle: usleep(1_000)
            }
        }
        try execution.finish(emit: emit)
        return try timed(since: startNs, cpu: startCPU, rows: rows, read: execution.currentStatistics.recordsRead)
    }

    /// The ceiling for two workers on this machine: two independent one-thread
    /// executions of the query, each over all of the 1-shard stream, on two
    /// threads of this process at once (nothing shared but the process: no
    /// shard split, no steps, no merge); the events of both.
    func independentPair() throws -> TimedRun {
        let boxes = try (0..<2).map { _ in UncheckedBox(try oneThreadExecution()) }
        let read = PerThread<Int>(count: 2, initial: -1)
        let rowsOut = PerThread<Int>(count: 2, initial: 0)
        let startCPU = cpuSeconds(), startNs = monotonicNs()
        runOnThreads(2) { index in
            var rows = 0
            let statistics = try? boxes[index].value.run { _ in rows += 1; return true }
            read[index] = statistics?.recordsRead ?? -1
            rowsOut[index] = rows
        }
        guard read.all == [count, count] else { throw BenchError("the two executions read \(read.all) of \(count) records each") }
        return try timed(since: startNs, cpu: startCPU, rows: rowsOut[0], read: count, events: 2 * count)
    }

    private func oneThreadExecution() throws -> QueryExecution {
        do { return try QueryExecution(plan: plan, stream: oneShard) } catch { throw BenchError("\(error)") }
    }

    private func timed(since startNs: UInt64, cpu startCPU: Double, rows: Int, read: Int, events: Int? = nil) throws -> TimedRun {
        let elapsed = seconds(from: startNs, to: monotonicNs())
        let cpu = cpuSeconds() - startCPU
        guard read == count else { throw BenchError("read \(read) of \(count) records") }
        return TimedRun(seconds: elapsed, cpuSeconds: cpu, rows: rows, events: events ?? count)
    }
}

/// Rounds of Spate and DuckDB run back to back — one thread each, then two —
/// so that each round's ratios compare runs seconds apart: on a VM whose speed
/// drifts by tens of percent within minutes, a best-of-3 of each, minutes
/// apart, may compare a fast phase with a slow one.
private func printPairedRounds(_ runs: QueryRuns, duckdb: DuckDBRunner, rounds: Int = 5) throws {
    printSection("Paired rounds: Spate then DuckDB, one thread then two, back to back (ratio = Spate events/s ÷ DuckDB's)")
    var ratios = (one: [Double](), two: [Double]())
    for round in 1...rounds {
        let one = try runs.oneThread()
        guard let duckOne = duckdb.bestSeconds(threads: 1, runs: 1) else {
            printLine("  skipped: `python3 -c 'import duckdb'` fails here (pip install duckdb to compare)")
            return
        }
        let two = try runs.twoWorkers()
        guard let duckTwo = duckdb.bestSeconds(threads: 2, runs: 1) else { return }
        ratios.one.append(one.rate * duckOne.seconds / Double(runs.count))
        ratios.two.append(two.rate * duckTwo.seconds / Double(runs.count))
        printLine("  round \(round): one thread \(groupedRate(one.rate)) against \(groupedRate(Double(runs.count) / duckOne.seconds)) → "
                  + "\(fixed(ratios.one.last!, 2))×; two \(groupedRate(two.rate)) against \(groupedRate(Double(runs.count) / duckTwo.seconds)) → "
                  + "\(fixed(ratios.two.last!, 2))×")
    }
    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    printLine("  median of \(rounds) rounds: one thread \(fixed(median(ratios.one), 2))× (budget 1.3×), two \(fixed(median(ratios.two), 2))× (budget ≥ 1×); "
              + "rounds ≥ budget: \(ratios.one.filter { $0 >= 1.3 }.count) and \(ratios.two.filter { $0 >= 1 }.count) of \(rounds)")
}

/// Hands a value that is not Sendable to one other thread, which alone uses it.
private final class UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Whether SPATE_BENCH_ONLY (unset: every phase) names this phase.
private func runsPhase(_ label: String) -> Bool {
    guard let only = getenv("SPATE_BENCH_ONLY") else { return true }
    return label.contains(String(cString: only))
}

/// What keeping a job's score series costs a scoring query: the same
/// per-event detector over the same records with the series off and on,
/// alternated (off, on, off, on), best of two each.
private func runScoreSeriesCost(stream: LogStream, count: Int) throws {
    let sql = "SELECT userId, amount, ANOMALY_SCORE(amount) OVER (PARTITION BY userId) AS score FROM transactions SINCE EARLIEST UNTIL NOW WHERE anomaly"
    printSection("A scoring query (ANOMALY_SCORE per userId, every event, WHERE anomaly) over the same \(grouped(count)) records, without and with a job's score series")
    let statement: Statement
    do { statement = try Parser.parseStatement(sql) } catch { throw BenchError("\(error)") }
    guard case let .select(select) = statement.kind else { throw BenchError("not a SELECT") }
    let plan: QueryPlan
    do { plan = try Analyzer.plan(select, schemas: TransactionsSchema(), nowMs: wallClockMs()) } catch { throw BenchError("\(error)") }
    let table = Table([Table.Column(title: "score series", width: 12, leftAligned: true), Table.Column(title: "events/s", width: 12),
                       Table.Column(title: "rows out", width: 10), Table.Column(title: "points", width: 10), Table.Column(title: "time", width: 8)])
    table.printHeader()
    var bestRate: [Bool: Double] = [:]
    for records in [false, true, false, true] {
        let execution: QueryExecution
        do { execution = try QueryExecution(plan: plan, stream: stream, recordsScores: records) } catch { throw BenchError("\(error)") }
        var rows = 0, points = 0
        let startNs = monotonicNs()
        // A job drains the series at each checkpoint; here every 64 batches.
        var batches = 0
        loop: while true {
            let outcome: QueryExecution.StepOutcome
            do { outcome = try execution.step { _ in rows += 1; return true } } catch { throw BenchError("\(error)") }
            switch outcome {
            case .progressed:
                batches += 1
                if batches % 64 == 0 { points += execution.drainScores().points.count }
            case .finished: break loop
            case .idle: usleep(1_000)
            }
        }
        points += execution.drainScores().points.count
        let elapsed = seconds(from: startNs, to: monotonicNs())
        bestRate[records] = max(bestRate[records] ?? 0, Double(count) / elapsed)
        table.printRow([records ? "on" : "off", groupedRate(Double(count) / elapsed), grouped(rows), grouped(points), fixed(elapsed, 2) + " s"])
    }
    let off = bestRate[false]!, on = bestRate[true]!
    printLine("  the score series costs \(fixed((1 - on / off) * 100, 1)) % of a scoring query's throughput (best of two each)")
}

/// DuckDB (through `python3 -c 'import duckdb'`) running a query over the
/// same records as JSON lines; each call is a new python3 process, a new
/// connection, and `runs` timed executions of which it returns the fastest.
private final class DuckDBRunner {
    private let scriptPath: String

    init(sql: String, jsonPath: String) {
        let source = "read_json('\(jsonPath)', columns = {userId: 'VARCHAR', merchantId: 'VARCHAR', amount: 'DOUBLE', timestamp: 'BIGINT'}, format = 'newline_delimited')"
        scriptPath = jsonPath + ".duckdb.py"
        let script = """
            import duckdb, sys, time
            threads, runs = int(sys.argv[1]), int(sys.argv[2])
            best = None
            for _ in range(runs):
                con = duckdb.connect(); con.execute(f"SET threads = {threads}")
                t = time.time()
                con.execute(\"\"\"\(sql.replacing("FROM JSON", with: "FROM " + source))\"\"\").fetchall()
                dt = time.time() - t
                best = dt if best is None else min(best, dt)
            print(best, duckdb.__version__)
            """
        if let file = fopen(scriptPath, "w") {
            fputs(script, file)
            fclose(file)
        }
    }

    deinit { unlink(scriptPath) }

    /// The fastest of `runs` executions with `threads` threads, and DuckDB's
    /// version; nil when python3 or duckdb is missing.
    func bestSeconds(threads: Int, runs: Int) -> (seconds: Double, version: String)? {
        guard let pipe = popen("python3 \(scriptPath) \(threads) \(runs) 2>/dev/null", "r") else { return nil }
        var lines: [String] = []
        var buffer = [CChar](repeating: 0, count: 512)
        while fgets(&buffer, Int32(buffer.count), pipe) != nil {
            lines.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).trimmingNewline)
        }
        guard pclose(pipe) == 0, lines.count == 1 else { return nil }
        let parts = lines[0].split(separator: " ")
        guard parts.count == 2, let seconds = Double(parts[0]) else { return nil }
        return (seconds, String(parts[1]))
    }
}

/// DuckDB with 1 and 2 threads, best of 3 each, against Spate's best runs;
/// skipped with a message when `import duckdb` fails.
private func printDuckDBComparison(_ duckdb: DuckDBRunner, count: Int, spateOne: Double, spateTwo: Double) {
    printSection("DuckDB on the same records (JSON lines, read_json, best of 3)")
    for threads in [1, 2] {
        guard let (seconds, version) = duckdb.bestSeconds(threads: threads, runs: 3) else {
            printLine("  skipped: `python3 -c 'import duckdb'` fails here (pip install duckdb to compare)")
            return
        }
        let duck = Double(count) / seconds
        let spate = threads == 1 ? spateOne : spateTwo
        let spatePart = spate > 0 ? "Spate \(threads == 1 ? "one thread" : "two workers"): \(groupedRate(spate)) → \(fixed(spate / duck, 2))×"
            : "Spate's phase not run (SPATE_BENCH_ONLY)"
        printLine("  DuckDB \(version), \(threads) thread\(threads == 1 ? "" : "s"): \(groupedRate(duck)) events/s (\(fixed(seconds, 2)) s); " + spatePart)
    }
}

private extension String {
    var trimmingNewline: String {
        var text = self
        while text.last == "\n" { text.removeLast() }
        return text
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
