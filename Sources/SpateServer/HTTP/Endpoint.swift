// What the endpoint answers, independent of the HTTP machinery: a complete
// request in, a complete response out. Routes:
//
//     POST /          Kinesis JSON 1.1 (X-Amz-Target: Kinesis_20131202.<Operation>)
//     GET  /metrics   the database's Prometheus text (what `spate metrics` prints)
//     GET  /healthz   "ok" — never needs a signature, so a load balancer can probe
//     the dashboard   every other GET, and POSTs under /api/ (when one is given: DashboardRoute)
//
// With credentials configured (AccessPolicy: principals and their grants)
// every other request must carry a valid SigV4 signature by a principal's key
// (checked before anything else is looked at) — except that a browser, which
// cannot sign, may reach the dashboard with HTTP Basic authentication: user =
// the access key id, password = the secret key (so may GET /metrics, for a
// scraper's basic_auth). Then what the principal may do
// is checked where the request is understood: each Kinesis operation by
// KinesisService (AccessDeniedException), /metrics here (it covers every
// stream and job: read on `*`), the dashboard's pages and actions by the
// dashboard, which is handed the principal. Without credentials the server
// listens on loopback only and every request is `Principal.local`, which may
// do everything. `kinesisEnabled` false (`spate dashboard`) answers POST /
// with 404. Runs on a worker thread: operations block on file I/O and fsync.

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
    /// The answer to `caller`, who the route asks what it may see and change.
    public var respond: @Sendable (_ request: EndpointRequest, _ caller: Principal) -> EndpointResponse

    public init(claims: @escaping @Sendable (String, String) -> Bool,
                respond: @escaping @Sendable (EndpointRequest, Principal) -> EndpointResponse) {
        self.claims = claims
        self.respond = respond
    }
}

/// Routes requests to the Kinesis service, metrics and health.
public final class Endpoint: Sendable {
    public let service: KinesisService
    let verifier: SigV4Verifier?
    let access: AccessPolicy?
    let dashboard: DashboardRoute?
    let kinesisEnabled: Bool

    public init(service: KinesisService, access: AccessPolicy?, dashboard: DashboardRoute? = nil, kinesisEnabled: Bool = true) {
        self.service = service
        self.verifier = access.map { SigV4Verifier(access: $0) }
        self.access = access
        self.dashboard = dashboard
        self.kinesisEnabled = kinesisEnabled
    }

    /// An endpoint of one key, whose holder may do everything.
    public convenience init(service: KinesisService, credentials: Credentials?, dashboard: DashboardRoute? = nil, kinesisEnabled: Bool = true) {
        self.init(service: service, access: credentials.map(AccessPolicy.single), dashboard: dashboard, kinesisEnabled: kinesisEnabled)
    }

    public func respond(to request: EndpointRequest) -> EndpointResponse {
        let path = request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? "/"
        if request.method == "GET" && path == "/healthz" {
            return EndpointResponse(status: 200, contentType: "text/plain; charset=utf-8", body: Array("ok\n".utf8))
        }
        let forDashboard = dashboard?.claims(request.method, path) ?? false
        // Browsers and scrapers (Prometheus' basic_auth) cannot sign: the dashboard and /metrics also take Basic.
        let takesBasic = forDashboard || (request.method == "GET" && path == "/metrics")
        var caller: Principal? = access == nil ? .local : nil
        if caller == nil && takesBasic {
            caller = BasicAuthorization.principal(request.headers, access)
            if caller == nil && !(SigV4Verifier.header("authorization", in: request.headers)?.hasPrefix("AWS4-") ?? false) {
                // A browser (no key, or a wrong one): ask it for the key (Basic), rather than answer a Kinesis error it cannot act on.
                return EndpointResponse(status: 401, contentType: "text/plain; charset=utf-8",
                                        body: Array("This page needs a key of the server's credentials file: user = access key id, password = secret key.\n".utf8),
                                        headers: [RequestHeader(name: "WWW-Authenticate", value: #"Basic realm="spate", charset="UTF-8""#)])
            }
        }
        if caller == nil, let verifier {
            do throws(KinesisError) {
                caller = try verifier.verify(method: request.method, uri: request.uri, headers: request.headers, body: request.body, nowMs: service.now())
            } catch {
                return EndpointResponse(error)
            }
        }
        guard let caller else { preconditionFailure("a server with credentials has a verifier") }
        if forDashboard, let dashboard { return dashboard.respond(request, caller) }
        switch (request.method, path) {
        case ("GET", "/metrics"):
            guard caller.allowsOnEveryStream(.read) else {
                return EndpointResponse(status: 403, contentType: "text/plain; charset=utf-8",
                                        body: Array("\(caller.name) may not read /metrics: it covers every stream and job, so it needs read on * (\(caller.name) is allowed: \(caller.grantsText))\n".utf8))
            }
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
            let response = service.handle(operation: String(target.dropFirst(KinesisService.targetPrefix.count)), body: request.body, caller: caller)
            return EndpointResponse(status: response.status, contentType: EndpointResponse.kinesisContentType, body: response.body)
        default:
            let served = kinesisEnabled ? "Kinesis is POST /, and there are GET /metrics and GET /healthz"
                : "this server has no Kinesis API (`spate dashboard`; `spate serve` has one), only the dashboard, GET /metrics and GET /healthz"
            return EndpointResponse(KinesisError("UnknownOperationException", "\(request.method) \(path) is not served here: \(served).",
                                                 status: 404))
        }
    }
}
