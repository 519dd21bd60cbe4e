// SHA-256 and HMAC against published vectors, SigV4 against the AWS test
// suite's get-vanilla case, and a server with credentials: requests signed here
// (by a signer written independently of the verifier) are accepted, a wrong
// secret, an unknown key, a stale date and a missing signature are refused.
// Also the tools' signer (SigV4Signer, which the benchmark signs with).

import Foundation
@testable import SpateServer
import Testing

@Suite struct SigV4Tests {
    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test func sha256Vectors() {
        #expect(hex(SHA256.hash([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(hex(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000))) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        // Fed in odd pieces, the same digest.
        var hasher = SHA256()
        let message = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        for piece in stride(from: 0, to: message.count, by: 7) { hasher.update(message[piece..<min(piece + 7, message.count)]) }
        #expect(hex(hasher.finalize()) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func hmacRFC4231() {
        #expect(hex(HMACSHA256.authenticate(Array("Hi There".utf8), key: [UInt8](repeating: 0x0b, count: 20)))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(hex(HMACSHA256.authenticate(Array("what do ya want for nothing?".utf8), key: Array("Jefe".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        // Key longer than a block (test case 6).
        #expect(hex(HMACSHA256.authenticate(Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8), key: [UInt8](repeating: 0xaa, count: 131)))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func awsTestSuiteGetVanilla() {
        let signature = SigV4Verifier.signature(
            method: "GET", uri: "/", canonicalHeaders: "host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n",
            signedHeaders: "host;x-amz-date", bodyHash: hex(SHA256.hash([UInt8]())), amzDate: "20150830T123600Z",
            date: "20150830", region: "us-east-1", service: "service", secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        #expect(signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        // The verifier accepts the suite's request as a whole.
        let verifier = SigV4Verifier(credentials: Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), service: "service")
        let headers = [RequestHeader(name: "Host", value: "example.amazonaws.com"), RequestHeader(name: "X-Amz-Date", value: "20150830T123600Z"),
                       RequestHeader(name: "Authorization", value: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
        let requestMs = SigV4Verifier.parseAmzDate("20150830T123600Z")!
        #expect(throws: Never.self) { try verifier.verify(method: "GET", uri: "/", headers: headers, body: [], nowMs: requestMs + 60_000) }
        #expect(throws: KinesisError.self) { try verifier.verify(method: "GET", uri: "/", headers: headers, body: [], nowMs: requestMs + 16 * 60_000) }
        #expect(throws: KinesisError.self) { try verifier.verify(method: "POST", uri: "/", headers: headers, body: [], nowMs: requestMs) }
    }

    @Test func theToolsSignerIsAcceptedByTheVerifier() throws {
        let credentials = Credentials(accessKeyID: "AKIDBENCH", secretAccessKey: "bench/Secret+1")
        let signer = SigV4Signer(credentials: credentials)
        #expect(SigV4Signer.amzDate(1_440_938_160_000) == "20150830T123600Z")
        let nowMs = wallClockMsForTests()
        let body = Array(#"{"StreamName":"tx"}"#.utf8)
        let given = [RequestHeader(name: "Host", value: "127.0.0.1:4567"), RequestHeader(name: "X-Amz-Target", value: "Kinesis_20131202.DescribeStream")]
        let headers = given + signer.headers(method: "POST", uri: "/", headers: given, body: body, nowMs: nowMs)
        let verifier = SigV4Verifier(credentials: credentials)
        #expect(try verifier.verify(method: "POST", uri: "/", headers: headers, body: body, nowMs: nowMs).name == "default")
        #expect(throws: KinesisError.self) { try verifier.verify(method: "POST", uri: "/", headers: headers, body: body + [0x20], nowMs: nowMs) }
        let other = SigV4Verifier(credentials: Credentials(accessKeyID: "AKIDBENCH", secretAccessKey: "other"))
        #expect(throws: KinesisError.self) { try other.verify(method: "POST", uri: "/", headers: headers, body: body, nowMs: nowMs) }
    }

    func wallClockMsForTests() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Signs a Kinesis request as botocore does, from the AWS documentation's steps.
    func signedHeaders(body: String, target: String, key: String, secret: String, date: Date = Date()) -> [(String, String)] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let amzDate = formatter.string(from: date)
        let day = String(amzDate.prefix(8))
        let headers = [("content-type", "application/x-amz-json-1.1"), ("host", "127.0.0.1"), ("x-amz-date", amzDate), ("x-amz-target", target)]
        let canonical = "POST\n/\n\n" + headers.map { "\($0.0):\($0.1)\n" }.joined() + "\n" + headers.map(\.0).joined(separator: ";")
            + "\n" + hex(SHA256.hash(Array(body.utf8)))
        let scope = "\(day)/us-west-2/kinesis/aws4_request"
        let toSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n" + hex(SHA256.hash(Array(canonical.utf8)))
        var signingKey = Array("AWS4\(secret)".utf8)
        for part in [day, "us-west-2", "kinesis", "aws4_request"] { signingKey = HMACSHA256.authenticate(Array(part.utf8), key: signingKey) }
        let signature = hex(HMACSHA256.authenticate(Array(toSign.utf8), key: signingKey))
        return [("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Date", amzDate), ("X-Amz-Target", target),
                ("Authorization", "AWS4-HMAC-SHA256 Credential=\(key)/\(scope), SignedHeaders=\(headers.map(\.0).joined(separator: ";")), Signature=\(signature)")]
    }

    @Test func serverWithCredentialsChecksEveryRequest() throws {
        let server = try TestServer(credentials: Credentials(accessKeyID: "AKIDTEST", secretAccessKey: "right/secret+1"))
        let client = try server.client()
        let body = #"{"StreamName":"tx","ShardCount":1}"#
        let target = "Kinesis_20131202.CreateStream"
        func send(_ headers: [(String, String)], _ body: String = body) throws -> HTTPResult {
            try client.request("POST", "/", headers: headers, body: Array(body.utf8))
        }
        let good = try send(signedHeaders(body: body, target: target, key: "AKIDTEST", secret: "right/secret+1"))
        #expect(good.status == 200, "\(good.text)")
        #expect(server.log.streamExists("tx"))

        let wrongSecret = try send(signedHeaders(body: body, target: target, key: "AKIDTEST", secret: "wrong"))
        #expect(wrongSecret.status == 403 && wrongSecret.errorType == "InvalidSignatureException")
        let unknownKey = try send(signedHeaders(body: body, target: target, key: "AKIDOTHER", secret: "right/secret+1"))
        #expect(unknownKey.status == 400 && unknownKey.errorType == "UnrecognizedClientException")
        let stale = try send(signedHeaders(body: body, target: target, key: "AKIDTEST", secret: "right/secret+1", date: Date().addingTimeInterval(-16 * 60)))
        #expect(stale.status == 403 && stale.errorType == "InvalidSignatureException")
        // A signature over another body does not cover this one.
        let tampered = try send(signedHeaders(body: body, target: target, key: "AKIDTEST", secret: "right/secret+1"), #"{"StreamName":"ty","ShardCount":1}"#)
        #expect(tampered.status == 403 && tampered.errorType == "InvalidSignatureException")
        #expect(!server.log.streamExists("ty"))
        let unsigned = try client.kinesis("ListStreams", "{}")
        #expect(unsigned.status == 403 && unsigned.errorType == "MissingAuthenticationTokenException")
        let malformed = try client.kinesis("ListStreams", "{}", headers: [("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDTEST/x")])
        #expect(malformed.status == 400 && malformed.errorType == "IncompleteSignatureException")
        // /metrics also takes Basic (a scraper's basic_auth): without a key it asks for one.
        #expect(try client.request("GET", "/metrics").status == 401)
        #expect(try client.request("GET", "/healthz").status == 200)
    }
}
