// A real HTTP/1.1 listener on 127.0.0.1 for the webhook tests: accepts
// connections on its own thread, reads each request (headers and
// Content-Length body), records it, and answers as `respond` says — a status,
// after a delay (to provoke client timeouts). Bounded: it serves at most
// `requestsMax` requests and stops when the test ends (deinit).

import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

struct ReceivedRequest: Sendable {
    var requestLine: String
    var headers: [String: String]
    var body: String

    var idempotencyKey: String? { headers["idempotency-key"] }
}

final class HTTPListener: @unchecked Sendable {
    let port: UInt16
    private let fd: Int32
    private let received = Mutex<[ReceivedRequest]>([])
    private let stopped = Atomic<Bool>(false)
    private let respond: @Sendable (Int) -> (status: Int, delayMs: Int)
    static let requestsMax = 1_000

    /// Listens on `port` (0: any free port).
    init(port: UInt16 = 0, respond: @escaping @Sendable (Int) -> (status: Int, delayMs: Int) = { _ in (200, 0) }) throws {
        self.respond = respond
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 64) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        self.port = UInt16(bigEndian: address.sin_port)
        self.fd = fd
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    deinit { stop() }

    var url: String { "http://127.0.0.1:\(port)/hook" }
    var requests: [ReceivedRequest] { received.withLock { $0 } }

    func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    /// Waits up to `seconds` for at least `count` requests.
    func waitFor(_ count: Int, seconds: Double = 20) -> [ReceivedRequest] {
        let deadline = Date().addingTimeInterval(seconds)
        while requests.count < count && Date() < deadline { usleep(10_000) }
        return requests
    }

    private func serve() {
        var served = 0
        while !stopped.load(ordering: .relaxed) && served < Self.requestsMax {
            let client = accept(fd, nil, nil)
            if client < 0 { if stopped.load(ordering: .relaxed) { return }; continue }
            let index = served
            served += 1
            Thread { [self] in handle(client, index: index) }.start()
        }
    }

    private func handle(_ client: Int32, index: Int) {
        defer { close(client) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        var headerEnd: Int?
        var contentLength = 0
        while true {
            if let end = headerEnd, data.count >= end + contentLength { break }
            let n = recv(client, &chunk, chunk.count, 0)
            if n <= 0 { return }
            data += chunk[0..<n]
            if headerEnd == nil, let range = findHeaderEnd(data) {
                headerEnd = range
                let head = String(decoding: data[0..<range], as: UTF8.self)
                for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    contentLength = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
            }
        }
        let end = headerEnd!
        let lines = String(decoding: data[0..<(end - 4)], as: UTF8.self).components(separatedBy: "\r\n")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let body = String(decoding: data[end..<(end + contentLength)], as: UTF8.self)
        let (status, delayMs) = respond(index)
        if delayMs > 0 { usleep(useconds_t(delayMs) * 1000) }
        received.withLock { $0.append(ReceivedRequest(requestLine: lines.first ?? "", headers: headers, body: body)) }
        let response = "HTTP/1.1 \(status) \(status < 300 ? "OK" : "Error")\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        _ = response.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
    }

    private func findHeaderEnd(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        for i in 0...(data.count - 4) where data[i] == 13 && data[i + 1] == 10 && data[i + 2] == 13 && data[i + 3] == 10 { return i + 4 }
        return nil
    }
}

/// A port nothing listens on now (bound, then closed), for "the receiver is down".
func unusedPort() throws -> UInt16 {
    let listener = try HTTPListener()
    let port = listener.port
    listener.stop()
    return port
}
