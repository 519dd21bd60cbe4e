// The URL of a WEBHOOK channel, checked when the channel is created:
// `https://host[:port][/path]` or `http://host[:port][/path]`, at most 2,048
// bytes, no user info, no spaces or line breaks (nothing a header could be
// smuggled through). Sending is WebhookSender's.

/// A parsed http:// or https:// URL.
public struct HTTPURL: Sendable, Equatable {
    public var isHTTPS: Bool
    public var host: String
    public var port: UInt16
    /// Path and query, starting with "/".
    public var path: String

    public init(isHTTPS: Bool = false, host: String, port: UInt16, path: String) {
        self.isHTTPS = isHTTPS
        self.host = host
        self.port = port
        self.path = path
    }

    /// Longest URL accepted.
    public static let bytesMax = 2048

    /// Parses `http(s)://host[:port][/path]`; nil for anything else (another scheme, userinfo, …).
    public static func parse(_ text: String) -> HTTPURL? {
        guard text.utf8.count <= bytesMax else { return nil }
        let lowered = text.lowercased()
        let isHTTPS = lowered.hasPrefix("https://")
        guard isHTTPS || lowered.hasPrefix("http://") else { return nil }
        let rest = text.dropFirst(isHTTPS ? "https://".count : "http://".count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        var path = String(rest.dropFirst(authority.count))
        if path.isEmpty || path.first == "?" { path = "/" + path }
        guard !authority.isEmpty, !authority.contains("@"), !path.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" }) else { return nil }
        var host = String(authority)
        var port: UInt16 = isHTTPS ? 443 : 80
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
        return HTTPURL(isHTTPS: isHTTPS, host: host, port: port, path: path)
    }
}
