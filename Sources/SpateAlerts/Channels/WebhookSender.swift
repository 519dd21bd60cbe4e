// POSTs a webhook's body over http:// or https:// with AsyncHTTPClient: TLS
// by swift-nio-ssl, the server's certificate verified (chain and host name)
// against the system trust store, or against the channel's `ca_file` alone
// for a private CA. One client for the process (connections are pooled and
// kept alive between alerts to the same endpoint); it is never shut down, so
// it lives as long as the process. Redirects are not followed: a webhook URL
// that moved is an error to fix, not a POST to resend somewhere else.
//
// Every send has one deadline, the channel's timeout, for connect, TLS, the
// request and the response; the response body is read up to 64 KiB and
// dropped (only the status counts: 2xx is success). Called from the delivery
// service's thread, which blocks on the answer, never from an event loop.

import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOSSL

enum WebhookSender {
    /// Most bytes of a response body read.
    static let responseBytesMax = 64 << 10

    private static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

    /// POSTs `body` to `url`; returns the response status, or why there is none.
    static func post(_ url: String, headers: [(String, String)], body: [UInt8], caFile: String?,
                     timeoutMs: Int64) -> Result<Int, DeliveryError> {
        let request: HTTPClient.Request
        do {
            var tls: TLSConfiguration?
            if let caFile {
                var configuration = TLSConfiguration.makeClientConfiguration()
                configuration.trustRoots = .file(caFile)
                tls = configuration
            }
            request = try HTTPClient.Request(url: url, method: .POST,
                                             headers: HTTPHeaders([("Content-Type", "application/json")] + headers),
                                             body: .bytes(body), tlsConfiguration: tls)
        } catch {
            return .failure(.failed("not a URL Spate can post to: \(url) (\(error))"))
        }
        let accumulator = ResponseAccumulator(request: request, maxBodySize: responseBytesMax)
        let task = client.execute(request: request, delegate: accumulator, deadline: .now() + .milliseconds(timeoutMs))
        do {
            let response = try task.futureResult.wait()
            return .success(Int(response.status.code))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .connectTimeout
                    || error == .readTimeout || error == .tlsHandshakeTimeout {
            return .failure(.timeout("after \(timeoutMs) ms posting to \(url)"))
        } catch let error as NIOSSLError {
            return .failure(.failed(tlsFailure(url, "\(error)")))
        } catch {
            let text = "\(error)"
            return .failure(.failed(text.contains("CERTIFICATE") ? tlsFailure(url, text) : "posting to \(url): \(text)"))
        }
    }

    /// One line for a failed TLS handshake: what failed, and for a certificate
    /// that does not verify, what to do (BoringSSL's own text names its source file).
    static func tlsFailure(_ url: String, _ text: String) -> String {
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "TLS with \(url) failed: the server's certificate does not verify (CERTIFICATE_VERIFY_FAILED); "
                + "for a private CA give the channel ca_file = 'ca.pem'"
        }
        let reason = text.firstRange(of: "error:").map { String(text[$0.lowerBound...].prefix { $0 != " " }) } ?? text
        return "TLS with \(url) failed: \(reason)"
    }
}
