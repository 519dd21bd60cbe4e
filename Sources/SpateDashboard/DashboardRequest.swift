// A request as the dashboard sees it, and its answer: independent of the HTTP
// server (SpateServer knows nothing of Spate; the `spate` command adapts one to
// the other). The target is split into a path and percent-decoded query
// parameters here, once.

/// A GET or POST to the dashboard.
public struct DashboardRequest: Sendable {
    public var method: String
    public var path: String
    public var parameters: [String: String]
    /// Header names lowercased.
    public var headers: [String: String]

    /// `target` is the request URI: `/api/alerts?job=fraud&state=open`.
    public init(method: String, target: String, headers: [(name: String, value: String)] = []) {
        self.method = method
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = Self.percentDecoded(String(parts.first ?? "/"), plusIsSpace: false)
        var parameters: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = Self.percentDecoded(String(keyValue[0]), plusIsSpace: true)
                parameters[name] = keyValue.count > 1 ? Self.percentDecoded(String(keyValue[1]), plusIsSpace: true) : ""
            }
        }
        self.parameters = parameters
        var lowered: [String: String] = [:]
        for header in headers { lowered[header.name.lowercased()] = header.value }
        self.headers = lowered
    }

    /// A parameter, nil when absent or empty (an empty form field filters nothing).
    public func parameter(_ name: String) -> String? {
        guard let value = parameters[name], !value.isEmpty else { return nil }
        return value
    }

    static func percentDecoded(_ text: String, plusIsSpace: Bool) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The dashboard's answer.
public struct DashboardResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]

    static func json(_ text: String, status: Int = 200) -> DashboardResponse {
        DashboardResponse(status: status, contentType: "application/json; charset=utf-8", body: Array(text.utf8))
    }

    static func html(_ text: String, status: Int = 200) -> DashboardResponse {
        DashboardResponse(status: status, contentType: "text/html; charset=utf-8", body: Array(text.utf8))
    }

    static func error(_ message: String, status: Int) -> DashboardResponse {
        var object = JSONObject()
        object.string("error", message)
        return json(object.json, status: status)
    }
}
