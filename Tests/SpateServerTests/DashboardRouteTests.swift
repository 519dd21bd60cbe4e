// How the endpoint hands requests to the dashboard route and guards it: on
// loopback without credentials the dashboard answers and may write; with
// credentials a browser must give the key with HTTP Basic (401 and a prompt
// otherwise, for pages and for Acknowledge alike), while the Kinesis API still
// needs SigV4; `spate dashboard` (no Kinesis) answers POST / with 404.

import Foundation
import Spate
import SpateLog
@testable import SpateServer
import Testing

@Suite struct DashboardRouteTests {
    let directory = TemporaryDirectory()
    let credentials = Credentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

    /// An endpoint whose dashboard answers "dashboard <principal> <unrestricted>" for every GET and POST /api/….
    func endpoint(credentials: Credentials?, kinesisEnabled: Bool = true) throws -> Endpoint {
        let database = try Database.open(directory.path + "/data")
        let route = DashboardRoute(
            claims: { method, path in (method == "GET" && path != "/metrics" && path != "/healthz") || (method == "POST" && path.hasPrefix("/api/")) },
            respond: { _, principal in
                EndpointResponse(status: 200, contentType: "text/plain", body: Array("dashboard \(principal.name) \(principal.isUnrestricted)".utf8))
            })
        return Endpoint(service: KinesisService(database: database), credentials: credentials, dashboard: route,
                        kinesisEnabled: kinesisEnabled)
    }

    func request(_ method: String, _ uri: String, _ headers: [(String, String)] = [], body: String = "") -> EndpointRequest {
        EndpointRequest(method: method, uri: uri, headers: headers.map { RequestHeader(name: $0.0, value: $0.1) }, body: Array(body.utf8))
    }

    func basic(_ user: String, _ password: String) -> (String, String) {
        ("Authorization", "Basic " + Data((user + ":" + password).utf8).base64EncodedString())
    }

    func text(_ response: EndpointResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test func onLoopbackWithoutCredentialsTheDashboardAnswersAndMayWrite() throws {
        let endpoint = try endpoint(credentials: nil)
        #expect(text(endpoint.respond(to: request("GET", "/"))) == "dashboard local true")
        #expect(text(endpoint.respond(to: request("POST", "/api/alerts/1/ack"))) == "dashboard local true")
        // The API is still where it was.
        let kinesis = endpoint.respond(to: request("POST", "/", [("X-Amz-Target", "Kinesis_20131202.ListStreams")], body: "{}"))
        #expect(kinesis.status == 200 && text(kinesis).contains("StreamNames"))
        #expect(endpoint.respond(to: request("GET", "/metrics")).contentType.hasPrefix("text/plain; version=0.0.4"))
    }

    @Test func withCredentialsABrowserMustGiveTheKey() throws {
        let endpoint = try endpoint(credentials: credentials)
        for (method, uri) in [("GET", "/"), ("GET", "/api/alerts"), ("POST", "/api/alerts/1/ack")] {
            let refused = endpoint.respond(to: request(method, uri))
            #expect(refused.status == 401, "\(method) \(uri)")
            #expect(refused.headers.contains { $0.name == "WWW-Authenticate" && $0.value.hasPrefix("Basic ") })
            #expect(endpoint.respond(to: request(method, uri, [basic("AKIDEXAMPLE", "wrong")])).status == 401)
        }
        #expect(text(endpoint.respond(to: request("GET", "/", [basic("AKIDEXAMPLE", credentials.secretAccessKey)]))) == "dashboard default true")
        #expect(text(endpoint.respond(to: request("POST", "/api/alerts/1/ack", [basic("AKIDEXAMPLE", credentials.secretAccessKey)]))) == "dashboard default true")
        #expect(endpoint.respond(to: request("GET", "/healthz")).status == 200)
    }

    @Test func basicAuthenticationDoesNotOpenTheKinesisAPI() throws {
        let endpoint = try endpoint(credentials: credentials)
        let response = endpoint.respond(to: request("POST", "/", [("X-Amz-Target", "Kinesis_20131202.ListStreams"),
                                                                  basic("AKIDEXAMPLE", credentials.secretAccessKey)], body: "{}"))
        #expect(response.status == 400 || response.status == 403)
        #expect(!text(response).contains("StreamNames"))
    }

    @Test func dashboardOnlyServesNoKinesis() throws {
        let endpoint = try endpoint(credentials: nil, kinesisEnabled: false)
        #expect(endpoint.respond(to: request("POST", "/", [("X-Amz-Target", "Kinesis_20131202.ListStreams")], body: "{}")).status == 404)
        #expect(text(endpoint.respond(to: request("GET", "/"))) == "dashboard local true")
    }

    @Test func basicComparisonNeedsEveryByte() {
        #expect(BasicAuthorization.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
        #expect(!BasicAuthorization.constantTimeEqual(Array("abc".utf8), Array("abd".utf8)))
        #expect(!BasicAuthorization.constantTimeEqual(Array("abc".utf8), Array("abcd".utf8)))
        #expect(!BasicAuthorization.constantTimeEqual([], Array("a".utf8)))
    }
}
