// Test support: a server on 127.0.0.1 (ephemeral port) over a temporary data
// directory with a clock the test can move, and a minimal blocking HTTP/1.1
// client over a POSIX socket, so the tests see exactly the bytes on the wire.

import Foundation
@testable import Spate
import SpateLog
@testable import SpateServer
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

final class TemporaryDirectory {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "spate-server-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A clock tests move by hand (starts at the wall clock).
final class TestClock: Sendable {
    private let offsetMs = Atomic<Int64>(0)
    func advance(ms: Int64) { offsetMs.add(ms, ordering: .relaxed) }
    var now: @Sendable () -> Int64 { { [self] in wallClockMs() + offsetMs.load(ordering: .relaxed) } }
}

/// A running server over a fresh data directory.
final class TestServer {
    let directory = TemporaryDirectory()
    let clock = TestClock()
    let database: Database
    let server: SpateHTTPServer
    /// The database's log, for tests that look under the facade.
    var log: LogStore { database.log }

    init(credentials: Credentials? = nil, bodyBytesMax: Int = 10 << 20, configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        database = try Database.open(directory.path + "/data", options: LogOptions(now: clock.now))
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, credentials: credentials, workerThreads: 4, eventLoopThreads: 1)
        configuration.requestBodyBytesMax = bodyBytesMax
        configure(&configuration)
        server = try SpateHTTPServer.start(configuration, database: database)
    }

    deinit { server.shutdown() }

    func client() throws -> HTTPClient { try HTTPClient(port: server.port) }

    /// One Kinesis call on a new connection.
    func call(_ operation: String, _ body: String) throws -> HTTPResult {
        try client().kinesis(operation, body)
    }
}

struct HTTPResult {
    var status: Int
    var headers: [String: String]
    var body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
    /// The Kinesis error `__type`, if any.
    var errorType: String? { json["__type"] as? String }
}

struct HTTPError: Error, CustomStringConvertible { var description: String }

/// A blocking HTTP/1.1 client on one keep-alive connection.
final class HTTPClient {
    let fd: Int32
    private var pending: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPError(description: "socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { close(fd); throw HTTPError(description: "connect failed: \(errno)") }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw HTTPError(description: "write failed: \(errno)") }
            sent += n
        }
    }

    func request(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = []) throws -> HTTPResult {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        try send(Array(text.utf8) + body)
        return try readResponse()
    }

    func kinesis(_ operation: String, _ body: String, headers: [(String, String)] = []) throws -> HTTPResult {
        try request("POST", "/", headers: [("X-Amz-Target", "Kinesis_20131202.\(operation)"),
                                            ("Content-Type", "application/x-amz-json-1.1")] + headers, body: Array(body.utf8))
    }

    /// Reads one response; nil-equivalent error when the server closed first.
    func readResponse() throws -> HTTPResult {
        while true {
            if let end = headerEnd() {
                let head = String(decoding: pending[0..<end], as: UTF8.self)
                let lines = head.components(separatedBy: "\r\n")
                let status = Int(lines[0].split(separator: " ")[1]) ?? 0
                var headers: [String: String] = [:]
                for line in lines.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                let length = Int(headers["content-length"] ?? "0") ?? 0
                while pending.count < end + 4 + length { try fill() }
                let body = Array(pending[(end + 4)..<(end + 4 + length)])
                pending.removeSubrange(0..<(end + 4 + length))
                return HTTPResult(status: status, headers: headers, body: body)
            }
            try fill()
        }
    }

    /// Whether the server closed the connection (reads end of file).
    func isClosedByServer() -> Bool {
        var byte: UInt8 = 0
        return read(fd, &byte, 1) == 0
    }

    private func headerEnd() -> Int? {
        guard pending.count >= 4 else { return nil }
        for i in 0...(pending.count - 4) where pending[i] == 13 && pending[i + 1] == 10 && pending[i + 2] == 13 && pending[i + 3] == 10 {
            return i
        }
        return nil
    }

    private func fill() throws {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = read(fd, &buffer, buffer.count)
        guard n > 0 else { throw HTTPError(description: "connection closed (read \(n), errno \(errno))") }
        pending.append(contentsOf: buffer[0..<n])
    }
}

func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
