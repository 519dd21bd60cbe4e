// Verifies AWS Signature Version 4 (the `Authorization: AWS4-HMAC-SHA256 …`
// header form) as AWS does for the JSON protocols:
//
//   canonical request = method \n canonical URI \n canonical query \n
//                       (name:value \n for each signed header) \n
//                       signed header names \n hex(SHA256(body))
//   string to sign    = "AWS4-HMAC-SHA256" \n x-amz-date \n
//                       date/region/service/aws4_request \n hex(SHA256(canonical request))
//   signing key       = HMAC chain over "AWS4"+secret, date, region, service, "aws4_request"
//
// Invariants: the body hash is always computed from the body received (an
// x-amz-content-sha256 header must agree with it); `host` must be signed; the
// request time (x-amz-date) must be within 15 minutes of ours; signatures are
// compared in constant time. Any region is accepted (it only scopes the key).
// The key id in the credential scope picks the principal (AccessPolicy); an
// id no principal holds is UnrecognizedClientException, as in AWS.
// Errors use AWS's names and statuses, which botocore reports by `__type`.

import SpateLog

/// One header of a request, as received.
public struct RequestHeader: Sendable {
    public var name: String
    public var value: String
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// Checks request signatures against the keys of the principals.
public struct SigV4Verifier: Sendable {
    public static let clockSkewMaxMs: Int64 = 15 * 60_000
    public let access: AccessPolicy
    /// The service name the credential scope must carry.
    public let service: String

    public init(access: AccessPolicy, service: String = "kinesis") {
        self.access = access
        self.service = service
    }

    /// A verifier of one key (its holder admin on every stream).
    public init(credentials: Credentials, service: String = "kinesis") {
        self.init(access: .single(credentials), service: service)
    }

    static func missingToken() -> KinesisError {
        KinesisError("MissingAuthenticationTokenException", "Missing Authentication Token", status: 403)
    }
    static func incomplete(_ message: String) -> KinesisError { KinesisError("IncompleteSignatureException", message) }
    static func mismatch(_ message: String) -> KinesisError { KinesisError("InvalidSignatureException", message, status: 403) }

    /// The principal whose key signed the request; throws the AWS error for a
    /// request that is not signed with a key of ours.
    @discardableResult
    public func verify(method: String, uri: String, headers: [RequestHeader], body: [UInt8], nowMs: Int64) throws(KinesisError) -> Principal {
        guard let authorization = Self.header("authorization", in: headers) else { throw Self.missingToken() }
        let parsed = try Self.parseAuthorization(authorization)
        let scope = parsed.credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard scope.count == 5, scope[4] == "aws4_request" else {
            throw Self.incomplete("Credential should be scoped to a valid region, not '\(parsed.credential)'. ")
        }
        guard let principal = access.principal(accessKeyID: scope[0]) else {
            throw KinesisError("UnrecognizedClientException", "The security token included in the request is invalid.")
        }
        guard scope[3] == service else {
            throw Self.mismatch("Credential should be scoped to correct service: '\(service)'. ")
        }
        guard let amzDate = Self.header("x-amz-date", in: headers) else {
            throw Self.incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
        }
        guard let requestMs = Self.parseAmzDate(amzDate) else { throw Self.incomplete("X-Amz-Date '\(amzDate)' is not of the form 20150830T123600Z.") }
        guard amzDate.hasPrefix(scope[1]) else {
            throw Self.mismatch("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '\(scope[1])' != '\(amzDate.prefix(8))'")
        }
        if abs(requestMs - nowMs) > Self.clockSkewMaxMs {
            throw Self.mismatch("Signature expired: \(amzDate) is not within 15 minutes of the server's time; check the client's clock.")
        }
        let signedNames = parsed.signedHeaders.split(separator: ";").map { $0.lowercased() }
        guard signedNames.contains("host") else { throw Self.incomplete("'Host' must be a 'SignedHeader' in the AWS Authorization.") }
        let bodyHash = hexString(SHA256.hash(body))
        if let declared = Self.header("x-amz-content-sha256", in: headers), declared != bodyHash {
            throw Self.mismatch("The provided 'x-amz-content-sha256' header does not match what was computed.")
        }
        var canonicalHeaders = ""
        for name in signedNames {
            let values = headers.filter { $0.name.lowercased() == name }.map { Self.canonicalHeaderValue($0.value) }
            guard !values.isEmpty else { throw Self.incomplete("Signed header '\(name)' is not in the request.") }
            canonicalHeaders += name + ":" + values.joined(separator: ",") + "\n"
        }
        let expected = Self.signature(
            method: method, uri: uri, canonicalHeaders: canonicalHeaders, signedHeaders: signedNames.joined(separator: ";"),
            bodyHash: bodyHash, amzDate: amzDate, date: scope[1], region: scope[2], service: scope[3],
            secret: principal.credentials.secretAccessKey)
        guard Self.constantTimeEqual(expected, parsed.signature.lowercased()) else {
            throw Self.mismatch("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
        }
        return principal
    }

    // MARK: The parts of a signature (internal for the test vectors)

    static func signature(method: String, uri: String, canonicalHeaders: String, signedHeaders: String, bodyHash: String,
                          amzDate: String, date: String, region: String, service: String, secret: String) -> String {
        let (path, query) = splitURI(uri)
        let canonicalRequest = [method, canonicalPath(path), canonicalQuery(query), canonicalHeaders, signedHeaders, bodyHash]
            .joined(separator: "\n")
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, "\(date)/\(region)/\(service)/aws4_request",
                            hexString(SHA256.hash(Array(canonicalRequest.utf8)))].joined(separator: "\n")
        var key = Array(("AWS4" + secret).utf8)
        for part in [date, region, service, "aws4_request"] { key = HMACSHA256.authenticate(Array(part.utf8), key: key) }
        return hexString(HMACSHA256.authenticate(Array(stringToSign.utf8), key: key))
    }

    static func header(_ name: String, in headers: [RequestHeader]) -> String? {
        headers.first { $0.name.lowercased() == name }?.value
    }

    struct Authorization {
        var credential: String
        var signedHeaders: String
        var signature: String
    }

    static func parseAuthorization(_ text: String) throws(KinesisError) -> Authorization {
        let prefix = "AWS4-HMAC-SHA256 "
        guard text.hasPrefix(prefix) else {
            throw incomplete("Authorization header must start with 'AWS4-HMAC-SHA256 ' (only Signature Version 4 is supported).")
        }
        var fields: [String: String] = [:]
        for part in text.dropFirst(prefix.count).split(separator: ",") {
            let item = part.trimmingWhitespace()
            guard let equals = item.firstIndex(of: "=") else { continue }
            fields[String(item[..<equals])] = String(item[item.index(after: equals)...])
        }
        guard let credential = fields["Credential"], let signedHeaders = fields["SignedHeaders"], let signature = fields["Signature"] else {
            let missing = ["Credential", "SignedHeaders", "Signature"].filter { fields[$0] == nil }
            throw incomplete("Authorization header requires \(missing.map { "'\($0)'" }.joined(separator: ", ")) parameter(s). Authorization=\(text.prefix(40))…")
        }
        return Authorization(credential: credential, signedHeaders: signedHeaders, signature: signature)
    }

    /// `20150830T123600Z` → Unix ms.
    static func parseAmzDate(_ text: String) -> Int64? {
        let s = Array(text.utf8)
        guard s.count == 16, s[8] == UInt8(ascii: "T"), s[15] == UInt8(ascii: "Z") else { return nil }
        func part(_ range: Range<Int>) -> String { String(decoding: s[range], as: UTF8.self) }
        guard (Array(s[0..<8]) + Array(s[9..<15])).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UTCTimestamp.parse("\(part(0..<4))-\(part(4..<6))-\(part(6..<8))T\(part(9..<11)):\(part(11..<13)):\(part(13..<15))Z")
    }

    static func canonicalHeaderValue(_ value: String) -> String {
        value.trimmingWhitespace().split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    static func splitURI(_ uri: String) -> (Substring, Substring) {
        guard let mark = uri.firstIndex(of: "?") else { return (Substring(uri), "") }
        return (uri[..<mark], uri[uri.index(after: mark)...])
    }

    /// The path, URI-encoded again as AWS does for every service but S3.
    static func canonicalPath(_ path: Substring) -> String {
        path.isEmpty ? "/" : uriEncode(Array(path.utf8), keepSlash: true)
    }

    static func canonicalQuery(_ query: Substring) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&").map { item -> (String, String) in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = uriEncode(percentDecode(parts[0]), keepSlash: false)
            let value = parts.count > 1 ? uriEncode(percentDecode(parts[1]), keepSlash: false) : ""
            return (name, value)
        }
        return pairs.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    static func percentDecode(_ text: Substring) -> [UInt8] {
        let s = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < s.count {
            if s[i] == UInt8(ascii: "%"), i + 2 < s.count, let byte = UInt8(String(decoding: s[i + 1...i + 2], as: UTF8.self), radix: 16) {
                out.append(byte)
                i += 3
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }

    static func uriEncode(_ bytes: [UInt8], keepSlash: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for b in bytes {
            let unreserved = (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
                || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") || b == UInt8(ascii: "~")
            if unreserved || (keepSlash && b == UInt8(ascii: "/")) {
                out.append(b)
            } else {
                out.append(contentsOf: [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 15)]])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<x.count { difference |= x[i] ^ y[i] }
        return difference == 0
    }
}
