import SpateJSON
// HTTP Basic authentication for the dashboard when the server has
// credentials: a browser cannot sign requests with SigV4, so it sends
// `Authorization: Basic base64(access key id ":" secret key)` instead, and is
// the principal holding that key. Only the dashboard accepts it; the Kinesis
// API still needs a signature. The comparison takes the same time wherever the
// first difference is, so the secret cannot be guessed byte by byte from
// response times (the key id is not secret: AWS prints it in errors too).

enum BasicAuthorization {
    /// The principal whose key `headers` carry as Basic credentials, if any.
    static func principal(_ headers: [RequestHeader], _ access: AccessPolicy?) -> Principal? {
        guard let access, let value = SigV4Verifier.header("authorization", in: headers) else { return nil }
        let prefix = "Basic "
        guard value.count > prefix.count, value.prefix(prefix.count).lowercased() == prefix.lowercased(),
              let decoded = Base64.decode(String(value.dropFirst(prefix.count)).trimmingSpaces),
              let colon = decoded.firstIndex(of: UInt8(ascii: ":")),
              let principal = access.principal(accessKeyID: String(decoding: decoded[..<colon], as: UTF8.self)) else { return nil }
        let expected = Array((principal.credentials.accessKeyID + ":" + principal.credentials.secretAccessKey).utf8)
        return constantTimeEqual(decoded, expected) ? principal : nil
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
