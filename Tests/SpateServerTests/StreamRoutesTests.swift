// Issue 15: the Kinesis endpoint deletes and alters streams through the same
// Database functions as SQL and `spate stream`. DeleteStream removes the SQL
// definition at once (not just the log), so a stream created again under the
// name never inherits the old columns; the retention operations change only
// what they name and write nothing when refused.

import Foundation
@testable import Spate
import SpateLog
import SpateSQL
import Testing

@Suite struct StreamRoutesTests {
    final class QuietSink: ResultSink {
        func begin(columns: [ResultColumn]) {}
        func row(_ values: [Value]) {}
        func end(_ summary: QuerySummary) {}
        func message(_ text: String) {}
    }

    func definitionRows(_ database: Database, _ name: String) throws -> Int {
        let rows = try database.catalogQuery(sql: "SELECT COUNT(*) FROM streams WHERE name = ?", parameters: [.text(name)])
        guard case let .integer(count)? = rows.values.first else { return -1 }
        return Int(count)
    }

    @Test func kinesisDeleteStreamRemovesTheSQLDefinition() throws {
        let server = try TestServer()
        try Session(database: server.database).execute(script: "CREATE STREAM s (a DOUBLE, b STRING) WITH (key = 'b');", sink: QuietSink())
        #expect(try definitionRows(server.database, "s") == 1)
        #expect(try server.call("DeleteStream", #"{"StreamName":"s"}"#).status == 200)
        #expect(try definitionRows(server.database, "s") == 0, "DeleteStream left the stream's SQL definition in the catalog")
        #expect(try server.call("CreateStream", #"{"StreamName":"s","ShardCount":1}"#).status == 200)
        #expect(try server.database.streamDefinition("s") == nil)
    }

    @Test func kinesisRetentionChangesGoThroughTheFacade() throws {
        let server = try TestServer()
        #expect(try server.call("CreateStream", #"{"StreamName":"s","ShardCount":2}"#).status == 200)
        let before = try server.database.describeStream("s").settings
        #expect(try server.call("IncreaseStreamRetentionPeriod", #"{"StreamName":"s","RetentionPeriodHours":48}"#).status == 200)
        var expected = before
        expected.retentionAgeMs = 48 * 3_600_000
        #expect(try server.database.describeStream("s").settings == expected, "only the retention age changed")
        let refused = try server.call("DecreaseStreamRetentionPeriod", #"{"StreamName":"s","RetentionPeriodHours":72}"#)
        #expect(refused.status == 400 && refused.errorType == "InvalidArgumentException")
        #expect(try server.database.describeStream("s").settings == expected, "a refused change writes nothing")
    }

    @Test func aRefusedAlterWritesNothing() throws {
        let server = try TestServer()
        let session = Session(database: server.database)
        try session.execute(script: "CREATE STREAM s (a DOUBLE);", sink: QuietSink())
        let before = try server.database.describeStream("s").settings
        // The first option is valid, the second is not: the statement fails as a whole.
        #expect(throws: SpateError.self) {
            try session.execute(script: "ALTER STREAM s WITH (retention = '2 days', durability = 'sometimes');", sink: QuietSink())
        }
        #expect(try server.database.describeStream("s").settings == before)
        #expect(throws: SpateError.self) {
            try server.database.alterStream("s") { $0.shardCount = 3 }
        }
        #expect(try server.database.describeStream("s").settings == before)
    }
}
