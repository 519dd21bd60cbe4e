// Test support: a database in a temporary directory with a fixed clock, a
// Session to run SQL in it, rows written straight into the catalog file with
// the system SQLite (alerts and checkpoints are made only by running jobs,
// which these tests do not need), and the dashboard's answers as JSON.

import CSQLite
import Foundation
@testable import Spate
import SpateCatalog
@testable import SpateDashboard
import SpateLog
import SpateSQL

/// A database at a fixed time (2026-12-04 10:30:00 UTC) with the dashboard over it.
final class DashboardFixture {
    static let nowMs: Int64 = 1_796_380_200_000
    let path: String
    let database: Database
    let dashboard: Dashboard

    init() throws {
        path = NSTemporaryDirectory() + "spate-dashboard-test-" + UUID().uuidString
        database = try Database.open(path, options: LogOptions(now: { DashboardFixture.nowMs }))
        dashboard = Dashboard(database: database)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Runs SQL statements through a Session, as the REPL would.
    func run(_ sql: String) throws {
        try Session(database: database).execute(script: sql, sink: MessageSink())
    }

    /// Executes SQL on the catalog file with a connection of its own.
    func write(_ sql: String) {
        var handle: OpaquePointer?
        precondition(sqlite3_open(path + "/catalog.sqlite", &handle) == SQLITE_OK)
        defer { sqlite3_close(handle) }
        sqlite3_busy_timeout(handle, 5_000)
        var error: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &error)
        precondition(status == SQLITE_OK, "catalog write failed: \(error.map { String(cString: $0) } ?? "\(status)")")
    }

    /// An alert as a job's checkpoint would record it.
    func insertAlert(job: String, key: String, score: Double, createdMs: Int64, state: String = "open", explanation: String? = nil) {
        let explanationSQL = explanation.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" } ?? "NULL"
        write("""
            INSERT INTO alerts (job, source, key, score, row_json, created_at, state, kind, explanation)
            VALUES ('\(job)', '\(job)', '\(key.replacingOccurrences(of: "'", with: "''"))', \(score), '{"amount":\(score)}', \(createdMs), '\(state)', 'job', \(explanationSQL));
            """)
    }

    func metric(_ name: String, _ dimension: String, _ value: String, minuteMs: Int64, sum: Double, count: Int64 = 1) throws {
        try database.catalog.addMetrics([MetricSample(
            name: name, dimensions: Catalog.dimensionsJSON([DimensionPair(name: dimension, value: value)]),
            minuteMs: minuteMs, sum: sum, count: count, min: sum, max: sum, last: sum)])
    }

    /// The minute `minutesAgo` minutes before the fixture's now.
    static func minute(ago minutesAgo: Int64) -> Int64 { (nowMs / 60_000 - minutesAgo) * 60_000 }

    func get(_ target: String, canWrite: Bool = true) -> DashboardResponse {
        dashboard.respond(to: DashboardRequest(method: "GET", target: target), canWrite: canWrite)
    }

    func post(_ target: String, canWrite: Bool = true, header: Bool = true) -> DashboardResponse {
        dashboard.respond(to: DashboardRequest(method: "POST", target: target, headers: header ? [("X-Spate-Dashboard", "1")] : []),
                          canWrite: canWrite)
    }

    func json(_ target: String) throws -> [String: Any] {
        let response = get(target)
        guard response.status == 200, response.contentType.hasPrefix("application/json") else {
            throw FixtureError("GET \(target): \(response.status) \(response.text)")
        }
        return try JSONSerialization.jsonObject(with: Data(response.body)) as! [String: Any]
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension DashboardResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
}
