import SpateJSON
// HTTP Basic authentication for the dashboard when the server has
// credentials: a browser cannot sign requests with SigV4, so it sends
// `Authorization: Basic base64(access key id ":" secret key)` instead. Only
// the dashboard accepts it; the Kinesis API still needs a signature. The
// comparison takes the same time wherever the first difference is, so the
// secret cannot be guessed byte by byte from response times.

enum BasicAuthorization {
    /// Whether `headers` carry Basic credentials equal to `credentials`.
    static func matches(_ headers: [RequestHeader], _ credentials: Credentials?) -> Bool {
        guard let credentials, let value = SigV4Verifier.header("authorization", in: headers) else { return false }
        let prefix = "Basic "
        guard value.count > prefix.count, value.prefix(prefix.count).lowercased() == prefix.lowercased(),
              let decoded = Base64.decode(String(value.dropFirst(prefix.count)).trimmingSpaces) else { return false }
        return constantTimeEqual(decoded, Array((credentials.accessKeyID + ":" + credentials.secretAccessKey).utf8))
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
