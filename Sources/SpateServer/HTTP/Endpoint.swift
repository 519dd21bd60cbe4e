// What the endpoint answers, independent of the HTTP machinery: a complete
// request in, a complete response out. Routes:
//
//     POST /          Kinesis JSON 1.1 (X-Amz-Target: Kinesis_20131202.<Operation>)
//     GET  /metrics   the database's Prometheus text (what `spate metrics` prints)
//     GET  /healthz   "ok" — never needs a signature, so a load balancer can probe
//     the dashboard   every other GET, and POSTs under /api/ (when one is given: DashboardRoute)
//
// With credentials configured every other request must carry a valid SigV4
// signature (checked before anything else is looked at) — except that a
// browser, which cannot sign, may reach the dashboard with HTTP Basic
// authentication: user = the access key id, password = the secret key. Without
// credentials the server listens on loopback only, and the dashboard may write
// (acknowledge alerts); with them only an authenticated request reaches it at
// all, so no page ever shows a write action to an unauthenticated viewer.
// `kinesisEnabled` false (`spate dashboard`) answers POST / with 404. Runs on a
// worker thread: operations block on file I/O and fsync.

import Spate
import SpateLog

/// A complete HTTP request.
public struct EndpointRequest: Sendable {
    public var method: String
    public var uri: String
    public var headers: [RequestHeader]
    public var body: [UInt8]

    public init(method: String, uri: String, headers: [RequestHeader], body: [UInt8]) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
    }
}

/// A complete HTTP response.
public struct EndpointResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    /// Headers besides Content-Type, Content-Length and Connection.
    public var headers: [RequestHeader] = []

    static let kinesisContentType = "application/x-amz-json-1.1"

    public init(status: Int, contentType: String, body: [UInt8], headers: [RequestHeader] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    init(_ error: KinesisError) {
        self.init(status: error.status, contentType: Self.kinesisContentType, body: error.body)
    }
}

/// Pages served beside the API (the dashboard), given by the program that
/// starts the server: SpateServer knows nothing of what they show.
public struct DashboardRoute: Sendable {
    /// Whether a request for (method, path) is the route's.
    public var claims: @Sendable (_ method: String, _ path: String) -> Bool
    /// The answer; `canWrite` says whether the request may change anything.
    public var respond: @Sendable (_ request: EndpointRequest, _ canWrite: Bool) -> EndpointResponse

    public init(claims: @escaping @Sendable (String, String) -> Bool,
                respond: @escaping @Sendable (EndpointRequest, Bool) -> EndpointResponse) {
        self.claims = claims
        self.respond = respond
    }
}

/// Routes requests to the Kinesis service, metrics and health.
public final class Endpoint: Sendable {
    public let service: KinesisService
    let verifier: SigV4Verifier?
    let credentials: Credentials?
    let dashboard: DashboardRoute?
    let kinesisEnabled: Bool

    public init(service: KinesisService, credentials: Credentials?, dashboard: DashboardRoute? = nil, kinesisEnabled: Bool = true) {
        self.service = service
        self.verifier = credentials.map { SigV4Verifier(credentials: $0) }
        self.credentials = credentials
        self.dashboard = dashboard
        self.kinesisEnabled = kinesisEnabled
    }

    public func respond(to request: EndpointRequest) -> EndpointResponse {
        let path = request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? "/"
        if request.method == "GET" && path == "/healthz" {
            return EndpointResponse(status: 200, contentType: "text/plain; charset=utf-8", body: Array("ok\n".utf8))
        }
        if let dashboard, dashboard.claims(request.method, path),
           verifier == nil || BasicAuthorization.matches(request.headers, credentials) {
            return dashboard.respond(request, true)
        }
        if let dashboard, dashboard.claims(request.method, path),
           !(SigV4Verifier.header("authorization", in: request.headers)?.hasPrefix("AWS4-") ?? false) {
            // A browser (no key, or a wrong one): ask it for the key (Basic), rather than answer a Kinesis error it cannot act on.
            return EndpointResponse(status: 401, contentType: "text/plain; charset=utf-8",
                                    body: Array("The dashboard needs the server's credentials: user = access key id, password = secret key.\n".utf8),
                                    headers: [RequestHeader(name: "WWW-Authenticate", value: #"Basic realm="spate", charset="UTF-8""#)])
        }
        if let verifier {
            do throws(KinesisError) {
                try verifier.verify(method: request.method, uri: request.uri, headers: request.headers, body: request.body, nowMs: service.now())
            } catch {
                return EndpointResponse(error)
            }
        }
        switch (request.method, path) {
        case ("GET", "/metrics"):
            do throws(SpateError) {
                let text = try service.database.prometheusText()
                return EndpointResponse(status: 200, contentType: PrometheusText.contentType, body: Array(text.utf8))
            } catch {
                return EndpointResponse(status: 500, contentType: "text/plain; charset=utf-8", body: Array("metrics unavailable: \(error)\n".utf8))
            }
        case ("POST", "/") where kinesisEnabled:
            guard let target = SigV4Verifier.header("x-amz-target", in: request.headers) else {
                return EndpointResponse(.unknownOperation("Missing X-Amz-Target header: expected \(KinesisService.targetPrefix)<Operation>."))
            }
            guard target.hasPrefix(KinesisService.targetPrefix) else {
                return EndpointResponse(.unknownOperation("X-Amz-Target \(target) is not a Kinesis operation (\(KinesisService.targetPrefix)<Operation>)."))
            }
            let response = service.handle(operation: String(target.dropFirst(KinesisService.targetPrefix.count)), body: request.body)
            return EndpointResponse(status: response.status, contentType: EndpointResponse.kinesisContentType, body: response.body)
        default:
            if let dashboard, dashboard.claims(request.method, path) {
                // Signed (SigV4) and the dashboard's: a script may read the JSON endpoints with its key.
                return dashboard.respond(request, true)
            }
            let served = kinesisEnabled ? "Kinesis is POST /, and there are GET /metrics and GET /healthz"
                : "this server has no Kinesis API (`spate dashboard`; `spate serve` has one), only the dashboard, GET /metrics and GET /healthz"
            return EndpointResponse(KinesisError("UnknownOperationException", "\(request.method) \(path) is not served here: \(served).",
                                                 status: 404))
        }
    }
}
