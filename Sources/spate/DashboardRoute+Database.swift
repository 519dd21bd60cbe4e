// Hands a database's dashboard (SpateDashboard) to the HTTP server
// (SpateServer) as a route: the two modules do not know each other, this
// wiring does — including the principal of each request, which the dashboard
// sees as a DashboardAccess (what it may read and administer).

import Spate
import SpateDashboard
import SpateServer

/// Every dashboard answer: never cached (it is live); only the page's own
/// stylesheet and script run (no inline script, nothing from elsewhere); never
/// framed by another site (which could trick a click on Acknowledge); types as declared.
private let securityHeaders = [
    RequestHeader(name: "Cache-Control", value: "no-store"),
    RequestHeader(name: "Content-Security-Policy", value: "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"),
    RequestHeader(name: "X-Frame-Options", value: "DENY"),
    RequestHeader(name: "X-Content-Type-Options", value: "nosniff"),
]

extension DashboardRoute {
    /// The dashboard of `database`, as a route of the HTTP endpoint.
    static func serving(_ database: Database) -> DashboardRoute {
        let dashboard = Dashboard(database: database)
        return DashboardRoute(
            claims: { method, path in Dashboard.claims(method: method, path: path) },
            respond: { request, principal in
                let answer = dashboard.respond(
                    to: DashboardRequest(method: request.method, target: request.uri,
                                         headers: request.headers.map { (name: $0.name, value: $0.value) }),
                    access: DashboardAccess(principal))
                return EndpointResponse(status: answer.status, contentType: answer.contentType, body: answer.body,
                                        headers: securityHeaders)
            })
    }
}

extension DashboardAccess {
    /// What `principal`'s grants let it see and change on the dashboard.
    init(_ principal: Principal) {
        self.init(name: principal.name, grantsText: principal.grantsText,
                  mayRead: { principal.allows(.read, on: $0) }, mayAdminister: { principal.allows(.admin, on: $0) },
                  readsEveryStream: principal.allowsOnEveryStream(.read),
                  administersEveryStream: principal.allowsOnEveryStream(.admin),
                  administersSomeStream: principal.allowsOnSomeStream(.admin))
    }
}
