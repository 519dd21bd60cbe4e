// `spate serve` does not let clients hold connections for free (issue 14): a
// connection idle between requests is closed after the idle timeout, a request
// whose headers or body trickle in slower than the request timeout gets a 408
// and a close (slow loris), and connections beyond the limit get a 503 that
// says why. Over loopback, with timeouts of a fraction of a second; what is
// checked is what a client sees, with generous margins rather than exact times.

import Foundation
import SpateServer
import Testing

@Suite struct ConnectionLimitTests {
    /// Reads until the server closes the connection or `seconds` pass; the bytes read.
    func readUntilClosed(_ client: HTTPClient, seconds: Int) -> (bytes: [UInt8], closed: Bool) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(client.fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(client.fd, $0.baseAddress, $0.count) }
            if n == 0 { return (bytes, true) }
            if n < 0 { return (bytes, errno == ECONNRESET) }
            bytes += chunk[0..<n]
        }
    }

    @Test func anIdleConnectionIsClosedAfterTheIdleTimeoutAndABusyOneIsNot() throws {
        let server = try TestServer { $0.idleTimeoutMs = 500 }
        let client = try server.client()
        // Requests closer together than the timeout keep it open.
        for _ in 0..<4 {
            #expect(try client.request("GET", "/healthz").status == 200)
            usleep(200_000)
        }
        let start = Date()
        let (bytes, closed) = readUntilClosed(client, seconds: 10)
        #expect(closed && bytes.isEmpty)
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func aRequestThatTricklesInGets408AndItsConnectionClosed() throws {
        let server = try TestServer { $0.requestTimeoutMs = 700; $0.idleTimeoutMs = 60_000 }
        // Headers a byte at a time, each byte well inside any idle timeout.
        let slowHeaders = try server.client()
        let start = Date()
        for byte in Array("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\n".utf8) {
            guard (try? slowHeaders.send([byte])) != nil else { break }
            usleep(30_000)
            if Date().timeIntervalSince(start) > 3 { break }
        }
        let (bytes, closed) = readUntilClosed(slowHeaders, seconds: 10)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(closed)
        #expect(text.hasPrefix("HTTP/1.1 408"), "\(text)")
        #expect(text.contains("--request-timeout"))
        #expect(Date().timeIntervalSince(start) < 5)

        // A body that never finishes: the same.
        let slowBody = try server.client()
        try slowBody.send(Array("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: Kinesis_20131202.ListStreams\r\nContent-Length: 100\r\n\r\n{".utf8))
        let body = readUntilClosed(slowBody, seconds: 10)
        #expect(body.closed)
        #expect(String(decoding: body.bytes, as: UTF8.self).hasPrefix("HTTP/1.1 408"))

        // A request that arrives in time is answered, and its connection then lives on.
        let prompt = try server.client()
        #expect(try prompt.kinesis("ListStreams", "{}").status == 200)
        usleep(1_000_000)
        #expect(try prompt.kinesis("ListStreams", "{}").status == 200, "time between requests is not request time")
    }

    @Test func connectionsBeyondTheLimitGet503() throws {
        let server = try TestServer { $0.connectionsMax = 3 }
        let held = try (0..<3).map { _ in try server.client() }
        for client in held { #expect(try client.request("GET", "/healthz").status == 200) }
        let extra = try server.client()
        let answer = try extra.readResponse()
        #expect(answer.status == 503)
        #expect(answer.errorType == "LimitExceededException")
        #expect(answer.text.contains("3 connections open") && answer.text.contains("--max-connections"), "\(answer.text)")
        // A connection closed makes room again.
        _ = held
        var room: HTTPClient? = nil
        do {
            let first = held[0]
            shutdown(first.fd, Int32(SHUT_RDWR))
        }
        #expect(try eventuallyTrue {
            room = try server.client()
            guard let result = try? room!.request("GET", "/healthz") else { return false }
            return result.status == 200
        })
    }

    func eventuallyTrue(_ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if try condition() { return true }
            usleep(50_000)
        }
        return false
    }
}
