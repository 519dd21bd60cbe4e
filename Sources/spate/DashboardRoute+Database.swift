// Hands a database's dashboard (SpateDashboard) to the HTTP server
// (SpateServer) as a route: the two modules do not know each other, this
// wiring does.

import Spate
import SpateDashboard
import SpateServer

extension DashboardRoute {
    /// The dashboard of `database`, as a route of the HTTP endpoint.
    static func serving(_ database: Database) -> DashboardRoute {
        let dashboard = Dashboard(database: database)
        return DashboardRoute(
            claims: { method, path in Dashboard.claims(method: method, path: path) },
            respond: { request, canWrite in
                let answer = dashboard.respond(
                    to: DashboardRequest(method: request.method, target: request.uri,
                                         headers: request.headers.map { (name: $0.name, value: $0.value) }),
                    canWrite: canWrite)
                return EndpointResponse(status: answer.status, contentType: answer.contentType, body: answer.body,
                                        headers: [RequestHeader(name: "Cache-Control", value: "no-store")])
            })
    }
}
