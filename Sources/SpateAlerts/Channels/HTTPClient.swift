// A minimal HTTP/1.1 client for webhooks: one POST per connection
// (`Connection: close`), plain http:// only, over POSIX sockets with one
// deadline for connect, send and the status line. Only the status code is
// read: 2xx is success. Why not AsyncHTTPClient or URLSession: the first is a
// large dependency for one POST, and FoundationNetworking drags libcurl in;
// neither gives a hard deadline as simply. https:// is refused at CREATE
// CHANNEL (use an EXEC channel with curl, or a local TLS relay).
//
// Limits: URL ≤ 2048 bytes, headers from the channel ≤ 32, response status
// line ≤ 8 KiB read. Never raises SIGPIPE (MSG_NOSIGNAL).

#if canImport(Glibc)
import Glibc
#endif

/// A parsed http:// URL.
public struct HTTPURL: Sendable, Equatable {
    public var host: String
    public var port: UInt16
    /// Path and query, starting with "/".
    public var path: String

    public init(host: String, port: UInt16, path: String) {
        self.host = host
        self.port = port
        self.path = path
    }

    /// Parses `http://host[:port][/path]`; nil for anything else (https, userinfo, …).
    public static func parse(_ text: String) -> HTTPURL? {
        guard text.utf8.count <= 2048, text.lowercased().hasPrefix("http://") else { return nil }
        let rest = text.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        var path = String(rest.dropFirst(authority.count))
        if path.isEmpty || path.first == "?" { path = "/" + path }
        guard !authority.isEmpty, !authority.contains("@"), !path.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) else { return nil }
        var host = String(authority)
        var port: UInt16 = 80
        if host.hasPrefix("[") {  // [::1]:8080
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") { guard let p = UInt16(after.dropFirst()) else { return nil }; port = p } else if !after.isEmpty { return nil }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            guard let p = UInt16(host[host.index(after: colon)...]) else { return nil }
            port = p
            host = String(host[..<colon])
        }
        guard !host.isEmpty, port > 0 else { return nil }
        return HTTPURL(host: host, port: port, path: path)
    }

    var hostHeader: String { (host.contains(":") ? "[\(host)]" : host) + (port == 80 ? "" : ":\(port)") }
}

enum HTTPClient {
    /// POSTs `body` and returns the response status, or an error message.
    static func post(_ url: HTTPURL, headers: [(String, String)], body: [UInt8], timeoutMs: Int64) -> Result<Int, DeliveryError> {
        let deadline = Clock.monotonicMs() + timeoutMs
        let fd: Int32
        switch connect(url, deadline: deadline) {
        case let .success(socket): fd = socket
        case let .failure(error): return .failure(error)
        }
        defer { close(fd) }
        var request = "POST \(url.path) HTTP/1.1\r\nHost: \(url.hostHeader)\r\nContent-Type: application/json\r\n"
        request += "Content-Length: \(body.count)\r\nConnection: close\r\nUser-Agent: spate\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8) + body
        var sent = 0
        while sent < bytes.count {
            guard wait(fd, for: Int16(POLLOUT), until: deadline) else { return .failure(.timeout("sending the request")) }
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                return .failure(.failed("sending the request: \(String(cString: strerror(errno)))"))
            }
            sent += n
        }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !response.contains(UInt8(ascii: "\n")) {
            guard response.count < 8192 else { return .failure(.failed("the response's status line is too long")) }
            guard wait(fd, for: Int16(POLLIN), until: deadline) else { return .failure(.timeout("waiting for the response")) }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                return .failure(.failed("reading the response: \(String(cString: strerror(errno)))"))
            }
            if n == 0 { return .failure(.failed("the server closed the connection without a response")) }
            response += chunk[0..<n]
        }
        let line = String(decoding: response.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let parts = line.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            return .failure(.failed("not an HTTP response: \(line.prefix(80))"))
        }
        return .success(status)
    }

    private static func connect(_ url: HTTPURL, deadline: Int64) -> Result<Int32, DeliveryError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(url.host, String(url.port), &hints, &list)
        guard status == 0, let first = list else {
            return .failure(.failed("cannot resolve \(url.host): \(String(cString: gai_strerror(status)))"))
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            entry = address.pointee.ai_next
            let fd = socket(address.pointee.ai_family, address.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            if fd < 0 { lastError = String(cString: strerror(errno)); continue }
            if Glibc.connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 { return .success(fd) }
            guard errno == EINPROGRESS else { lastError = String(cString: strerror(errno)); close(fd); continue }
            guard wait(fd, for: Int16(POLLOUT), until: deadline) else { close(fd); return .failure(.timeout("connecting to \(url.hostHeader)")) }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error == 0 { return .success(fd) }
            lastError = String(cString: strerror(error))
            close(fd)
        }
        return .failure(.failed("cannot connect to \(url.hostHeader): \(lastError)"))
    }

    /// Waits until `fd` is ready for `events` or the deadline passes.
    static func wait(_ fd: Int32, for events: Int16, until deadline: Int64) -> Bool {
        while true {
            let left = deadline - Clock.monotonicMs()
            if left <= 0 { return false }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let n = poll(&entry, 1, Int32(min(left, 1_000)))
            if n > 0 { return true }
            if n < 0 && errno != EINTR { return true }  // let the next call report the error
        }
    }
}
