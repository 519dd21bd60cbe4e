// The jobs benchmark (issue 4): a saved job running the reference windowed
// query over stored transactions, timed from start to "caught up", once
// checkpointing every second and once with checkpoints far apart (their cost is
// the difference); and the latency from an append being acknowledged to the
// alert it raises being committed, at 10,000 events/s. SPATE_BENCH_ONLY=TEXT
// runs only the sections whose name contains TEXT ("reference", "parallelism",
// "stateless", "dashboard", "job log", "alert latency"), for a profiler.

import Spate
import SpateCatalog
import SpateDashboard
import SpateLog
import SpateRuntime
import SpateSQL

#if canImport(Glibc)
import Glibc
#endif

func runJobBenchmark(in directory: String, scale: Scale) throws {
    let count = scale.queryRecordCount / 2
    let only = getenv("SPATE_BENCH_ONLY").map { String(cString: $0) }
    func runs(_ section: String) -> Bool { only.map { section.contains($0) } ?? true }
    let database = try openBenchDatabase(directory + "/jobs")
    if runs("reference") || runs("dashboard") {
        try execute(database, """
            CREATE STREAM transactions (userId STRING, amount DOUBLE, merchantId STRING, transactionId STRING, timestamp TIMESTAMP)
              WITH (key = 'userId', event_time = 'timestamp', durability = 'none');
            """)
        try loadTransactions(database, count: count)
    }
    if runs("reference") { try runCheckpointCost(database, count: count) }
    if runs("parallelism") {
        try runParallelism(database, count: scale.parallelJobRecordCount)
        try runResultReads(database, job: "parallel_3")
    }
    if runs("stateless") { try runStatelessJob(database, count: count) }
    if runs("dashboard") { try runDashboardLoad(database, count: count) }
    if runs("job log") { try runJobLogCost(in: directory + "/job-log") }  // JobLogBenchmark.swift
    if runs("alert latency") { try runAlertLatency(in: directory + "/latency", scale: scale) }
}

/// The reference job over a 1-shard stream, checkpointing every second and
/// (almost) never, alternating.
private func runCheckpointCost(_ database: Database, count: Int) throws {
    printSection("Jobs: the reference windowed query as a saved job over \(grouped(count)) stored transactions")
    let table = Table([
        Table.Column(title: "checkpoint interval", width: 19, leftAligned: true), Table.Column(title: "events/s", width: 12),
        Table.Column(title: "checkpoints", width: 11), Table.Column(title: "time", width: 8),
    ])
    table.printHeader()
    // One stream, loaded once; the same job run four times, alternating the
    // interval, so that the difference is the checkpoints and not the machine.
    var rates: [String: [Double]] = [:]
    for (run, (label, interval)) in [("1 second", "1 second"), ("10 minutes (none)", "10 minutes"),
                                     ("1 second", "1 second"), ("10 minutes (none)", "10 minutes")].enumerated() {
        let (elapsed, checkpoints) = try runReferenceJob(database, name: "reference_\(run)", stream: "transactions", count: count,
                                                         options: "checkpoint_interval = '\(interval)'")
        rates[label, default: []].append(Double(count) / elapsed)
        table.printRow([label, groupedRate(Double(count) / elapsed), grouped(Int(checkpoints)), fixed(elapsed, 2) + " s"])
    }
    let with = rates["1 second"]!.reduce(0, +) / 2, without = rates["10 minutes (none)"]!.reduce(0, +) / 2
    printLine("  checkpoints every second cost \(fixed((1 - with / without) * 100, 1)) % of throughput (mean of two runs each)")
}

/// Parallelism: the same records in a 2-shard stream keyed by userId; the
/// job with one worker and with two, alternating.
private func runParallelism(_ database: Database, count: Int) throws {
    let best = try compareParallelism(database, title: "parallelism over a 2-shard stream", stream: "transactions2", count: count) { run, workers in
        try runReferenceJob(database, name: "parallel_\(run)", stream: "transactions2", count: count, options: "parallelism = \(workers)").0
    }
    printLine("  CPU: cores busy on average (process CPU time / wall time)")
    // What the two runs' CPU times allow: with parallelism 2 the workers and
    // the job's thread share the cores, while parallelism 1 leaves its job's
    // thread a core of its own; with every core busy the whole run, the ratio
    // is at most cores × (time with 1) / (CPU seconds with 2).
    let (one, _) = best[1]!, (two, cpuTwo) = best[2]!
    let cores = Double(Session.coreCount)
    printLine("  scaling \(fixed(one / two, 2))x; at most \(fixed(cores * one / (two * cpuTwo), 2))x on \(Int(cores)) cores "
        + "(cores × time with 1 / CPU seconds with 2: the CPU that parallelism 2 spends, every core busy)")
}

/// What storing results a page at a time costs their readers (schema/0013):
/// the job_results view unrolls each page's JSON array. Reads the rows the
/// last parallel job kept, as a REPL user would.
private func runResultReads(_ database: Database, job: String) throws {
    let queries = [("COUNT(*)", "SELECT COUNT(*) FROM job_results WHERE job = '\(job)'"),
                   ("newest 5", "SELECT id, row_json FROM job_results WHERE job = '\(job)' ORDER BY id DESC LIMIT 5"),
                   ("every row's JSON", "SELECT SUM(length(row_json)), MAX(window_start) FROM job_results WHERE job = '\(job)'")]
    guard case let .integer(kept)? = try database.catalogQuery(sql: queries[0].1).rows.first?.first else { throw BenchError("no result count") }
    var figures: [String] = []
    var everyRow = 0.0
    for (label, sql) in queries {
        var best = Double.infinity
        for _ in 0..<3 {
            let start = monotonicNs()
            _ = try database.catalogQuery(sql: sql)
            best = min(best, seconds(from: start, to: monotonicNs()))
        }
        figures.append("\(label) \(fixed(best * 1000, 1)) ms")
        everyRow = best
    }
    printLine("  reading the \(grouped(Int(kept))) result rows the last job kept (job_results, best of 3): " + figures.joined(separator: ", ")
              + " (\(fixed(everyRow / Double(max(kept, 1)) * 1e6, 2)) µs a row)")
    // What a kept row costs in its page (its times written once per run of
    // rows that share them, schema/0014) against its own JSON text.
    let sizes = try database.catalogQuery(sql: """
        SELECT (SELECT SUM(length(rows_json)) FROM job_result_pages WHERE job = '\(job)'), SUM(length(row_json))
        FROM job_results WHERE job = '\(job)'
        """).rows.first.map(Array.init)
    if let sizes, sizes.count == 2, case let .integer(pageBytes) = sizes[0], case let .integer(rowBytes) = sizes[1], kept > 0 {
        printLine("  their pages: \(fixed(Double(pageBytes) / Double(kept), 1)) bytes a row, of which the row's JSON \(fixed(Double(rowBytes) / Double(kept), 1))")
    }
}

/// Issue 16's budget: an open dashboard costs a running job ≤ 2 % of its
/// throughput. A scoring job over the stored transactions, alternately alone
/// and with a dashboard page open on it: the page rendered once, then every
/// 2 s the requests its script makes (the job's row, metric charts, score
/// chart, alerts, alarm badges), served by Dashboard.respond on a thread of
/// their own as `spate serve` would. Best of two runs each.
private func runDashboardLoad(_ database: Database, count: Int) throws {
    printSection("Jobs: a scoring job (ANOMALY_SCORE per userId) over \(grouped(count)) transactions, alone and with a dashboard page open on it")
    let table = Table([Table.Column(title: "dashboard", width: 22, leftAligned: true), Table.Column(title: "events/s", width: 12),
                       Table.Column(title: "time", width: 8), Table.Column(title: "requests", width: 8),
                       Table.Column(title: "server ms / poll", width: 16)])
    table.printHeader()
    let dashboard = Dashboard(database: database)
    var best: [Bool: Double] = [:]
    for (run, withPage) in [false, true, false, true].enumerated() {
        let name = "scoring_\(run)"
        try execute(database, """
            CREATE JOB \(name) AS SELECT userId, amount, ANOMALY_SCORE(amount) OVER (PARTITION BY userId) AS score
              FROM transactions SINCE EARLIEST WHERE anomaly;
            """)
        let stop = StopFlag()
        let served = PerThread(count: 2, initial: (requests: 0, ns: UInt64(0)))
        let elapsed = PerThread(count: 2, initial: 0.0)
        let failure = PerThread<String?>(count: 2, initial: nil)
        runOnThreads(withPage ? 2 : 1) { thread in
            if thread == 1 {
                served[1] = openJobPage(dashboard, job: name, until: stop)
                return
            }
            defer { stop.set() }
            do {
                let start = monotonicNs()
                let runner = database.startJobRunner(options: raceRunnerOptions)
                defer { runner.stop() }
                while try (checkpointProgress(database, job: name)?.recordsIn ?? 0) < Int64(count) { usleep(5_000) }
                elapsed[0] = seconds(from: start, to: monotonicNs())
            } catch {
                failure[0] = "\(error)"
            }
        }
        if let message = failure[0] { throw BenchError("scoring job: \(message)") }
        try execute(database, "DROP JOB \(name);")
        let rate = Double(count) / elapsed[0]
        best[withPage] = max(best[withPage] ?? 0, rate)
        let (requests, ns) = served[1]
        let polls = max(1, (requests - 1) / 5)
        table.printRow([withPage ? "a job page, 2 s polls" : "none", groupedRate(rate), fixed(elapsed[0], 2) + " s",
                        withPage ? grouped(requests) : "-", withPage ? fixed(Double(ns) / 1e6 / Double(polls), 1) : "-"])
    }
    let alone = best[false]!, watched = best[true]!
    printLine("  an open dashboard page costs the job \(fixed((1 - watched / alone) * 100, 1)) % of its throughput (best of two each; budget ≤ 2 %)")
}

/// What a browser with /jobs/NAME open asks for: the page, then every 2 s its
/// live regions. Returns the requests served and their server time.
private func openJobPage(_ dashboard: Dashboard, job: String, until stop: StopFlag) -> (requests: Int, ns: UInt64) {
    var requests = 0, ns: UInt64 = 0
    func get(_ target: String) {
        let start = monotonicNs()
        _ = dashboard.respond(to: DashboardRequest(method: "GET", target: target), canWrite: true)
        ns += monotonicNs() - start
        requests += 1
    }
    get("/jobs/\(job)")
    while !stop.isSet {
        for _ in 0..<20 where !stop.isSet { usleep(100_000) }
        guard !stop.isSet else { break }
        for target in ["/api/alarms", "/api/jobs", "/api/jobs/\(job)/metrics?range=1h&svg=1",
                       "/api/jobs/\(job)/scores?range=1h&svg=1", "/api/alerts?job=\(job)&limit=50"] { get(target) }
    }
    return (requests, ns)
}

/// Set once by one thread, read by another.
private final class StopFlag: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var value = false
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func set() { pthread_mutex_lock(&mutex); value = true; pthread_mutex_unlock(&mutex) }
    var isSet: Bool { pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }; return value }
}

/// Append acknowledged → alert committed, at 10,000 events/s; one event in 100 raises an alert.
private func runAlertLatency(in directory: String, scale: Scale) throws {
    let database = try openBenchDatabase(directory)
    try execute(database, """
        CREATE STREAM payments (userId STRING, amount DOUBLE, seq BIGINT) WITH (key = 'userId');
        CREATE JOB big_payments WITH (alerts = true) AS SELECT userId, amount, seq FROM payments WHERE amount >= 1000;
        """)
    let runner = database.startJobRunner(options: JobRunnerOptions(scanIntervalMs: 10, pollIntervalMs: 1))
    defer { runner.stop() }
    while runner.runningJobs.isEmpty { usleep(1_000) }
    usleep(200_000)
    let seconds = scale.isQuick ? 2 : 10
    let rate = 10_000, batchEvery = 100  // one append call of 10 events every millisecond
    let alertsExpected = seconds * rate / 100
    var acknowledged = [UInt64](repeating: 0, count: alertsExpected)
    var committed = [UInt64](repeating: 0, count: alertsExpected)
    let stream = try database.stream("payments")
    let start = monotonicNs()
    var sent = 0, alert = 0, seen = 0
    var batch = AppendBatch()
    while sent < seconds * rate {
        // Pace: event n is due at start + n / rate.
        let due = start + UInt64(sent) * 1_000_000_000 / UInt64(rate)
        while monotonicNs() < due { usleep(50) }
        batch.removeAll()
        var alertsInBatch: [Int] = []
        for _ in 0..<(rate / 1000) {
            let isAlert = sent % batchEvery == 0 && alert < alertsExpected
            let payload = #"{"userId":"u\#(sent % 50)","amount":\#(isAlert ? 5000 : 10),"seq":\#(isAlert ? alert : -1)}"#
            try batch.append(key: "u\(sent % 50)", payload: Array(payload.utf8))
            if isAlert { alertsInBatch.append(alert); alert += 1 }
            sent += 1
        }
        _ = try stream.append(batch)
        let ack = monotonicNs()
        for a in alertsInBatch { acknowledged[a] = ack }
        seen = try noteCommittedAlerts(database, since: seen, into: &committed)
    }
    let deadline = monotonicNs() + 5_000_000_000
    while seen < alert && monotonicNs() < deadline {
        seen = try noteCommittedAlerts(database, since: seen, into: &committed)
        usleep(200)
    }
    var latencies = (0..<alert).compactMap { committed[$0] > 0 ? committed[$0] - acknowledged[$0] : nil }
    latencies.sort()
    func p(_ q: Double) -> String { latencies.isEmpty ? "-" : formatNs(latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))]) }
    printSection("Jobs: append acknowledged → alert committed, \(grouped(rate)) events/s for \(seconds) s, 1 in \(batchEvery) raising an alert")
    printLine("  alerts \(grouped(latencies.count)) of \(grouped(alert)) committed;  p50 \(p(0.5))  p90 \(p(0.9))  p99 \(p(0.99))  max \(p(1.0))")
    printLine("  (commit observed by polling the catalog every ~0.2 ms from the producer's thread; that adds up to ~1 ms)")
}

/// Notes the commit time of alerts with seq > `since`; returns the count seen.
private func noteCommittedAlerts(_ database: Database, since: Int, into committed: inout [UInt64]) throws -> Int {
    let rows = try database.catalogQuery(sql: "SELECT json_extract(row_json, '$.seq') FROM alerts WHERE id > \(since) ORDER BY id")
    let now = monotonicNs()
    var seen = since
    for row in rows.rows {
        if case let .integer(seq) = row[row.startIndex], seq >= 0, Int(seq) < committed.count, committed[Int(seq)] == 0 { committed[Int(seq)] = now }
        seen += 1
    }
    return seen
}

private func openBenchDatabase(_ path: String) throws -> Database {
    do { return try Database.open(path) } catch { throw BenchError("\(error)") }
}

private func execute(_ database: Database, _ sql: String) throws {
    final class Quiet: ResultSink {
        func begin(columns: [ResultColumn]) {}
        func row(_ values: [Value]) {}
        func end(_ summary: QuerySummary) {}
        func message(_ text: String) {}
    }
    do { try Session(database: database).execute(script: sql, sink: Quiet()) } catch { throw BenchError("\(error)") }
}

/// Creates job `name` running the reference query over `stream`, waits until
/// its checkpoint covers `count` records, drops it; returns (seconds, checkpoints).
private func runReferenceJob(_ database: Database, name: String, stream: String, count: Int, options: String) throws -> (Double, Int64) {
    try runJob(database, name: name, count: count, statement: """
        CREATE JOB \(name) WITH (\(options)) AS
          SELECT userId, WINDOW_START, COUNT(*) AS n, AVG(amount) AS avg_amount, MAX(amount) AS top, STDDEV(amount) AS sd
          FROM \(stream) SINCE EARLIEST WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY userId;
        """)
}

/// The job runner of a benchmark that times a job through its stream: the
/// product's own scan interval (its first round starts the job at once) and
/// short idle polls, so the end is seen within ~5 ms. (Scanning every 10 ms,
/// as these benchmarks did until session 18, renewed the lease in a write
/// transaction 100 times a second on the cores the job was measured on.)
private let raceRunnerOptions = JobRunnerOptions(pollIntervalMs: 5)

/// The job's last checkpoint's records read and sequence, by one indexed
/// read on the catalog's query connection: a benchmark polls this every 5 ms
/// while it times the job, so it must take next to nothing from the job
/// (`jobCheckpoint` also reads the offsets and the operator state — every
/// open window's aggregates — on the connection the job commits through;
/// `jobStatus` reads every shard's head besides).
private func checkpointProgress(_ database: Database, job: String) throws -> (recordsIn: Int64, sequence: Int64)? {
    let rows = try database.catalogQuery(sql: "SELECT records_in, sequence FROM checkpoints WHERE job = ?1", parameters: [.text(job)]).rows
    guard let row = rows.first.map(Array.init), row.count == 2, case let .integer(recordsIn) = row[0], case let .integer(sequence) = row[1] else { return nil }
    return (recordsIn, sequence)
}

/// Creates job `name` by `statement`, waits until its checkpoint covers
/// `count` records, drops it; returns (seconds, checkpoints).
private func runJob(_ database: Database, name: String, count: Int, statement: String) throws -> (Double, Int64) {
    try execute(database, statement)
    let start = monotonicNs()
    let runner = database.startJobRunner(options: raceRunnerOptions)
    var checkpoints: Int64 = 0
    var polls = 0
    while true {
        if let (recordsIn, sequence) = try checkpointProgress(database, job: name), recordsIn >= Int64(count) {
            checkpoints = sequence
            break
        }
        polls += 1
        if polls % 100 == 0, let job = try database.jobRecord(name), job.state == .failed { throw BenchError("job failed: \(job.lastError ?? "")") }
        usleep(5_000)
    }
    let elapsed = seconds(from: start, to: monotonicNs())
    runner.stop()
    try execute(database, "DROP JOB \(name);")
    return (elapsed, checkpoints)
}

/// A stateless job (a projection into a stream, every record a row): what a
/// row costs from a worker to the output stream, with one worker and two.
private func runStatelessJob(_ database: Database, count: Int) throws {
    let runs = 0..<4  // compareParallelism's
    for run in runs {
        try execute(database, "CREATE STREAM cents_\(run) (userId STRING, cents DOUBLE, timestamp TIMESTAMP) "
            + "WITH (shards = 2, key = 'userId', durability = 'none');")
    }
    _ = try compareParallelism(database, title: "stateless projection INTO a stream", stream: "transactions_etl", count: count) { run, workers in
        let (elapsed, _) = try runJob(database, name: "etl_\(run)", count: count, statement: """
            CREATE JOB etl_\(run) WITH (parallelism = \(workers)) AS
              INSERT INTO cents_\(run) SELECT userId, amount * 100 AS cents, timestamp FROM transactions_etl SINCE EARLIEST;
            """)
        let written = try database.stream("cents_\(run)").shards.reduce(0) { $0 + Int(try $1.describe().nextSequence) }
        if written != count { throw BenchError("etl_\(run) wrote \(written) rows, not \(count)") }
        return elapsed
    }
    for run in runs { try execute(database, "DROP STREAM cents_\(run);") }
}

/// Creates the 2-shard stream `stream` of `count` transactions, runs `job(run,
/// workers)` (it returns the run's seconds) with 1, 2, 1 and 2 workers, and
/// prints the best run of each; returns them as (seconds, cores busy).
private func compareParallelism(_ database: Database, title: String, stream: String, count: Int,
                                job: (_ run: Int, _ workers: Int) throws -> Double) throws -> [Int: (Double, Double)] {
    printSection("Jobs: \(title) (\(grouped(count)) transactions, checkpoints every second, best of 2)")
    let table = Table([
        Table.Column(title: "parallelism", width: 11, leftAligned: true), Table.Column(title: "events/s", width: 12),
        Table.Column(title: "time", width: 8), Table.Column(title: "CPU", width: 6),
    ])
    table.printHeader()
    try execute(database, """
        CREATE STREAM \(stream) (userId STRING, amount DOUBLE, merchantId STRING, transactionId STRING, timestamp TIMESTAMP)
          WITH (shards = 2, key = 'userId', event_time = 'timestamp', durability = 'none');
        """)
    try loadTransactions(database, stream: stream, count: count)
    var best: [Int: (Double, Double)] = [:]
    for (run, workers) in [1, 2, 1, 2].enumerated() {
        let cpuStart = cpuSeconds()
        let elapsed = try job(run, workers)
        let cpu = (cpuSeconds() - cpuStart) / elapsed
        if best[workers].map({ elapsed < $0.0 }) ?? true { best[workers] = (elapsed, cpu) }
    }
    for workers in [1, 2] {
        let (elapsed, cpu) = best[workers]!
        table.printRow(["\(workers)", groupedRate(Double(count) / elapsed), fixed(elapsed, 2) + " s", fixed(cpu, 2)])
    }
    return best
}

private func loadTransactions(_ database: Database, stream name: String = "transactions", count: Int) throws {
    let stream = try database.stream(name)
    var random = SplitMix64(seed: 42)
    var batch = AppendBatch()
    var t: Int64 = 1_732_400_000_000
    for i in 0..<count {
        t += Int64(random.next(below: 7))
        let user = 1 + random.next(below: 500)
        let cents = 50 + random.next(below: 60_000)
        let line = #"{"userId":"user\#(user)","amount":\#(cents / 100).\#(cents % 100 < 10 ? "0" : "")\#(cents % 100),"timestamp":\#(t),"transactionId":"txn_\#(i)","merchantId":"merchant_\#(1 + random.next(below: 50))"}"#
        try batch.append(key: "user\(user)", payload: Array(line.utf8))
        if batch.count == 8192 { _ = try stream.append(batch); batch.removeAll() }
    }
    if !batch.isEmpty { _ = try stream.append(batch) }
}

extension String {
    fileprivate var replacingSpaces: String { String(map { $0 == " " ? "-" : $0 }) }
}
