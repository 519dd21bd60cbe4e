// The client side of AWS Signature Version 4, for Spate's own tools and
// benchmarks (spate-server-bench signs its requests with it to measure the
// endpoint with credentials): the same canonical request and key chain the
// verifier checks (SigV4Verifier.signature), over the headers given plus
// x-amz-date. The tests sign with a signer of their own, written from AWS's
// documentation, so that a mistake here and in the verifier cannot cancel out.

import SpateLog

/// Signs requests with one access key.
public struct SigV4Signer: Sendable {
    public let credentials: Credentials
    public let region: String
    public let service: String

    public init(credentials: Credentials, region: String = "us-east-1", service: String = "kinesis") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers to add to a request with `headers` (which must include
    /// `host`) and `body`, signed at `nowMs`: X-Amz-Date and Authorization.
    public func headers(method: String, uri: String, headers: [RequestHeader], body: [UInt8], nowMs: Int64) -> [RequestHeader] {
        let amzDate = Self.amzDate(nowMs)
        let signed = (headers + [RequestHeader(name: "x-amz-date", value: amzDate)])
            .map { (name: $0.name.lowercased(), value: SigV4Verifier.canonicalHeaderValue($0.value)) }
            .sorted { $0.name < $1.name }
        let canonicalHeaders = signed.map { "\($0.name):\($0.value)\n" }.joined()
        let signedNames = signed.map(\.name).joined(separator: ";")
        let day = String(amzDate.prefix(8))
        let signature = SigV4Verifier.signature(
            method: method, uri: uri, canonicalHeaders: canonicalHeaders, signedHeaders: signedNames,
            bodyHash: hexString(SHA256.hash(body)), amzDate: amzDate, date: day, region: region, service: service,
            secret: credentials.secretAccessKey)
        return [RequestHeader(name: "X-Amz-Date", value: amzDate),
                RequestHeader(name: "Authorization", value: "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(day)/\(region)/\(service)/aws4_request, SignedHeaders=\(signedNames), Signature=\(signature)")]
    }

    /// Unix ms → `20150830T123600Z`.
    static func amzDate(_ ms: Int64) -> String {
        let iso = UTCTimestamp.format(ms)  // 2015-08-30T12:36:00.000Z
        let digits = iso.prefix(19).filter { $0 != "-" && $0 != ":" }
        return digits + "Z"
    }
}
