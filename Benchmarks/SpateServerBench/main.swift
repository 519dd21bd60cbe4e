// spate-server-bench: figures for the Kinesis endpoint over loopback.
//
//   spate-server-bench [--dir DIR] [--quick] [--credentials none|one-key|principals]
//
// Starts the endpoint in this process (as `spate serve` does: batch durability,
// default thread counts) over a fresh data directory under DIR (default
// ./.bench-data; must be a disk), then drives it with plain blocking HTTP/1.1
// clients on their own threads — client and server share the machine's cores,
// as a producer on the same host would:
//
//   1. PutRecords throughput: C keep-alive connections, each sending PutRecords
//      of 500 records (120-byte JSON payloads, 500 distinct partition keys, 4
//      shards) back to back. Prints records/s and MB/s of payload.
//   2. PutRecord latency at a fixed 5,000 requests/s over 16 connections, open
//      loop: latency counts from when a request was due, not when it was sent,
//      so a stall is not hidden (no coordinated omission). Prints p50/p99/p99.9,
//      with batch durability (bounded below by the disk's fsync) and with none
//      (the endpoint's own cost).
//
// --credentials (issue 19, the cost of permission checks): `one-key` gives the
// server one key, admin on every stream (the credentials file as it was: every
// request's SigV4 signature is verified, no grant is looked at); `principals`
// gives it four principals and the clients put as `producer` (write on bulk*
// and single* only), so every request also takes the permission check. The
// clients sign each connection's request once (a signature stays valid for 15
// minutes); the server verifies it on every request. Compare `principals`
// with `one-key` for what the check costs, with `none` for SigV4 and the
// check together.
//
// Benchmarks print figures; nothing here is a test.

import Spate
import SpateJSON
import SpateLog
import SpateServer

#if canImport(Glibc)
import Glibc
#endif

func fail(_ message: String) -> Never {
    var line = "spate-server-bench: " + message + "\n"
    line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    exit(1)
}

var quick = false
var parent = "./.bench-data"
var credentialsMode = "none"
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    switch argument {
    case "--quick": quick = true
    case "--dir":
        if arguments.isEmpty { fail("--dir needs a directory") }
        parent = arguments.removeFirst()
    case "--credentials":
        if arguments.isEmpty { fail("--credentials needs none, one-key or principals") }
        credentialsMode = arguments.removeFirst()
    default: fail("unknown option '\(argument)'\nusage: spate-server-bench [--dir DIR] [--quick] [--credentials none|one-key|principals]")
    }
}

mkdir(parent, 0o755)
let dataDirectory = parent + "/server-bench-\(getpid())"
let database: Database
do { database = try Database.open(dataDirectory) } catch { fail("\(error)") }
/// Who sets up the streams and who puts: nil signs nothing.
let (access, setupSigner, putSigner): (AccessPolicy?, SigV4Signer?, SigV4Signer?)
switch credentialsMode {
case "none": (access, setupSigner, putSigner) = (nil, nil, nil)
case "one-key":
    let key = Credentials(accessKeyID: "AKIDBENCH", secretAccessKey: "bench/Secret+1")
    (access, setupSigner, putSigner) = (.single(key), SigV4Signer(credentials: key), SigV4Signer(credentials: key))
case "principals":
    let policy: AccessPolicy
    do {
        policy = try AccessPolicy.parse("""
            [ops]
            aws_access_key_id = AKIDOPS
            aws_secret_access_key = ops/Secret+1
            allow = admin on *
            [dashboard]
            aws_access_key_id = AKIDDASHBOARD
            aws_secret_access_key = dashboard/Secret+1
            allow = read on *
            [consumer]
            aws_access_key_id = AKIDCONSUMER
            aws_secret_access_key = consumer/Secret+1
            allow = read on bulk*, read on single*
            [producer]
            aws_access_key_id = AKIDPRODUCER
            aws_secret_access_key = producer/Secret+1
            allow = write on transactions*, write on bulk*, write on single*
            """, path: "bench credentials")
    } catch { fail("\(error)") }
    func signer(_ name: String) -> SigV4Signer { SigV4Signer(credentials: policy.principals.first { $0.name == name }!.credentials) }
    (access, setupSigner, putSigner) = (policy, signer("ops"), signer("producer"))
default: fail("--credentials \(credentialsMode): expected none, one-key or principals")
}
var configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
configuration.access = access
let server: SpateHTTPServer
do { server = try SpateHTTPServer.start(configuration, database: database) } catch { fail("\(error)") }
print("spate-server-bench: endpoint on \(server.address), data in \(dataDirectory), \(sysconf(Int32(_SC_NPROCESSORS_ONLN))) cores, credentials: \(credentialsMode)")

/// A blocking HTTP/1.1 connection to the endpoint.
final class Connection {
    let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)

    init(port: Int) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 { fail("connect: \(errno)") }
    }

    deinit { close(fd) }

    /// Sends a prepared request and reads the response; returns its status.
    func roundTrip(_ request: [UInt8]) -> Int {
        var sent = 0
        while sent < request.count {
            let n = request[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { fail("write: \(errno)") }
            sent += n
        }
        var filled = 0
        var headerEnd = -1
        var total = Int.max
        while filled < total {
            if filled == buffer.count { buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count)) }
            let n = buffer[filled...].withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { fail("read: \(errno)") }
            filled += n
            if headerEnd < 0, let end = Self.find(buffer, filled) {
                headerEnd = end
                let head = String(decoding: buffer[0..<end], as: UTF8.self).lowercased()
                guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                      let length = Int(line.dropFirst("content-length:".count).trimmingPrefix(" ")) else { fail("no content-length") }
                total = end + 4 + length
            }
        }
        return Int(String(decoding: buffer[9..<12], as: UTF8.self)) ?? 0
    }

    static func find(_ b: [UInt8], _ count: Int) -> Int? {
        guard count >= 4 else { return nil }
        for i in 0...(count - 4) where b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 { return i }
        return nil
    }
}

/// A complete request, signed by `signer` when given.
func request(_ operation: String, _ body: String, signedBy signer: SigV4Signer? = nil) -> [UInt8] {
    let bytes = Array(body.utf8)
    var headers = [RequestHeader(name: "Host", value: "127.0.0.1"), RequestHeader(name: "X-Amz-Target", value: "Kinesis_20131202.\(operation)"),
                   RequestHeader(name: "Content-Type", value: "application/x-amz-json-1.1")]
    if let signer { headers += signer.headers(method: "POST", uri: "/", headers: headers, body: bytes, nowMs: wallClockMs()) }
    let head = headers.map { "\($0.name): \($0.value)\r\n" }.joined()
    return Array("POST / HTTP/1.1\r\n\(head)Content-Length: \(bytes.count)\r\n\r\n".utf8) + bytes
}

func nowNs() -> UInt64 { monotonicNs() }

final class ThreadBody { let run: () -> Void; init(_ run: @escaping () -> Void) { self.run = run } }
func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    var threads: [pthread_t] = []
    for index in 0..<count {
        let context = Unmanaged.passRetained(ThreadBody { body(index) }).toOpaque()
        var thread = pthread_t()
        pthread_create(&thread, nil, { raw in Unmanaged<ThreadBody>.fromOpaque(raw!).takeRetainedValue().run(); return nil }, context)
        threads.append(thread)
    }
    for thread in threads { pthread_join(thread, nil) }
}

let setup = Connection(port: server.port)
for name in ["bulk", "single"] {
    let status = setup.roundTrip(request("CreateStream", #"{"StreamName":"\#(name)","ShardCount":4}"#, signedBy: setupSigner))
    if status != 200 { fail("CreateStream \(name) answered \(status)") }
}

// 1. PutRecords throughput.
func payload(_ i: Int) -> String {
    // 120 bytes of JSON, like a transaction.
    let text = #"{"userId":"user_\#(i % 1000)","amount":\#(i % 997).25,"timestamp":1700000000000,"transactionId":"txn_\#(String(i, radix: 16))","merchantId":"m_7"}"#
    return text.count >= 120 ? String(text.prefix(120)) : text + String(repeating: " ", count: 120 - text.count)
}
/// Connection `connection`'s PutRecords of 500 records to `bulk`, signed by `signer` (by default the producer's).
func putRecordsBody(_ connection: Int, signedBy signer: SigV4Signer? = putSigner) -> [UInt8] {
    let entries = (0..<500).map { i in
        let data = Array(payload(connection * 500 + i).utf8)
        var encoded: [UInt8] = []
        data.withUnsafeBytes { Base64.encode($0, into: &encoded) }
        return "{\"PartitionKey\":\"user_\(connection * 500 + i)\",\"Data\":\"\(String(decoding: encoded, as: UTF8.self))\"}"
    }
    return request("PutRecords", "{\"StreamName\":\"bulk\",\"Records\":[\(entries.joined(separator: ","))]}", signedBy: signer)
}

let seconds: Double = quick ? 2 : 8
print("\nPutRecords, 500 records of 120 B per request, batch durability, 4 shards, \(Int(seconds)) s per row")
print("connections  records/s   payload MB/s  requests/s")
for connections in [1, 4, 8, 16] {
    let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: connections)
    counts.initialize(repeating: 0)
    let bodies = (0..<connections).map { putRecordsBody($0) }
    let start = nowNs()
    let deadline = start + UInt64(seconds * 1e9)
    nonisolated(unsafe) let shared = counts
    runOnThreads(connections) { index in
        let connection = Connection(port: server.port)
        let body = bodies[index]
        while nowNs() < deadline {
            if connection.roundTrip(body) != 200 { fail("PutRecords failed") }
            shared[index] += 1
        }
    }
    let elapsed = Double(nowNs() - start) / 1e9
    let requests = counts.reduce(0, +)
    let records = Double(requests * 500) / elapsed
    print(String(repeating: " ", count: 11 - String(connections).count) + "\(connections)  "
          + "\(Int(records))".leftPadded(9) + "   " + String(format1(records * 120 / 1e6)).leftPadded(12) + "  " + "\(Int(Double(requests) / elapsed))".leftPadded(10))
    counts.deallocate()
}

func format1(_ x: Double) -> String { String(Double(Int(x * 10)) / 10) }

// With principals, the same connections rotate through short slices of
// requests signed by `ops` (admin on *: the check is skipped) and by
// `producer` (write on bulk*: the check is taken), and of unsigned requests
// to a second server without credentials over the same database, so that
// whatever else the machine does falls on all three alike: the check's cost,
// and the credentials' (SigV4 and the check), on PutRecords throughput.
if credentialsMode == "principals", let setupSigner {
    let plainServer: SpateHTTPServer
    do { plainServer = try SpateHTTPServer.start(ServerConfiguration(host: "127.0.0.1", port: 0), database: database) } catch { fail("\(error)") }
    let connections = 8
    let rounds = quick ? 4 : 15
    let sliceSeconds = 1.0
    struct Variant { var name: String; var port: Int; var bodies: [[UInt8]] }
    let variants = [
        Variant(name: "unsigned (no credentials)", port: plainServer.port, bodies: (0..<connections).map { putRecordsBody($0, signedBy: nil) }),
        Variant(name: "signed by ops (admin on *: no check)", port: server.port, bodies: (0..<connections).map { putRecordsBody($0, signedBy: setupSigner) }),
        Variant(name: "signed by producer (checked)", port: server.port, bodies: (0..<connections).map { putRecordsBody($0) }),
    ]
    print("\nPutRecords A/B/C, \(connections) connections, \(rounds) rounds of one \(Int(sliceSeconds)) s slice each:")
    var rates = [[Double]](repeating: [], count: variants.count)
    for _ in 0..<rounds {
        for (index, variant) in variants.enumerated() {
            let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: connections)
            counts.initialize(repeating: 0)
            nonisolated(unsafe) let shared = counts
            let start = nowNs()
            let deadline = start + UInt64(sliceSeconds * 1e9)
            runOnThreads(connections) { connection in
                let socket = Connection(port: variant.port)
                while nowNs() < deadline {
                    if socket.roundTrip(variant.bodies[connection]) != 200 { fail("PutRecords (\(variant.name)) failed") }
                    shared[connection] += 1
                }
            }
            rates[index].append(Double(counts.reduce(0, +) * 500) / (Double(nowNs() - start) / 1e9))
            counts.deallocate()
        }
    }
    func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
    /// The median over rounds of variant a against variant b, in percent, with the range.
    func compare(_ a: Int, _ b: Int) -> String {
        let ratios = zip(rates[a], rates[b]).map { $0 / $1 }.sorted()
        return "median \(format1((ratios[ratios.count / 2] - 1) * 100)) % (rounds from \(format1((ratios.first! - 1) * 100)) to \(format1((ratios.last! - 1) * 100)) %)"
    }
    for (index, variant) in variants.enumerated() { print("  \(variant.name): \(Int(mean(rates[index]))) records/s") }
    print("  checked against no check: \(compare(2, 1)); checked against unsigned: \(compare(2, 0))")
    plainServer.shutdown()
}

// The same, without HTTP or SigV4 and without other processes' noise: the
// CPU time this thread spends in KinesisService.handle for one PutRecords of
// 500 records (durability none: no fsync wait), alternating blocks of calls
// as `ops` (no check) and as `producer` (checked). With the HTTP and SigV4
// work left out the check's share can only look bigger than it is.
if credentialsMode == "principals", let policy = access {
    let service = KinesisService(database: database)
    do {
        _ = try database.createStream("bulk-cpu", settings: StreamSettings(shardCount: 4, durability: Durability.none))
    } catch { fail("\(error)") }
    func threadCPUNs() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
    let entries = (0..<500).map { i in "{\"PartitionKey\":\"user_\(i)\",\"Data\":\"\(Base64.encode(Array(payload(i).utf8)))\"}" }
    let body = Array("{\"StreamName\":\"bulk-cpu\",\"Records\":[\(entries.joined(separator: ","))]}".utf8)
    let callers = [policy.principals.first { $0.name == "ops" }!, policy.principals.first { $0.name == "producer" }!]
    let blocks = quick ? 10 : 40, callsPerBlock = 50
    var perCall = [[Double]](repeating: [], count: 2)
    for block in 0..<(2 * blocks) {
        let caller = callers[block % 2]
        let start = threadCPUNs()
        for _ in 0..<callsPerBlock where service.handle(operation: "PutRecords", body: body, caller: caller).status != 200 { fail("PutRecords failed") }
        perCall[block % 2].append(Double(threadCPUNs() - start) / Double(callsPerBlock))
    }
    let medians = perCall.map { $0.sorted()[$0.count / 2] }
    print("\nKinesisService.handle, PutRecords of 500 records, CPU time of the calling thread, median of \(blocks) blocks of \(callsPerBlock) calls:"
          + " ops (no check) \(format1(medians[0] / 1000)) µs, producer (checked) \(format1(medians[1] / 1000)) µs: \(format1((medians[1] / medians[0] - 1) * 100)) %")
    _ = try? database.deleteStream("bulk-cpu")
}

// The permission check alone, as a PutRecords to `bulk` by `producer` takes it:
// the decision kept for (principal, stream), and, for comparison, matching the
// principal's compiled patterns each time (what a first request on a stream does).
if let producer = access?.principals.first(where: { $0.name == "producer" }) {
    let checks = 10_000_000
    var allowed = 0
    let stream = "bulk"
    var start = nowNs()
    for _ in 0..<checks where producer.allows(.write, on: stream) { allowed += 1 }
    let cachedNs = Double(nowNs() - start) / Double(checks)
    start = nowNs()
    for _ in 0..<checks where producer.grants.contains(where: { $0.access.contains(.write) && $0.pattern.matches(stream) }) { allowed += 1 }
    let matchedNs = Double(nowNs() - start) / Double(checks)
    if allowed != 2 * checks { fail("the producer may not write bulk") }
    print("\npermission check (producer, write on bulk, 3 grants): \(format1(cachedNs)) ns with the kept decision, \(format1(matchedNs)) ns matching the patterns; per PutRecords of 500 records")
}
extension String { func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self } }

// 2. PutRecord latency at a fixed rate: with the stream's batch durability (each
// request waits for the fsync that covers it), then with durability none (what
// the endpoint itself adds).
let rate = 5_000.0
let latencyConnections = 16
let latencySeconds: Double = quick ? 3 : 10

func measureLatency(durability: Durability) {
    do { _ = try database.alterStream("single") { $0.durability = durability } } catch { fail("\(error)") }
    print("\nPutRecord latency at \(Int(rate)) requests/s, durability \(durability.rawValue) (open loop, \(latencyConnections) connections, \(Int(latencySeconds)) s, 1 record of 120 B)")
    let perConnection = Int(rate * latencySeconds) / latencyConnections
    let samples = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: perConnection * latencyConnections)
    defer { samples.deallocate() }
    nonisolated(unsafe) let sampleBuffer = samples
    let begin = nowNs() + 100_000_000
    let intervalNs = UInt64(1e9 / rate * Double(latencyConnections))
    runOnThreads(latencyConnections) { index in
        let connection = Connection(port: server.port)
        let body = request("PutRecord", "{\"StreamName\":\"single\",\"PartitionKey\":\"user_\(index)\",\"Data\":\"\(Base64.encode(Array(payload(index).utf8)))\"}",
                           signedBy: putSigner)
        // Stagger the connections across one interval.
        var due = begin + UInt64(index) * intervalNs / UInt64(latencyConnections)
        for i in 0..<perConnection {
            let now = nowNs()
            if due > now {
                var pause = timespec(tv_sec: Int((due - now) / 1_000_000_000), tv_nsec: Int((due - now) % 1_000_000_000))
                nanosleep(&pause, nil)
            }
            if connection.roundTrip(body) != 200 { fail("PutRecord failed") }
            sampleBuffer[index * perConnection + i] = nowNs() - due
            due += intervalNs
        }
    }
    let achieved = Double(perConnection * latencyConnections) / (Double(nowNs() - begin) / 1e9)
    let sorted = samples.sorted()
    func percentile(_ p: Double) -> String {
        let ns = sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        return String(Double(Int(Double(ns) / 1000)) / 1000) + " ms"
    }
    print("achieved \(Int(achieved)) requests/s; p50 \(percentile(0.5)), p90 \(percentile(0.9)), p99 \(percentile(0.99)), p99.9 \(percentile(0.999)), max \(percentile(1.0))")
}
measureLatency(durability: .batch)
measureLatency(durability: .none)

server.shutdown()
_ = try? database.deleteStream("bulk")
_ = try? database.deleteStream("single")
rmdir(dataDirectory + "/streams")
rmdir(dataDirectory)
