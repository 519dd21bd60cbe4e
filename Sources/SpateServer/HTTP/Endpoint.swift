// What the endpoint answers, independent of the HTTP machinery: a complete
// request in, a complete response out. Routes:
//
//     POST /          Kinesis JSON 1.1 (X-Amz-Target: Kinesis_20131202.<Operation>)
//     GET  /metrics   Prometheus text from every MetricsSource
//     GET  /healthz   "ok" — never needs a signature, so a load balancer can probe
//
// With credentials configured every other request must carry a valid SigV4
// signature (checked before anything else is looked at). Runs on a worker
// thread: operations block on file I/O and fsync.

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

    static let kinesisContentType = "application/x-amz-json-1.1"

    init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    init(_ error: KinesisError) {
        self.init(status: error.status, contentType: Self.kinesisContentType, body: error.body)
    }
}

/// Routes requests to the Kinesis service, metrics and health.
public final class Endpoint: Sendable {
    public let service: KinesisService
    let verifier: SigV4Verifier?
    let metricsSources: [any MetricsSource]
    /// Prometheus text rendered elsewhere (the catalog's per-minute metrics), appended at /metrics.
    let metricsText: (@Sendable () -> String)?

    public init(service: KinesisService, credentials: Credentials?, metricsSources: [any MetricsSource],
                metricsText: (@Sendable () -> String)? = nil) {
        self.service = service
        self.verifier = credentials.map { SigV4Verifier(credentials: $0) }
        self.metricsSources = metricsSources
        self.metricsText = metricsText
    }

    public func respond(to request: EndpointRequest) -> EndpointResponse {
        let path = request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? "/"
        if request.method == "GET" && path == "/healthz" {
            return EndpointResponse(status: 200, contentType: "text/plain; charset=utf-8", body: Array("ok\n".utf8))
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
            let families = metricsSources.flatMap { $0.collect() }
            let text = PrometheusText.render(families) + (metricsText?() ?? "")
            return EndpointResponse(status: 200, contentType: PrometheusText.contentType, body: Array(text.utf8))
        case ("POST", "/"):
            guard let target = SigV4Verifier.header("x-amz-target", in: request.headers) else {
                return EndpointResponse(.unknownOperation("Missing X-Amz-Target header: expected \(KinesisService.targetPrefix)<Operation>."))
            }
            guard target.hasPrefix(KinesisService.targetPrefix) else {
                return EndpointResponse(.unknownOperation("X-Amz-Target \(target) is not a Kinesis operation (\(KinesisService.targetPrefix)<Operation>)."))
            }
            let response = service.handle(operation: String(target.dropFirst(KinesisService.targetPrefix.count)), body: request.body)
            return EndpointResponse(status: response.status, contentType: EndpointResponse.kinesisContentType, body: response.body)
        default:
            return EndpointResponse(KinesisError("UnknownOperationException",
                                                 "\(request.method) \(path) is not served here: Kinesis is POST /, and there are GET /metrics and GET /healthz.",
                                                 status: 404))
        }
    }
}
